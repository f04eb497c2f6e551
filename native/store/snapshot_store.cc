#include "store/snapshot_store.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

namespace spotify_extract {

using json = nlohmann::json;

namespace {

constexpr SnapshotStatus kSnapshotStatuses[] = {SnapshotStatus::kRunning, SnapshotStatus::kComplete,
                                                SnapshotStatus::kError, SnapshotStatus::kCancelled};

constexpr const char* kSnapshotColumns =
    "id, started_at, COALESCE(finished_at, ''), status, source, dry_run, phase, phases, "
    "counts, requests, error";

SnapshotRecord ReadSnapshot(sql::Statement& row) {
  SnapshotRecord record;
  record.id = row.Int(0);
  record.started_at = row.Text(1);
  record.finished_at = row.Text(2);
  record.status = SnapshotStatusFromName(row.Text(3));
  record.source = row.Text(4);
  record.dry_run = row.Int(5) != 0;
  record.phase = row.Text(6);
  record.phases_json = row.Text(7);
  record.counts_json = row.Text(8);
  record.requests = row.Int(9);
  record.error = row.Text(10);
  return record;
}

}  // namespace

const char* SnapshotStatusName(SnapshotStatus status) {
  switch (status) {
    case SnapshotStatus::kRunning:
      return "running";
    case SnapshotStatus::kComplete:
      return "complete";
    case SnapshotStatus::kError:
      return "error";
    case SnapshotStatus::kCancelled:
      return "cancelled";
  }
  return "error";
}

SnapshotStatus SnapshotStatusFromName(const std::string& name) {
  std::string known;
  for (SnapshotStatus status : kSnapshotStatuses) {
    if (name == SnapshotStatusName(status)) return status;
    known += known.empty() ? "" : ", ";
    known += SnapshotStatusName(status);
  }
  throw StoreError("unknown snapshot status: " + name + " (one of " + known + ")");
}

SnapshotRecord SnapshotStore::Begin(const std::string& source, bool dry_run,
                                    std::chrono::seconds resume_within) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement last = db.Prepare(std::string("SELECT ") + kSnapshotColumns +
                                   " FROM snapshots ORDER BY id DESC LIMIT 1");
  if (last.Step()) {
    SnapshotRecord record = ReadSnapshot(last);
    std::time_t started = ParseUtc(record.started_at);
    bool recent = started != 0 && std::time(nullptr) - started <= resume_within.count();
    if (record.status != SnapshotStatus::kComplete && record.source == source && recent) {
      db.Prepare(
            "UPDATE snapshots SET status = 'running', error = '', finished_at = NULL, "
            "dry_run = ? WHERE id = ?")
          .Bind(dry_run, record.id)
          .Run();
      transaction.Commit();
      record.status = SnapshotStatus::kRunning;
      record.error.clear();
      record.finished_at.clear();
      record.dry_run = dry_run;
      record.resumed = true;
      return record;
    }
    if (record.status == SnapshotStatus::kRunning) {
      // Too old to resume: the process died long ago.
      db.Prepare(
            "UPDATE snapshots SET status = 'error', error = ?, finished_at = ? "
            "WHERE id = ?")
          .Bind("interrupted", UtcNow(), record.id)
          .Run();
    }
  }
  // A fresh snapshot starts its fetches from the beginning.
  db.Exec("DELETE FROM fetch_progress; DELETE FROM staged_entries; DELETE FROM staged_objects");
  db.Prepare(
        "INSERT INTO snapshots (started_at, status, source, dry_run) "
        "VALUES (?, 'running', ?, ?)")
      .Bind(UtcNow(), source, dry_run)
      .Run();
  int64_t id = db.LastInsertRowId();
  transaction.Commit();
  return *Get(id);
}

std::optional<SnapshotRecord> SnapshotStore::Get(int64_t id) {
  StoreLock lock(shared_.mutex);
  sql::Statement statement = shared_.db.Prepare(std::string("SELECT ") + kSnapshotColumns +
                                                " FROM snapshots WHERE id = ?");
  return ReadFirstRow(statement.Bind(id), ReadSnapshot);
}

std::optional<SnapshotRecord> SnapshotStore::Last(std::optional<SnapshotStatus> status) {
  StoreLock lock(shared_.mutex);
  std::string name = status ? SnapshotStatusName(*status) : "";
  sql::Statement statement =
      shared_.db.Prepare(std::string("SELECT ") + kSnapshotColumns +
                         " FROM snapshots WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT 1");
  return ReadFirstRow(statement.Bind(name, name), ReadSnapshot);
}

std::vector<SnapshotRecord> SnapshotStore::List(int limit) {
  StoreLock lock(shared_.mutex);
  sql::Statement statement = shared_.db.Prepare(std::string("SELECT ") + kSnapshotColumns +
                                                " FROM snapshots ORDER BY id DESC LIMIT ?");
  return ReadRows(statement.Bind(limit), ReadSnapshot);
}

void SnapshotStore::SetPhase(int64_t snapshot, const std::string& phase) {
  StoreLock lock(shared_.mutex);
  shared_.db.Prepare("UPDATE snapshots SET phase = ? WHERE id = ?").Bind(phase, snapshot).Run();
}

bool SnapshotStore::IsPhaseDone(int64_t snapshot, const std::string& phase) {
  StoreLock lock(shared_.mutex);
  sql::Statement statement = shared_.db.Prepare("SELECT phases FROM snapshots WHERE id = ?");
  if (!statement.Bind(snapshot).Step()) return false;
  json phases = ParseObject(statement.Text(0));
  return phases.contains(phase) && phases[phase].is_object() && phases[phase].value("done", false);
}

