#pragma once

#include <string>
#include <vector>

#include "library/library_reader.h"
#include "match/matcher.h"
#include "spotify/model.h"
#include "store/state_store.h"

// `beet spotify-coverage`: which tracks of a playlist, album or list the beets library
// has. It only reads: library.db, and the person's review decisions when there is a
// state database.

namespace spotify_extract {

// One result per track, in input order, from the extraction's matcher with its settings
// and the stored review decisions (`store` may be null: no decisions yet). Tracks need an
// id (for "Artist - Title" lines, any key unique within the call).
std::vector<MatchResult> MatchCoverage(StateStore* store, const std::string& library_db,
                                       const LibraryReadOptions& read, const MatchOptions& options,
                                       const std::vector<Track>& tracks);

}  // namespace spotify_extract
