#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "spotify/model.h"
#include "store/match_store.h"
#include "store/release_store.h"
#include "store/rows.h"
#include "store/saved_library_store.h"
#include "store/sqlite_db.h"
#include "store/wishlist_store.h"

// The plugin's own state database, `spotify_extract.db` in state_dir: what was fetched
// from Spotify, how it matched, the wishlist and the files the mirror owns. SQLite in WAL
// mode with a busy timeout and foreign keys; the schema is a list of numbered migrations.
// Every method is one transaction and is safe to call from several threads.

namespace spotify_extract {

inline constexpr const char* kStateDatabaseName = "spotify_extract.db";

struct SnapshotRecord {
  int64_t id = 0;
  std::string started_at;
  std::string finished_at;
  std::string status;  // running | complete | error | cancelled
  std::string source;  // api | export | api+export
  bool dry_run = false;
  std::string phase;        // the phase running or last run
  std::string phases_json;  // {"phase": {"done": true, "seconds": 1.2, ...}}
  std::string counts_json;  // summary counts recorded at the end
  int64_t requests = 0;
  std::string error;
  bool resumed = false;  // BeginSnapshot continued an interrupted snapshot
};

struct PlaylistRecord {
  Playlist playlist;
  std::string access = "readable";  // readable | not_shared | unavailable
  std::string fetched_snapshot_id;  // the version whose entries are stored
  std::string source = "api";       // api | export
  bool removed = false;
  int position = 0;
  int entry_count = 0;  // stored entries
};

// Where a page of entries continues; a resumed run picks up from here.
struct FetchProgress {
  std::string scope;
  std::string version;  // what the pages belong to (a playlist's snapshot_id, a mode)
  int next_offset = 0;
  std::string next_cursor;
  int total = 0;
  int staged = 0;  // entries or objects staged so far
};

struct MirroredFile {
  std::string path;  // bytes, absolute
  std::string playlist_id;
  std::string content_hash;
  std::string written_at;
};

struct Change {
  std::string kind;  // playlist_added | playlist_removed | playlist_renamed |
                     // playlist_changed | track_added | track_removed | newly_matched |
                     // match_lost | liked_added | liked_removed
  std::string subject;
  std::string detail;
};

struct SummaryCounts {
  int tracks = 0;  // distinct tracks wanted (live playlists + Liked Songs)
  int matched = 0;
  int review = 0;   // waiting for --review
  int missing = 0;  // neither matched nor waiting for review
  std::map<std::string, int> matched_by_method;
  int playlists = 0;  // not removed
  int playlists_readable = 0;
  int playlists_not_shared = 0;
  int playlists_unavailable = 0;
  int playlist_entries = 0;
  int liked = 0;
  int saved_albums = 0;
  int followed_artists = 0;
  int audio_features = 0;
  int local_files = 0;
  int episodes = 0;
  // The missing tracks by the status of their wishlist entry ("" when they have none yet):
  // the parts of `missing`.
  std::map<std::string, int> missing_by_status;
  int wishlist_pending = 0;  // missing tracks pending on the wishlist
  // Entries still wanted (not imported or dismissed) for tracks no playlist wants: the
  // ones added with `beet wishlist add`.
  int wishlist_others = 0;
};

class StateStore {
 public:
  struct Options {
    std::chrono::milliseconds busy_timeout{10000};
  };
  // Opens (creating if needed) the database and applies pending migrations.
  explicit StateStore(const std::string& path);
  StateStore(const std::string& path, Options options);
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The parts, by kind of data (they share the connection and its lock).
  MatchStore& matches() { return matches_; }
  SavedLibraryStore& saved() { return saved_; }
  WishlistStore& wishlist() { return wishlist_; }
  ReleaseStore& releases() { return releases_; }

  const std::string& path() const { return path_; }
  std::string LockPath() const { return path_ + ".lock"; }
  int SchemaVersion();
  static int LatestSchemaVersion();

  // -- meta ---------------------------------------------------------------------------
  std::optional<std::string> GetMeta(const std::string& key);
  void SetMeta(const std::string& key, const std::string& value);
  void DeleteMeta(const std::string& key);