void SnapshotStore::CompletePhase(int64_t snapshot, const std::string& phase, double seconds,
                                  const std::string& extra_json) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement statement = db.Prepare("SELECT phases FROM snapshots WHERE id = ?");
  if (!statement.Bind(snapshot).Step()) return;
  json phases = ParseObject(statement.Text(0));
  json entry = ParseObject(extra_json);
  entry["done"] = true;
  // A resumed phase adds up the time of every attempt.
  double before = 0;
  if (phases.contains(phase) && phases[phase].is_object()) {
    before = phases[phase].value("seconds", 0.0);
  }
  entry["seconds"] = before + seconds;
  phases[phase] = entry;
  db.Prepare("UPDATE snapshots SET phases = ? WHERE id = ?").Bind(SafeDump(phases), snapshot).Run();
  transaction.Commit();
}

void SnapshotStore::AddRequests(int64_t snapshot, int64_t requests) {
  StoreLock lock(shared_.mutex);
  shared_.db.Prepare("UPDATE snapshots SET requests = requests + ? WHERE id = ?")
      .Bind(requests, snapshot)
      .Run();
}

void SnapshotStore::Finish(int64_t snapshot, SnapshotStatus status, const std::string& error,
                           const std::string& counts_json) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  if (status == SnapshotStatus::kComplete) {
    std::set<std::string> before;
    {
      sql::Statement statement = db.Prepare("SELECT track_id FROM wanted_tracks");
      while (statement.Step()) before.insert(statement.Text(0));
    }
    std::set<std::string> now;
    {
      sql::Statement statement = db.Prepare(kWantedSql);
      while (statement.Step()) now.insert(statement.Text(0));
    }
    bool had_previous = GetMeta(db, "wanted_tracks_recorded").has_value();
    if (had_previous) {
      sql::Statement describe =
          db.Prepare("SELECT artist || ' - ' || name FROM tracks WHERE id = ?");
      auto description = [&](const std::string& id) {
        return describe.Bind(id).Step() ? describe.Text(0) : std::string();
      };
      for (const std::string& id : now) {
        if (!before.contains(id)) RecordChange(db, snapshot, "track_added", id, description(id));
      }
      for (const std::string& id : before) {
        if (!now.contains(id)) RecordChange(db, snapshot, "track_removed", id, description(id));
      }
    }
    // Only the difference is written: a rerun with nothing changed writes no page here.
    sql::Statement remove = db.Prepare("DELETE FROM wanted_tracks WHERE track_id = ?");
    for (const std::string& id : before) {
      if (!now.contains(id)) remove.Bind(id).Run();
    }
    sql::Statement insert = db.Prepare("INSERT INTO wanted_tracks (track_id) VALUES (?)");
    for (const std::string& id : now) {
      if (!before.contains(id)) insert.Bind(id).Run();
    }
    SetMeta(db, "wanted_tracks_recorded", "1");
    // Tracks nothing refers to any more go (with their matches and features).
    db.Exec(
        "DELETE FROM tracks WHERE liked = 0 "
        "AND id NOT IN (SELECT track_id FROM playlist_entries WHERE track_id IS NOT NULL) "
        "AND id NOT IN (SELECT track_id FROM staged_entries WHERE track_id IS NOT NULL) "
        "AND id NOT IN (SELECT spotify_track_id FROM wishlist)");
    db.Exec(
        "DELETE FROM fetch_progress; DELETE FROM staged_entries; "
        "DELETE FROM staged_objects");
  }
  db.Prepare(
        "UPDATE snapshots SET status = ?, error = ?, finished_at = ?, "
        "counts = CASE WHEN ? = '{}' THEN counts ELSE ? END WHERE id = ?")
      .Bind(SnapshotStatusName(status), error,
            status == SnapshotStatus::kRunning ? std::optional<std::string>() : UtcNow(),
            counts_json, counts_json, snapshot)
      .Run();
  transaction.Commit();
}

std::vector<Change> SnapshotStore::Changes(int64_t snapshot) {
  StoreLock lock(shared_.mutex);
  std::vector<Change> changes;
  sql::Statement statement = shared_.db.Prepare(
      "SELECT kind, subject, detail FROM snapshot_changes WHERE snapshot_id = ? "
      "ORDER BY kind, detail, subject");
  statement.Bind(snapshot);
  while (statement.Step()) {
    changes.push_back({statement.Text(0), statement.Text(1), statement.Text(2)});
  }
  return changes;
}

std::optional<FetchProgress> SnapshotStore::GetFetchProgress(const std::string& scope) {
  StoreLock lock(shared_.mutex);
  sql::Statement statement = shared_.db.Prepare(
      "SELECT version, next_offset, next_cursor, total, "
      "(SELECT COUNT(*) FROM staged_entries s WHERE s.scope = f.scope) + "
      "(SELECT COUNT(*) FROM staged_objects o WHERE o.scope = f.scope) "
      "FROM fetch_progress f WHERE scope = ?");
  if (!statement.Bind(scope).Step()) return std::nullopt;
  FetchProgress progress;
  progress.scope = scope;
  progress.version = statement.Text(0);
  progress.next_offset = static_cast<int>(statement.Int(1));
  progress.next_cursor = statement.Text(2);
  progress.total = static_cast<int>(statement.Int(3));
  progress.staged = static_cast<int>(statement.Int(4));
  return progress;
}

void SnapshotStore::ClearFetchProgress(const std::string& scope) {
  StoreLock lock(shared_.mutex);
  sql::Transaction transaction(shared_.db);
  DropStaged(shared_.db, scope);
  transaction.Commit();
}

}  // namespace spotify_extract
