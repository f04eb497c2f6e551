#include "store/match_store.h"

namespace spotify_extract {

namespace {

MatchRecord ReadMatch(sql::Statement& row) {
  MatchRecord match;
  match.spotify_track_id = row.Text(0);
  match.item_id = row.IsNull(1) ? 0 : row.Int(1);
  match.method = MatchMethodFromName(row.Text(2));
  match.confidence = row.Double(3);
  match.runners_up_json = row.Text(4);
  match.overridden = row.Int(5) != 0;
  match.status = MatchStatusFromName(row.Text(6));
  return match;
}
constexpr const char* kMatchColumns =
    "spotify_track_id, item_id, method, confidence, runners_up, overridden, status";

constexpr const char* kOverrideColumns = "spotify_track_id, item_id, rejected, decided_at";

Override ReadOverride(sql::Statement& row) {
  return Override{row.Text(0), row.IsNull(1) ? 0 : row.Int(1), row.Int(2) != 0, row.Text(3)};
}

}  // namespace

void MatchStore::Save(int64_t snapshot, const std::vector<MatchRecord>& matches) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement old =
      db.Prepare("SELECT item_id, matched_snapshot FROM matches WHERE spotify_track_id = ?");
  sql::Statement exists = db.Prepare("SELECT artist || ' - ' || name FROM tracks WHERE id = ?");
  sql::Statement upsert = db.Prepare(
      "INSERT INTO matches (spotify_track_id, item_id, method, confidence, runners_up, "
      "overridden, matched_snapshot, updated_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(spotify_track_id) DO UPDATE SET item_id = excluded.item_id, "
      "method = excluded.method, confidence = excluded.confidence, "
      "runners_up = excluded.runners_up, overridden = excluded.overridden, "
      "matched_snapshot = excluded.matched_snapshot, updated_at = excluded.updated_at, "
      "status = excluded.status "
      // An unchanged match is not written again (a rerun rewrote every row).
      "WHERE (matches.item_id, matches.method, matches.confidence, matches.runners_up, "
      "matches.overridden, matches.matched_snapshot, matches.status) IS NOT "
      "(excluded.item_id, excluded.method, excluded.confidence, excluded.runners_up, "
      "excluded.overridden, excluded.matched_snapshot, excluded.status)");
  std::string now = UtcNow();
  for (const MatchRecord& match : matches) {
    if (!exists.Bind(match.spotify_track_id).Step()) continue;
    std::string description = exists.Text(0);
    int64_t old_item = 0;
    std::optional<int64_t> matched_snapshot;
    bool had_row = false;
    if (old.Bind(match.spotify_track_id).Step()) {
      had_row = true;
      old_item = old.IsNull(0) ? 0 : old.Int(0);
      if (!old.IsNull(1)) matched_snapshot = old.Int(1);
    }
    if (match.item_id != old_item) {
      matched_snapshot = match.item_id ? std::optional<int64_t>(snapshot) : std::nullopt;
      // Changes of tracks evaluated before: missing -> matched, matched -> missing.
      if (snapshot && had_row && old_item == 0) {
        RecordChange(db, snapshot, "newly_matched", match.spotify_track_id, description);
      } else if (snapshot && had_row && !match.item_id) {
        RecordChange(db, snapshot, "match_lost", match.spotify_track_id, description);
      }
    }
    upsert
        .Bind(match.spotify_track_id,
              match.item_id ? std::optional<int64_t>(match.item_id) : std::nullopt,
              MatchMethodName(match.item_id ? match.method : MatchMethod::kNone), match.confidence,
              match.runners_up_json.empty() ? std::string("[]") : match.runners_up_json,
              match.overridden, matched_snapshot, now,
              MatchStatusName(match.item_id                          ? MatchStatus::kMatched
                              : match.status == MatchStatus::kReview ? MatchStatus::kReview
                                                                     : MatchStatus::kUnmatched))
        .Run();
  }
  transaction.Commit();
}

std::optional<MatchRecord> MatchStore::Get(const std::string& spotify_track_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement row = db.Prepare(std::string("SELECT ") + kMatchColumns +
                                  " FROM matches WHERE spotify_track_id = ?");
  return ReadFirstRow(row.Bind(spotify_track_id), ReadMatch);
}

std::map<std::string, MatchRecord> MatchStore::All() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  std::map<std::string, MatchRecord> matches;
  sql::Statement row = db.Prepare(std::string("SELECT ") + kMatchColumns + " FROM matches");
  while (row.Step()) {
    MatchRecord match = ReadMatch(row);
    matches.emplace(match.spotify_track_id, std::move(match));
  }
  return matches;
}

std::optional<Override> MatchStore::GetOverride(const std::string& spotify_track_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement row = db.Prepare(std::string("SELECT ") + kOverrideColumns +
                                  " FROM overrides WHERE spotify_track_id = ?");
  return ReadFirstRow(row.Bind(spotify_track_id), ReadOverride);
}

std::vector<Override> MatchStore::ListOverrides() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement rows = db.Prepare(std::string("SELECT ") + kOverrideColumns +
                                   " FROM overrides ORDER BY spotify_track_id");
  return ReadRows(rows, ReadOverride);
}

void MatchStore::SetOverride(const std::string& spotify_track_id, int64_t item_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  if (item_id <= 0) throw StoreError("an override needs a beets item id");
  db.Prepare(
        "INSERT INTO overrides (spotify_track_id, item_id, rejected, decided_at) "
        "VALUES (?, ?, 0, ?) ON CONFLICT(spotify_track_id) DO UPDATE SET "
        "item_id = excluded.item_id, rejected = 0, decided_at = excluded.decided_at")
      .Bind(spotify_track_id, item_id, UtcNow())
      .Run();
}

void MatchStore::Reject(const std::string& spotify_track_id, int64_t item_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  db.Prepare(
        "INSERT INTO overrides (spotify_track_id, item_id, rejected, decided_at) "
        "VALUES (?, ?, 1, ?) ON CONFLICT(spotify_track_id) DO UPDATE SET "
        "item_id = excluded.item_id, rejected = 1, decided_at = excluded.decided_at")
      .Bind(spotify_track_id, item_id > 0 ? std::optional<int64_t>(item_id) : std::nullopt,
            UtcNow())
      .Run();
}

void MatchStore::ClearOverride(const std::string& spotify_track_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  db.Prepare("DELETE FROM overrides WHERE spotify_track_id = ?").Bind(spotify_track_id).Run();
}

}  // namespace spotify_extract
