#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "http/cancel.h"
#include "library/library_reader.h"
#include "match/matcher.h"
#include "spotify/client.h"
#include "store/state_store.h"

// The release watch: the discographies of watched artists are synced a few artists per
// run (those synced longest ago first), and the releases the beets library does not hold
// (compared album-wise) are listed newest first.

namespace spotify_extract {

struct WatchedArtist {
  std::string id;
  std::string name;
};

struct ReleaseSyncOptions {
  // An artist synced more recently than this is not due.
  std::chrono::seconds check_interval{std::chrono::hours(24)};
  int artists_per_run = 10;
  std::string include_groups = "album,single";
};

struct ReleaseSyncResult {
  int artists_watched = 0;
  int artists_due = 0;     // due when the run began
  int artists_synced = 0;  // synced by this run (at most artists_per_run)
  int new_releases = 0;    // found for artists synced before: really new
  int catalogue = 0;       // found on an artist's first sync: the back catalogue
};

// The followed artists; with `library_artists`, also the artists of the Spotify tracks
// the matcher tied to library items (each once, followed ones first).
std::vector<WatchedArtist> WatchedArtists(StateStore& store, bool library_artists);

// Syncs the due artists (never synced first, then the longest ago), at most
// artists_per_run of them: each artist's pages newest first, one at a time, stopping at
// the first page that brings nothing new once the stored count reaches Spotify's total.
// Each page is stored as it arrives and an artist is marked synced after its last page,
// so an interrupted run loses nothing and the next one picks the artist up again.
ReleaseSyncResult SyncReleases(
    StateStore& store, SpotifyClient& client, const std::vector<WatchedArtist>& artists,
    const ReleaseSyncOptions& options, CancelToken* cancel,
    const std::function<void(int64_t done, int64_t total, const std::string& artist)>& report = {});

// Album keys of a beets library: every credited album artist with the album's key
// (normalised, edition tags such as "Deluxe" or "Remastered" removed) and whether it is
// a live album, so "X (Deluxe)" is the album "X" and "X: Live at Y" is not.
class LibraryAlbums {
 public:
  static LibraryAlbums Read(const std::string& library_db, const LibraryReadOptions& read);
  void Add(const std::string& album_artist, const std::string& album);
  bool Has(const ArtistRelease& release) const;
  size_t size() const { return keys_.size(); }

 private:
  std::unordered_set<std::string> keys_;
};

// The stored releases of `artists` the library does not hold, newest first; `since`
// ("YYYY", "YYYY-MM" or "YYYY-MM-DD", may be empty) keeps those released on or after it.
std::vector<ReleaseRecord> ReleasesNotInLibrary(StateStore& store, const LibraryAlbums& library,
                                                const std::vector<WatchedArtist>& artists,
                                                const std::string& since);

struct WishReleasesResult {
  int releases = 0;  // releases whose tracks were read
  int added = 0;     // new wishlist entries
  int already = 0;   // on the wishlist before
  int owned = 0;     // tracks the library has (a single of an album it holds)
};

// --wish: the tracks of each release (GET /albums/{id}/tracks) go on the wishlist, asked
// for by "new release: ARTIST", unless the library has them (the extraction's matcher,
// built once).
WishReleasesResult WishReleases(StateStore& store, SpotifyClient& client,
                                const std::string& library_db, const LibraryReadOptions& read,
                                const MatchOptions& options,
                                const std::vector<ReleaseRecord>& releases, CancelToken* cancel);

}  // namespace spotify_extract
