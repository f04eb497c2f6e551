#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spotify/model.h"
#include "store/rows.h"

// The release watch's state (migration 4): when each watched artist's discography was
// last synced, the releases known per artist, and when a listing first showed each one.
// Also the artwork files written (kind, Spotify id, the URL they came from).

namespace spotify_extract {

struct ReleaseRecord {
  ArtistRelease release;
  std::string artist_id;  // the watched artist it was found for
  std::string found_at;
  // Found after the artist's first sync: a new release, not the back catalogue.
  bool is_new = false;
  std::string listed_at;  // empty: no listing has shown it yet
};

struct ArtworkRecord {
  std::string kind;  // playlists | albums | artists
  std::string spotify_id;
  std::string url;
  std::string path;  // bytes, absolute
  int64_t bytes = 0;
  std::string fetched_at;
};

class ReleaseStore {
 public:
  explicit ReleaseStore(SharedConnection shared) : shared_(shared) {}

  // -- artists --------------------------------------------------------------------------
  // When each artist's releases were last synced completely ("" = never), for those given.
  std::map<std::string, std::string> SyncedAt(const std::vector<std::string>& artist_ids);
  void MarkArtistSynced(const std::string& artist_id, const std::string& name, int total);
  int ReleaseCount(const std::string& artist_id);
  // The artists (with ids) credited on the Spotify tracks matched to library items.
  std::vector<ArtistRef> MatchedTrackArtists();

  // -- releases -------------------------------------------------------------------------
  // Stores the releases of one page for the artist (one transaction); known ones are
  // refreshed. Returns how many were not known before.
  int AddReleases(const std::string& artist_id, const std::vector<ArtistRelease>& page,
                  bool is_new);
  // Every stored release of the given artists (all artists when empty), newest first; a
  // release of two watched artists once (the first artist's).
  std::vector<ReleaseRecord> Releases(const std::vector<std::string>& artist_ids = {});
  // Records that a listing showed these releases (those shown before keep their time).
  void MarkListed(const std::vector<std::string>& release_ids);

  // -- artwork --------------------------------------------------------------------------
  std::optional<ArtworkRecord> GetArtwork(const std::string& kind, const std::string& id);
  void SaveArtwork(const ArtworkRecord& record);
  void DeleteArtwork(const std::string& kind, const std::string& id);
  std::vector<ArtworkRecord> Artwork();

 private:
  SharedConnection shared_;
};

}  // namespace spotify_extract
