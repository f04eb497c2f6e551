#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spotify/model.h"
#include "store/rows.h"
#include "store/saved_library_store.h"

// What the person's Spotify account holds, as the state database keeps it: the profile,
// the playlists and their entries (from the API or an export), and the tracks they name.

namespace spotify_extract {

struct PlaylistRecord {
  Playlist playlist;
  PlaylistAccess access = PlaylistAccess::kReadable;
  std::string fetched_snapshot_id;  // the version whose entries are stored
  PlaylistSource source = PlaylistSource::kApi;
  bool removed = false;
  int position = 0;
  int entry_count = 0;  // stored entries
};

class CatalogStore {
 public:
  explicit CatalogStore(SharedConnection shared) : shared_(shared) {}

  // -- profile ------------------------------------------------------------------------
  void SaveProfile(const UserProfile& profile);
  std::optional<UserProfile> GetProfile();

  // -- playlists ----------------------------------------------------------------------
  // One page of the user's playlist list at `offset`: upserted (not removed any more,
  // seen in this snapshot), with renames and new playlists recorded as changes.
  void SavePlaylistPage(int64_t snapshot, const std::vector<Playlist>& page, int offset,
                        int next_offset, int total);
  // After the last page: playlists of `source` (the API's list, or the export's after
  // reading the newest data export) not seen in this snapshot are marked removed and lose
  // their entries (their m3u goes). Returns the ids marked removed.
  std::vector<std::string> FinishPlaylistListing(int64_t snapshot,
                                                 PlaylistSource source = PlaylistSource::kApi);
  std::optional<PlaylistRecord> GetPlaylist(const std::string& id);
  std::vector<PlaylistRecord> ListPlaylists(bool include_removed = false);
  // Playlists whose entries must be (re)fetched: snapshot_id differs from the stored one.
  std::vector<PlaylistRecord> PlaylistsNeedingEntries();
  // The entries of a playlist cannot be read (403 not shared, 404 unavailable): recorded
  // for this version; stored entries (from an export) are kept.
  void SetPlaylistAccess(int64_t snapshot, const std::string& playlist_id, PlaylistAccess access,
                         const std::string& version);
  // A playlist that comes from an export file (no API id): created or updated by name.
  void UpsertExportPlaylist(int64_t snapshot, const Playlist& playlist);

  // -- entries (playlists and Liked Songs) --------------------------------------------
  // One page of entries of `scope` ("playlist:<id>" or "liked") for `version`, staged
  // with its tracks and the progress, in one transaction. A page of a different version
  // than the staged one restarts the staging.
  void StageEntries(const std::string& scope, const std::string& version, int offset,
                    const std::vector<PlaylistEntry>& entries, int next_offset, int total);
  // Replaces the playlist's entries by the staged ones (records the change), sets its
  // fetched snapshot_id to `version`, clears the staging.
  void CommitPlaylistEntries(int64_t snapshot, const std::string& playlist_id,
                             const std::string& version);
  // Replaces a playlist's entries directly (export files: no staging needed).
  void ReplacePlaylistEntries(int64_t snapshot, const std::string& playlist_id,
                              const std::vector<PlaylistEntry>& entries,
                              const std::string& version);
  std::vector<StoredEntry> PlaylistEntries(const std::string& playlist_id);

  // -- tracks -------------------------------------------------------------------------
  void UpsertTracks(const std::vector<Track>& tracks);
  std::optional<Track> GetTrack(const std::string& id);
  // Distinct tracks in live playlists and Liked Songs, in a stable order (by id).
  std::vector<Track> WantedTracks();
  // Wanted tracks without ISRC or duration (from an export) not looked up yet.
  std::vector<std::string> TracksNeedingEnrichment(int limit = 0);
  void MarkEnrichAttempted(const std::vector<std::string>& ids);

 private:
  void UpsertTracksLocked(const std::vector<Track>& tracks, int64_t snapshot);
  // The playlist's entries become the staged ones, or `direct` when given.
  void CommitPlaylistEntriesLocked(int64_t snapshot, const std::string& playlist_id,
                                   const std::string& version,
                                   const std::vector<PlaylistEntry>* direct = nullptr);
  // Entries as rows of staged_entries (key: the scope) or playlist_entries (the playlist).
  void InsertEntriesLocked(bool staged, const std::string& key, int offset,
                           const std::vector<PlaylistEntry>& entries);

  SharedConnection shared_;
};

}  // namespace spotify_extract
