#include "extract/resolve_imported.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace spotify_extract {

namespace {

// An entry as the matcher's track: its own fields, with the artist credits the catalog
// stored (the entry keeps them joined into one line, which would split "Earth, Wind &
// Fire"; manual entries have none).
Track EntryTrack(const WishlistEntry& entry, const std::vector<ArtistRef>* credits) {
  Track track;
  track.id = entry.spotify_track_id;
  track.name = entry.title;
  track.album_name = entry.album;
  track.isrc = entry.isrc;
  track.duration_ms = entry.duration_ms;
  if (credits != nullptr) {
    for (const ArtistRef& artist : *credits) {
      if (!artist.name.empty()) track.artists.push_back(artist);
    }
  }
  if (track.artists.empty()) track.artists.push_back({"", entry.artist});
  return track;
}

}  // namespace

ResolveResult ResolveImportedItems(StateStore& store, const std::string& library_db,
                                   const LibraryReadOptions& read, const MatchOptions& options,
                                   const std::vector<int64_t>& item_ids) {
  ResolveResult result;
  if (item_ids.empty()) return result;
  std::unordered_set<int64_t> wanted(item_ids.begin(), item_ids.end());
  LibraryReadOptions only_new = read;
  only_new.only_ids = item_ids;  // a few rows, however large the library
  std::vector<LibraryItem> items;
  ForEachLibraryItem(library_db, only_new,
                     [&](LibraryItem& item) { items.push_back(std::move(item)); });
  if (items.empty()) return result;

  std::vector<WishlistEntry> open;
  for (WishlistEntry& entry : store.wishlist().List()) {
    if (entry.status != WishlistStatus::kImported) open.push_back(std::move(entry));
  }
  if (open.empty()) return result;
  // The credits of every wanted track in one query, not one lookup per entry.
  std::unordered_map<std::string, std::vector<ArtistRef>> credits;
  for (Track& track : store.catalog().WantedTracks())
    credits.emplace(track.id, std::move(track.artists));
  std::vector<Track> tracks;
  tracks.reserve(open.size());
  for (const WishlistEntry& entry : open) {
    auto found = credits.find(entry.spotify_track_id);
    std::optional<Track> stored;  // a track no playlist wants any more
    if (found == credits.end() && (stored = store.catalog().GetTrack(entry.spotify_track_id))) {
      found = credits.emplace(entry.spotify_track_id, std::move(stored->artists)).first;
    }
    tracks.push_back(EntryTrack(entry, found == credits.end() ? nullptr : &found->second));
  }

  Matcher matcher = Matcher::Build(LibraryItems(items), options);
  std::vector<MatchResult> matches = matcher.MatchAll(tracks);
  std::vector<const MatchResult*> sure;
  for (const MatchResult& match : matches) {
    if (match.status == MatchStatus::kMatched && wanted.count(match.item_id)) {
      sure.push_back(&match);
    }
  }
  std::stable_sort(sure.begin(), sure.end(), [](const MatchResult* a, const MatchResult* b) {
    return a->confidence > b->confidence;
  });
  std::unordered_set<int64_t> taken;
  std::set<std::string> playlists;
  std::vector<MatchRecord> records;
  for (const MatchResult* match : sure) {
    if (!taken.insert(match->item_id).second) continue;
    store.wishlist().SetStatus(match->track_id, WishlistStatus::kImported, "", "", match->item_id);
    MatchRecord record;
    record.spotify_track_id = match->track_id;
    record.item_id = match->item_id;
    record.method = match->method;
    record.confidence = match->confidence;
    records.push_back(std::move(record));
    for (const PlaylistRef& playlist : store.wishlist().WantedBy(match->track_id)) {
      playlists.insert(playlist.id);
    }
    result.closed.push_back(match->track_id);
  }
  if (!records.empty()) {
    std::optional<SnapshotRecord> snapshot = store.snapshots().Last();
    store.matches().Save(snapshot ? snapshot->id : 0, records);
  }
  result.playlists.assign(playlists.begin(), playlists.end());
  return result;
}

}  // namespace spotify_extract
