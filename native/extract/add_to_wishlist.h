#pragma once

#include <string>
#include <vector>

#include "library/library_reader.h"
#include "match/matcher.h"
#include "spotify/model.h"
#include "store/state_store.h"

// `beet wishlist add`: what a person asks for (the tracks of a track, album or playlist
// link, or an "Artist - Title") goes on the wishlist unless the library has it. One call.

namespace spotify_extract {

inline constexpr const char* kManualKeyPrefix = "manual:";  // "Artist - Title" entries

struct AddResult {
  int added = 0;                   // new entries
  int already = 0;                 // on the wishlist before (a dismissed one comes back)
  std::vector<std::string> owned;  // track ids the library has: not added
};

// Matches the tracks (a track twice counts once) against the whole beets library with the
// extraction's matcher and settings; the rest become manual entries with their Spotify
// metadata and URL (none for "Artist - Title" keys), asked for by `requested_by` (what
// `beet wishlist` shows: "manual", or the source `beet spotify-coverage --wish` read).
AddResult AddToWishlist(StateStore& store, const std::string& library_db,
                        const LibraryReadOptions& read, const MatchOptions& options,
                        const std::vector<Track>& tracks,
                        const std::string& requested_by = "manual");

// The same with a matcher built already, the entries asked for by `requested_by`
// ("manual", "new release: ARTIST").
AddResult AddToWishlist(StateStore& store, const Matcher& matcher, const std::vector<Track>& tracks,
                        const std::string& requested_by);

}  // namespace spotify_extract
