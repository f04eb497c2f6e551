#include "extract/add_to_wishlist.h"

#include <algorithm>
#include <unordered_set>

namespace spotify_extract {

AddResult AddToWishlist(StateStore& store, const std::string& library_db,
                        const LibraryReadOptions& read, const MatchOptions& options,
                        const std::vector<Track>& tracks, const std::string& requested_by) {
  bool any =
      std::any_of(tracks.begin(), tracks.end(), [](const Track& t) { return !t.id.empty(); });
  if (!any) return {};
  Matcher matcher = Matcher::Build(ReadGroupedLibrary(library_db, read), options);
  return AddToWishlist(store, matcher, tracks, requested_by);
}

AddResult AddToWishlist(StateStore& store, const Matcher& matcher, const std::vector<Track>& tracks,
                        const std::string& requested_by) {
  AddResult result;
  std::vector<Track> unique;
  std::unordered_set<std::string> seen;
  for (const Track& track : tracks) {
    if (!track.id.empty() && seen.insert(track.id).second) unique.push_back(track);
  }
  if (unique.empty()) return result;
  std::vector<MatchResult> matches = matcher.MatchAll(unique);
  for (size_t i = 0; i < unique.size(); ++i) {
    const Track& track = unique[i];
    if (matches[i].status == MatchStatus::kMatched) {
      result.owned.push_back(track.id);
      continue;
    }
    WishlistEntry entry;
    entry.source = "manual";
    entry.requested_by = {requested_by};
    entry.spotify_track_id = track.id;
    if (track.id.rfind(kManualKeyPrefix, 0) != 0) {
      entry.spotify_url = "https://open.spotify.com/track/" + track.id;
    }
    entry.title = track.name;
    for (const ArtistRef& artist : track.artists) {
      if (artist.name.empty()) continue;
      if (!entry.artist.empty()) entry.artist += ", ";
      entry.artist += artist.name;
    }
    entry.album = track.album_name;
    entry.isrc = track.isrc;
    entry.duration_ms = track.duration_ms;
    entry.cover_url = track.cover_url;
    if (store.wishlist().Add(entry)) {
      ++result.added;
    } else {
      ++result.already;
    }
  }
  return result;
}

}  // namespace spotify_extract