  // -- snapshots ----------------------------------------------------------------------
  // Continues the newest snapshot when it did not complete (running after a kill,
  // cancelled, error) and is younger than `resume_within`, else starts a new one.
  SnapshotRecord BeginSnapshot(const std::string& source, bool dry_run,
                               std::chrono::seconds resume_within = std::chrono::hours(24));
  std::optional<SnapshotRecord> GetSnapshot(int64_t id);
  std::optional<SnapshotRecord> LastSnapshot(const std::string& status = "");
  std::vector<SnapshotRecord> ListSnapshots(int limit = 20);
  void SetSnapshotPhase(int64_t snapshot, const std::string& phase);
  bool IsPhaseDone(int64_t snapshot, const std::string& phase);
  // Marks a phase done with its duration and any extra JSON fields (merged).
  void CompletePhase(int64_t snapshot, const std::string& phase, double seconds,
                     const std::string& extra_json = "{}");
  void AddRequests(int64_t snapshot, int64_t requests);
  // Final status; for "complete" also records what changed (wanted tracks, playlists)
  // and drops tracks nothing refers to any more, in the same transaction.
  void FinishSnapshot(int64_t snapshot, const std::string& status, const std::string& error,
                      const std::string& counts_json = "{}");
  std::vector<Change> Changes(int64_t snapshot);

  // -- profile ------------------------------------------------------------------------
  void SaveProfile(const UserProfile& profile);
  std::optional<UserProfile> GetProfile();

  // -- fetch progress (resume) --------------------------------------------------------
  std::optional<FetchProgress> GetFetchProgress(const std::string& scope);
  // Forgets a scope's staged pages and progress.
  void ClearFetchProgress(const std::string& scope);

  // -- playlists ----------------------------------------------------------------------
  // One page of the user's playlist list at `offset`: upserted (not removed any more,
  // seen in this snapshot), with renames and new playlists recorded as changes.
  void SavePlaylistPage(int64_t snapshot, const std::vector<Playlist>& page, int offset,
                        int next_offset, int total);
  // After the last page: playlists of `source` ("api", or "export" after reading the
  // newest data export) not seen in this snapshot are marked removed and lose their
  // entries (their m3u goes). Returns the ids marked removed.
  std::vector<std::string> FinishPlaylistListing(int64_t snapshot,
                                                 const std::string& source = "api");
  std::optional<PlaylistRecord> GetPlaylist(const std::string& id);
  std::vector<PlaylistRecord> ListPlaylists(bool include_removed = false);
  // Playlists whose entries must be (re)fetched: snapshot_id differs from the stored one.
  std::vector<PlaylistRecord> PlaylistsNeedingEntries();
  // The entries of a playlist cannot be read (403 not shared, 404 unavailable): recorded
  // for this version; stored entries (from an export) are kept.
  void SetPlaylistAccess(int64_t snapshot, const std::string& playlist_id,
                         const std::string& access, const std::string& version);
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

  // -- tracks and audio features -------------------------------------------------------
  void UpsertTracks(const std::vector<Track>& tracks);
  std::optional<Track> GetTrack(const std::string& id);
  // Distinct tracks in live playlists and Liked Songs, in a stable order (by id).
  std::vector<Track> WantedTracks();
  // Wanted tracks without ISRC or duration (from an export) not looked up yet.
  std::vector<std::string> TracksNeedingEnrichment(int limit = 0);
  void MarkEnrichAttempted(const std::vector<std::string>& ids);
  // -- mirrored files -----------------------------------------------------------------
  std::vector<MirroredFile> MirroredFiles();
  void ReplaceMirroredFiles(const std::vector<MirroredFile>& files);

  // -- reporting ----------------------------------------------------------------------
  SummaryCounts Summary();

 private:
  void Migrate();
  SnapshotRecord ReadSnapshot(sql::Statement& statement);
  void UpsertTracksLocked(const std::vector<Track>& tracks, int64_t snapshot);
  void CommitPlaylistEntriesLocked(int64_t snapshot, const std::string& playlist_id,
                                   const std::string& version);
  void StageEntriesLocked(const std::string& scope, int offset,
                          const std::vector<PlaylistEntry>& entries);

  std::string path_;
  std::recursive_mutex mutex_;
  std::unique_ptr<sql::Connection> db_;
  MatchStore matches_;
  SavedLibraryStore saved_;
  WishlistStore wishlist_;
  ReleaseStore releases_;
};

}  // namespace spotify_extract
