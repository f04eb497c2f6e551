#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/rows.h"

// The runs of the pipeline (the snapshots table): their status and phases, what changed
// in each, and where an interrupted paged fetch continues (fetch_progress).

namespace spotify_extract {

// running -> complete, or error / cancelled (a later run of the same source resumes it).
enum class SnapshotStatus { kRunning, kComplete, kError, kCancelled };
// "running", "complete", "error", "cancelled": the snapshots.status column and Python's name.
const char* SnapshotStatusName(SnapshotStatus status);
// The inverse; throws StoreError naming the known statuses.
SnapshotStatus SnapshotStatusFromName(const std::string& name);

struct SnapshotRecord {
  int64_t id = 0;
  std::string started_at;
  std::string finished_at;
  SnapshotStatus status = SnapshotStatus::kRunning;
  std::string source;  // api | export | api+export
  bool dry_run = false;
  std::string phase;        // the phase running or last run
  std::string phases_json;  // {"phase": {"done": true, "seconds": 1.2, ...}}
  std::string counts_json;  // summary counts recorded at the end
  int64_t requests = 0;
  std::string error;
  bool resumed = false;  // Begin continued an interrupted snapshot
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

struct Change {
  std::string kind;  // playlist_added | playlist_removed | playlist_renamed |
                     // playlist_changed | track_added | track_removed | newly_matched |
                     // match_lost | liked_added | liked_removed
  std::string subject;
  std::string detail;
};

class SnapshotStore {
 public:
  explicit SnapshotStore(SharedConnection shared) : shared_(shared) {}

  // Continues the newest snapshot when it did not complete (running after a kill,
  // cancelled, error) and is younger than `resume_within`, else starts a new one.
  SnapshotRecord Begin(const std::string& source, bool dry_run,
                       std::chrono::seconds resume_within = std::chrono::hours(24));
  std::optional<SnapshotRecord> Get(int64_t id);
  // The newest snapshot (with that status when given).
  std::optional<SnapshotRecord> Last(std::optional<SnapshotStatus> status = std::nullopt);
  std::vector<SnapshotRecord> List(int limit = 20);
  void SetPhase(int64_t snapshot, const std::string& phase);
  bool IsPhaseDone(int64_t snapshot, const std::string& phase);
  // Marks a phase done with its duration and any extra JSON fields (merged).
  void CompletePhase(int64_t snapshot, const std::string& phase, double seconds,
                     const std::string& extra_json = "{}");
  void AddRequests(int64_t snapshot, int64_t requests);
  // Final status; kComplete also records what changed (wanted tracks) and drops tracks
  // nothing refers to any more, in the same transaction.
  void Finish(int64_t snapshot, SnapshotStatus status, const std::string& error,
              const std::string& counts_json = "{}");
  std::vector<Change> Changes(int64_t snapshot);

  std::optional<FetchProgress> GetFetchProgress(const std::string& scope);
  // Forgets a scope's staged pages and progress.
  void ClearFetchProgress(const std::string& scope);

 private:
  SharedConnection shared_;
};

}  // namespace spotify_extract
