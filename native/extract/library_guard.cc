#include "extract/library_guard.h"

#include <optional>

#include "playlist/file_name.h"

namespace spotify_extract {

namespace {

constexpr char kLibraryItemsKey[] = "library_items";

std::optional<size_t> RecordedLibrarySize(StateStore& store) {
  std::optional<std::string> value = store.GetMeta(kLibraryItemsKey);
  if (!value) return std::nullopt;
  try {
    return static_cast<size_t>(std::stoull(*value));
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: as if never recorded
  }
}

// Throws when `items` is fewer than kLibraryShrinkLimit of `last`, or 0 with no `last`
// and `refuse_empty`.
void Check(const std::string& library_db, size_t items, std::optional<size_t> last,
           bool refuse_empty) {
  const std::string where = "the beets library '" + CleanLineText(library_db) + "'";
  const std::string stopped =
      ": stopped before any playlist, match or wishlist entry was changed (check `library:` "
      "and `directory:` in beets' config; `beet spotify-extract --force` accepts it)";
  const bool shrunk =
      last && static_cast<double>(items) < kLibraryShrinkLimit * static_cast<double>(*last);
  if (items == 0 && (shrunk || (!last && refuse_empty))) {
    std::string was = last ? " (" + std::to_string(*last) + " at the last run)" : "";
    throw LibraryShrunkError(where + " has no items" + was + stopped);
  }
  if (shrunk) {
    throw LibraryShrunkError(where + " has " + std::to_string(items) +
                             " items, fewer than half of the " + std::to_string(*last) +
                             " at the last run" + stopped);
  }
}

}  // namespace

void CheckLibrarySize(StateStore& store, const std::string& library_db, size_t items, bool accept) {
  if (!accept) Check(library_db, items, RecordedLibrarySize(store), /*refuse_empty=*/true);
}

void CheckLibraryNotShrunk(StateStore& store, const std::string& library_db, size_t items) {
  Check(library_db, items, RecordedLibrarySize(store), /*refuse_empty=*/false);
}

void RecordLibrarySize(StateStore& store, size_t items) {
  store.SetMeta(kLibraryItemsKey, std::to_string(items));
}

}  // namespace spotify_extract
