#pragma once

#include <cstddef>
#include <string>

#include "library/library_reader.h"
#include "store/state_store.h"

// Data safety: a beets library that is empty, or much smaller than at the last run, is far
// more often a moved, lost or misconfigured library.db (beets creates an empty one where
// it finds none) than a person's choice. Running on it would drop matches, rewrite every
// playlist without its tracks and queue the whole Spotify library on the wishlist, so the
// run stops first, before anything is changed, unless the person accepts it (--force).

namespace spotify_extract {

// Fewer items than this share of the last complete run's count stops the run.
inline constexpr double kLibraryShrinkLimit = 0.5;

// The library looks lost (empty or shrunk); the message names the file and the way out.
class LibraryShrunkError : public LibraryError {
 public:
  using LibraryError::LibraryError;
};

// Before a run: throws LibraryShrunkError, unless `accept`, when `items` is fewer than
// kLibraryShrinkLimit of the count recorded by RecordLibrarySize, or 0 with no count
// recorded (a first run on an empty library; once accepted, 0 is the recorded count).
void CheckLibrarySize(StateStore& store, const std::string& library_db, size_t items, bool accept);

// Before the re-render after an import: only the comparison with the recorded count (an
// empty library with none recorded has no file to lose: a playlist with no playable
// entry keeps its file).
void CheckLibraryNotShrunk(StateStore& store, const std::string& library_db, size_t items);

// Records `items` as the count the next run is compared with.
void RecordLibrarySize(StateStore& store, size_t items);

}  // namespace spotify_extract
