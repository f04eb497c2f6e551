#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "library/library_reader.h"
#include "match/matcher.h"
#include "store/state_store.h"

// The wishlist side of an import, whatever its source: beets items that just arrived close
// the wishlist entries they satisfy. One call from the import hook.

namespace spotify_extract {

struct ResolveResult {
  std::vector<std::string> closed;     // track ids of the entries now `imported`
  std::vector<std::string> playlists;  // ids of the playlists that wanted them
};

// Reads the items `item_ids` from library.db (read-only), matches every wishlist entry
// not yet imported against them alone with the extraction's matcher (so an older item of
// the library never stands in for the new one), and marks sure matches `imported` with
// their item, storing them as matches. Each item closes at most one entry, the most
// confident one.
ResolveResult ResolveImportedItems(StateStore& store, const std::string& library_db,
                                   const LibraryReadOptions& read, const MatchOptions& options,
                                   const std::vector<int64_t>& item_ids);

}  // namespace spotify_extract
