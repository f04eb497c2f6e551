#include "extract/release_sync.h"

#include <algorithm>
#include <ctime>
#include <unordered_map>

#include "extract/add_to_wishlist.h"
#include "http/errors.h"
#include "match/normalize.h"

namespace spotify_extract {

namespace {

// A credited artist, the album without its edition tags, and whether it is live.
std::string AlbumKey(const std::string& artist_key, const norm::ParsedAlbum& album) {
  std::string key = artist_key;
  key += '\x1f';
  key += album.key;
  if (album.flags & norm::kLive) key += "\x1flive";
  return key;
}

// The keys of every name in a credit ("A & B" is A, B and "A & B").
std::vector<std::string> CreditKeys(const std::string& credit) {
  std::vector<std::string> keys = {norm::ArtistKey(credit)};
  for (const std::string& part : norm::SplitArtists(credit)) {
    std::string key = norm::ArtistKey(part);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  }
  return keys;
}

// "2026" and "2026-05" compare as the start of their year or month.
std::string ComparableDate(const std::string& date) {
  if (date.size() >= 10) return date.substr(0, 10);
  if (date.size() == 7) return date + "-00";
  if (date.size() == 4) return date + "-00-00";
  return date;
}

}  // namespace

std::vector<WatchedArtist> WatchedArtists(StateStore& store, bool library_artists) {
  std::vector<WatchedArtist> artists;
  std::unordered_set<std::string> seen;
  for (const Artist& artist : store.saved().FollowedArtists()) {
    if (seen.insert(artist.id).second) artists.push_back({artist.id, artist.name});
  }
  if (library_artists) {
    for (const ArtistRef& artist : store.releases().MatchedTrackArtists()) {
      if (seen.insert(artist.id).second) artists.push_back({artist.id, artist.name});
    }
  }
  return artists;
}

ReleaseSyncResult SyncReleases(
    StateStore& store, SpotifyClient& client, const std::vector<WatchedArtist>& artists,
    const ReleaseSyncOptions& options, CancelToken* cancel,
    const std::function<void(int64_t, int64_t, const std::string&)>& report) {
  ReleaseSyncResult result;
  result.artists_watched = static_cast<int>(artists.size());
  std::vector<std::string> ids;
  ids.reserve(artists.size());
  for (const WatchedArtist& artist : artists) ids.push_back(artist.id);
  std::map<std::string, std::string> synced = store.releases().SyncedAt(ids);

  const std::time_t due_before = std::time(nullptr) - options.check_interval.count();
  struct Due {
    const WatchedArtist* artist;
    std::time_t synced;  // 0: never
  };
  std::vector<Due> due;
  for (const WatchedArtist& artist : artists) {
    const std::string& at = synced[artist.id];
    std::time_t when = at.empty() ? 0 : ParseUtc(at);
    if (when <= due_before) due.push_back({&artist, when});
  }
  // Never synced first (in watch order), then the longest ago.
  std::stable_sort(due.begin(), due.end(),
                   [](const Due& a, const Due& b) { return a.synced < b.synced; });
  result.artists_due = static_cast<int>(due.size());
  const size_t count =
      std::min(due.size(), static_cast<size_t>(std::max(0, options.artists_per_run)));
  if (report) report(0, static_cast<int64_t>(count), "");

  for (size_t i = 0; i < count; ++i) {
    if (cancel && cancel->IsCancelled()) throw CancelledError();
    const WatchedArtist& artist = *due[i].artist;
    const bool first_sync = due[i].synced == 0;
    int total = 0;
    client.GetArtistReleases(
        artist.id, options.include_groups,
        [&](Page<ArtistRelease>&& page) {
          total = page.total;
          int added = store.releases().AddReleases(artist.id, page.items, !first_sync);
          (first_sync ? result.catalogue : result.new_releases) += added;
          // Everything Spotify lists is stored: the rest of the pages hold nothing new.
          if (page.items.empty() || store.releases().ReleaseCount(artist.id) >= page.total) {
            return PageAction::kStop;
          }
          return PageAction::kContinue;
        },
        cancel);
    store.releases().MarkArtistSynced(artist.id, artist.name, total);
    ++result.artists_synced;
    if (report) report(static_cast<int64_t>(i + 1), static_cast<int64_t>(count), artist.name);
  }
  return result;
}

LibraryAlbums LibraryAlbums::Read(const std::string& library_db, const LibraryReadOptions& read) {
  LibraryAlbums albums;
  std::string last_artist, last_album;
  ForEachItemAlbum(library_db, read, [&](std::string_view artist, std::string_view album) {
    // An album's tracks usually come one after another: fold each album once.
    if (artist == last_artist && album == last_album) return;
    last_artist = artist;
    last_album = album;
    albums.Add(last_artist, last_album);
  });
  return albums;
}

void LibraryAlbums::Add(const std::string& album_artist, const std::string& album) {
  norm::ParsedAlbum parsed = norm::ParseAlbum(album);
  if (parsed.key.empty()) return;
  for (const std::string& key : CreditKeys(album_artist)) keys_.insert(AlbumKey(key, parsed));
}

bool LibraryAlbums::Has(const ArtistRelease& release) const {
  norm::ParsedAlbum parsed = norm::ParseAlbum(release.album.name);
  for (const ArtistRef& artist : release.album.artists) {
    for (const std::string& key : CreditKeys(artist.name)) {
      if (keys_.contains(AlbumKey(key, parsed))) return true;
    }
  }
  return false;
}

std::vector<ReleaseRecord> ReleasesNotInLibrary(StateStore& store, const LibraryAlbums& library,
                                                const std::vector<WatchedArtist>& artists,
                                                const std::string& since) {
  std::vector<std::string> ids;
  ids.reserve(artists.size());
  for (const WatchedArtist& artist : artists) ids.push_back(artist.id);
  std::vector<ReleaseRecord> out;
  if (ids.empty()) return out;
  const std::string from = since.empty() ? "" : ComparableDate(since);
  for (ReleaseRecord& record : store.releases().Releases(ids)) {
    if (!from.empty() && ComparableDate(record.release.album.release_date) < from) continue;
    if (library.Has(record.release)) continue;
    out.push_back(std::move(record));
  }
  return out;
}

WishReleasesResult WishReleases(StateStore& store, SpotifyClient& client,
                                const std::string& library_db, const LibraryReadOptions& read,
                                const MatchOptions& options,
                                const std::vector<ReleaseRecord>& releases, CancelToken* cancel) {
  WishReleasesResult result;
  if (releases.empty()) return result;
  Matcher matcher = Matcher::Build(ReadGroupedLibrary(library_db, read), options);
  for (const ReleaseRecord& record : releases) {
    if (cancel && cancel->IsCancelled()) throw CancelledError();
    AlbumTracks album = client.GetAlbumTracks(record.release.album.id, cancel);
    std::string artist = JoinArtists(record.release.album.artists);
    AddResult added = AddToWishlist(store, matcher, album.tracks, "new release: " + artist);
    ++result.releases;
    result.added += added.added;
    result.already += added.already;
    result.owned += static_cast<int>(added.owned.size());
  }
  return result;
}

}  // namespace spotify_extract
