#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "library/library_item.h"
#include "library/library_items.h"

namespace spotify_extract {

// Raised when library.db cannot be read; the message names the file and the cause.
class LibraryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Which columns a read fills; the others read as empty/0.
enum class LibraryColumns {
  kAll,
  // What the matcher indexes: id, title, artist(s), album, length, ISRC, mb_trackid and the
  // two flexible attributes (no path: resolving 500k paths is a fifth of the read).
  kMatch,
};

struct LibraryReadOptions {
  // beets' `lib.directory`: relative paths (beets >= 2.10) are joined to it.
  std::string music_dir;
  // How long to wait for a writer (beets importing) to release its lock.
  std::chrono::milliseconds busy_timeout{5000};
  // When not empty, only these items are read (the ones an import just added).
  std::vector<int64_t> only_ids;
  LibraryColumns columns = LibraryColumns::kAll;
};

// Loads every item of a beets library.db into the compact LibraryItems (sorted by id),
// opened read-only (never written), in one read transaction (a consistent snapshot while
// beets writes). Columns are looked up by name (PRAGMA table_info), so any beets 2.x
// schema works: column order may differ, legacy columns are ignored, a missing optional
// column reads as empty/0. Paths keep their bytes exactly (non-UTF-8 survives). Throws
// LibraryError naming the file when it is missing, empty, corrupt, not a beets library,
// or stays locked longer than the busy timeout.
LibraryItems ReadLibrary(const std::string& db_path, const LibraryReadOptions& options);

// The number of items, cheaply (the library is read-only-opened as by ReadLibrary and
// throws the same errors): for a check before a run reads everything.
size_t CountLibraryItems(const std::string& db_path, const LibraryReadOptions& options);

// The album of every item that has one, as (album artist, or the artist when it has
// none; album), streamed in id order, without reading the other columns: what the release
// watch compares Spotify's releases against. Returns the number of rows seen.
size_t ForEachItemAlbum(
    const std::string& db_path, const LibraryReadOptions& options,
    const std::function<void(std::string_view album_artist, std::string_view album)>& sink);

// The same rows, streamed: `sink` sees each item in id order (one LibraryItem reused for
// every row; the sink may move from it), so memory stays flat however large the library.
// Returns the number of items; `expected`, when given, receives the row count up front.
size_t ForEachLibraryItem(const std::string& db_path, const LibraryReadOptions& options,
                          const std::function<void(LibraryItem&)>& sink,
                          size_t* expected = nullptr);

// Splits a beets multi-valued field on its delimiter (backslash + U+2400), falling
// back to "; " for values written by older tools.
std::vector<std::string> SplitMultiValue(std::string_view value);
// The same into an existing vector (cleared first), for the reader's hot loop.
void SplitMultiValueInto(std::string_view value, std::vector<std::string>& parts);

// Resolves a path as stored by beets: absolute stays, relative joins `music_dir` (as
// beets' expand_path_from_db does, including its normpath of "." and ".." segments).
std::string ResolveLibraryPath(std::string_view stored, std::string_view music_dir);

}  // namespace spotify_extract
