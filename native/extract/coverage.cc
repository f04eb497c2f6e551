#include "extract/coverage.h"

#include "match/overrides.h"

namespace spotify_extract {

std::vector<MatchResult> MatchCoverage(StateStore* store, const std::string& library_db,
                                       const LibraryReadOptions& read, const MatchOptions& options,
                                       const std::vector<Track>& tracks) {
  if (tracks.empty()) return {};
  Matcher matcher = Matcher::Build(ReadGroupedLibrary(library_db, read), options);
  if (store != nullptr) matcher.SetOverrides(OverridesFromStore(store->matches().ListOverrides()));
  return matcher.MatchAll(tracks);
}

}  // namespace spotify_extract
