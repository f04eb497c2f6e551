#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spotify/model.h"
#include "store/rows.h"

// What the person saved on Spotify besides playlists: Liked Songs (the liked columns of
// tracks), saved albums, followed artists, and the audio features of wanted tracks.

namespace spotify_extract {

// A stored playlist entry (or a Liked Songs entry) with its track.
struct StoredEntry {
  int position = 0;
  EntryKind kind = EntryKind::kTrack;
  Track track;  // local files: name/artists/album/duration only
  std::string added_at;
  std::string added_by;
};

class SavedLibraryStore {
 public:
  explicit SavedLibraryStore(SharedConnection shared) : shared_(shared) {}

  // -- Liked Songs ----------------------------------------------------------------------
  // Whether every track of the page is liked already with that added_at (the stop signal
  // of an incremental read).
  bool AllLikedKnown(const std::vector<SavedTrack>& page);
  int LikedCount();
  // Staged Liked Songs become the whole set (full) or are put on top of it (incremental:
  // the staged entries are the new ones, newest first).
  void CommitLiked(int64_t snapshot, bool full);
  std::vector<StoredEntry> LikedEntries();

  // -- saved albums, followed artists ---------------------------------------------------
  void StageAlbums(const std::string& scope, int offset, const std::vector<SavedAlbum>& page,
                   int next_offset, int total, const std::string& version = "full");
  // Staged albums become the whole set (full) or go on top of it (incremental).
  void CommitAlbums(const std::string& scope, bool full = true);
  bool AllAlbumsKnown(const std::vector<SavedAlbum>& page);
  int SavedAlbumCount();
  std::vector<SavedAlbum> SavedAlbums();
  void StageArtists(const std::string& scope, int offset, const std::vector<Artist>& page,
                    const std::string& next_cursor, int total);
  void CommitArtists(const std::string& scope);
  std::vector<Artist> FollowedArtists();

  // -- audio features -------------------------------------------------------------------
  std::vector<std::string> TracksWithoutAudioFeatures(int limit = 0);
  // Stores features; `missing` are ids Spotify has none for (not asked again).
  void SaveAudioFeatures(const std::vector<AudioFeatures>& features,
                         const std::vector<std::string>& missing = {});
  std::optional<AudioFeatures> GetAudioFeatures(const std::string& track_id);

 private:
  SharedConnection shared_;
};

}  // namespace spotify_extract
