#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "extract/artwork.h"
#include "extract/library_guard.h"
#include "extract/release_sync.h"
#include "http/cancel.h"
#include "http/http_client.h"
#include "library/library_items.h"
#include "match/matcher.h"
#include "playlist/mirror.h"
#include "spotify/client.h"
#include "store/state_store.h"

// The phased extraction: fetch what changed on Spotify into the state database, match it
// against the beets library, mirror the playlists as m3u, keep the wishlist.
//
// Every fetch phase commits what it fetched in small transactions (a playlist, a page of
// Liked Songs or saved albums) and records its progress, so a run stopped at any point
// (Ctrl-C, a crash, kill -9, a long Retry-After) resumes where it stopped, and the final
// state equals that of an uninterrupted run. The derived phases (match, mirror, wishlist)
// always run again from the stored data.

namespace spotify_extract {

// The phases, in order. "export" runs the caller's import of a data export (Python) and
// "enrich" looks up tracks that came without ISRC or duration (an export) by id.
inline constexpr const char* kPhases[] = {
    "profile", "playlists", "playlist_items", "liked",          "albums", "artists", "releases",
    "artwork", "export",    "enrich",         "audio_features", "match",  "mirror",  "wishlist"};

// The phases a cooldown can hold back, each with the fetch phases it covers.
inline constexpr const char* kCooldownPhases[] = {"profile", "playlists", "liked",
                                                  "albums",  "artists",   "releases"};

struct ProgressEvent {
  std::string phase;
  int64_t done = 0;
  int64_t total = 0;  // 0 when unknown
  std::string detail;
};
using ProgressFn = std::function<void(const ProgressEvent&)>;

struct PipelineOptions {
  std::string source = "api";  // api | export | api+export (snapshots of a source resume)
  bool dry_run = false;        // fetch and match; write nothing outside the state database
  bool audio_features = true;
  bool liked_songs_playlist = true;  // mirror Liked Songs as a playlist too
  // beets' library.db and music directory (relative paths join it).
  std::string library_db;
  std::string music_dir;
  std::chrono::milliseconds library_busy_timeout{5000};
  // --force: run on a library that is empty or much smaller than at the last run
  // (extract/library_guard.h); otherwise such a run stops before anything changes.
  bool accept_library_size = false;
  MatchOptions match;
  bool mirror = true;
  MirrorOptions mirror_options;
  // Resume an interrupted snapshot younger than this; older ones start afresh.
  std::chrono::seconds resume_within{std::chrono::hours(24)};
  // The release watch ("releases" phase, after "artists"): a few followed artists'
  // discographies per run (extract/release_sync.h).
  bool release_watch = false;
  ReleaseSyncOptions releases;
  // Per phase of kCooldownPhases: a phase that completed less than this long ago is
  // skipped (with a line saying so), unless ignore_cooldowns.
  std::map<std::string, std::chrono::seconds> cooldowns;
  bool ignore_cooldowns = false;
  // Cover images ("artwork" phase, after "releases"); off while artwork.kinds is empty.
  ArtworkOptions artwork;
  // Runs as the "export" phase (reads a data export into the store); may be empty.
  std::function<void(int64_t snapshot)> import_export;
};

struct PipelineResult {
  SnapshotRecord snapshot;                           // as finished
  SnapshotStatus status = SnapshotStatus::kRunning;  // then complete | cancelled | error
  std::string error;
  bool resumed = false;
  int64_t requests = 0;  // HTTP round trips of this run
  int64_t rate_limited = 0;
  std::map<std::string, double> phase_seconds;  // phases that ran in this process
  std::vector<std::string> notes;               // one-line notices (audio features refused, ...)
  SummaryCounts summary;
  std::vector<Change> changes;
  std::vector<PlaylistRecord> not_shared;   // followed playlists whose entries are refused
  std::vector<PlaylistRecord> unavailable;  // Spotify-owned / Made For You (404)
  std::optional<MirrorResult> mirror;
  WishlistSyncResult wishlist;
  int library_items = 0;
  std::optional<ReleaseSyncResult> releases;  // when the releases phase ran
  std::vector<std::string> cooled_down;       // phases skipped by their cooldown
  std::optional<ArtworkResult> artwork;       // when the artwork phase ran
};

// Runs the phases. `client` may be null (offline: an export only); the fetch phases are
// then skipped. First of all the beets library's items are counted and checked
// (CheckLibrarySize): LibraryShrunkError before any snapshot is begun; they are checked
// again when they are read. Throws on failure after recording the snapshot
// as "error" (the message is one line); a cancel (the token) ends the run as "cancelled" without
// throwing.
class Pipeline {
 public:
  Pipeline(StateStore& store, SpotifyClient* client, PipelineOptions options,
           ProgressFn progress = {}, LogFn log = {});

  PipelineResult Run(CancelToken* cancel);

  // The mirror phase alone, from the stored playlists and matches (after an import of
  // downloaded files): reads the library, checks it as Run does, renders every playlist,
  // records the files.
  static MirrorResult MirrorFromStore(StateStore& store, const PipelineOptions& options);

 private:
  void Profile(int64_t snapshot, CancelToken* cancel);
  void Playlists(int64_t snapshot, CancelToken* cancel);
  void PlaylistItems(int64_t snapshot, CancelToken* cancel);
  void Liked(int64_t snapshot, CancelToken* cancel);
  void Albums(int64_t snapshot, CancelToken* cancel);
  void Artists(int64_t snapshot, CancelToken* cancel);
  void Releases(PipelineResult& result, CancelToken* cancel);
  // Whether `phase` (of kCooldownPhases) completed within its cooldown: then it is
  // skipped, said once in the log and in result.cooled_down.
  bool CoolingDown(const std::string& phase, PipelineResult& result);
  void Enrich(int64_t snapshot, CancelToken* cancel);
  void AudioFeaturesPhase(int64_t snapshot, CancelToken* cancel);
  void Match(int64_t snapshot, CancelToken* cancel);
  void MirrorPhase(int64_t snapshot, PipelineResult& result);

  void Report(const std::string& phase, int64_t done, int64_t total,
              const std::string& detail = "");
  void Log(LogLevel level, const std::string& message);
  // A matcher of the whole library, and how many items it was built from.
  struct LibraryMatcher {
    Matcher matcher;
    size_t items = 0;
  };
  // Reads library.db as a stream and indexes it; touches nothing else (it may run on a
  // thread of its own while the fetch or export phases use the store). A cancel stops
  // the read (CancelledError).
  LibraryMatcher BuildLibraryMatcher(CancelToken* cancel) const;

  StateStore& store_;
  SpotifyClient* client_;
  PipelineOptions options_;
  ProgressFn progress_;
  LogFn log_;
  size_t library_count_ = 0;            // counted when the run began
  std::optional<size_t> library_read_;  // the items the match phase read
  std::string library_stamp_;           // LibraryStamp when the run began
  // Started with the run when the library changed since the last match.
  std::future<LibraryMatcher> prebuilt_matcher_;
  std::vector<std::string> notes_;
};

}  // namespace spotify_extract
