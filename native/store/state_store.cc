#include "store/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "store/migrations.h"

namespace spotify_extract {

using json = nlohmann::json;
using Lock = std::lock_guard<std::recursive_mutex>;

namespace {

std::string FormatUtc(std::time_t seconds) {
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string UtcSecondsAgo(int64_t seconds) {
  return FormatUtc(std::time(nullptr) - static_cast<std::time_t>(seconds));
}

// Parses our own "YYYY-MM-DDTHH:MM:SSZ"; 0 when it is something else.
std::time_t ParseUtc(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  return timegm(&tm);
}

json ArtistsJson(const std::vector<ArtistRef>& artists) {
  json list = json::array();
  for (const ArtistRef& artist : artists) {
    list.push_back({{"id", artist.id}, {"name", artist.name}});
  }
  return list;
}

std::vector<ArtistRef> ArtistsFromJson(const std::string& text) {
  std::vector<ArtistRef> artists;
  json list = json::parse(text, nullptr, false);
  if (!list.is_array()) return artists;
  for (const json& artist : list) {
    if (!artist.is_object()) continue;
    artists.push_back({artist.value("id", ""), artist.value("name", "")});
  }
  return artists;
}

// Text into a JSON document, even when it is not valid UTF-8.
std::string SafeDump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json ParseObject(const std::string& text) {
  json value = json::parse(text, nullptr, false);
  return value.is_object() ? value : json::object();
}

// The one number a COUNT(*) (or other single-value) query answers.
int CountOf(sql::Connection& db, const std::string& query) {
  sql::Statement statement = db.Prepare(query);
  statement.Step();
  return static_cast<int>(statement.Int(0));
}

// The first column of every row (ids, mostly).
std::vector<std::string> FirstColumn(sql::Statement& rows) {
  std::vector<std::string> values;
  while (rows.Step()) values.push_back(rows.Text(0));
  return values;
}

// Whether every saved thing of a page is stored already with the same added_at: the stop
// signal of the newest-first incremental reads. `query` takes (id, added_at); entries
// without an id (local files) say nothing either way.
template <typename Saved, typename IdOf>
bool AllSavedKnown(sql::Connection& db, const char* query, const std::vector<Saved>& page,
                   IdOf id_of) {
  sql::Statement statement = db.Prepare(query);
  for (const Saved& saved : page) {
    const std::string& id = id_of(saved);
    if (id.empty()) continue;
    if (!statement.Bind(id, saved.added_at).Step()) return false;
  }
  return true;
}

// Stages one page of objects (saved albums, followed artists) as JSON rows; the first page
// of a pass replaces whatever an abandoned pass left.
void StageObjects(sql::Connection& db, const std::string& scope, int offset,
                  const std::vector<json>& payloads) {
  if (offset == 0) db.Prepare("DELETE FROM staged_objects WHERE scope = ?").Bind(scope).Run();
  sql::Statement insert = db.Prepare(
      "INSERT OR REPLACE INTO staged_objects (scope, position, payload) VALUES (?, ?, ?)");
  for (size_t i = 0; i < payloads.size(); ++i) {
    insert.Bind(scope, offset + static_cast<int>(i), SafeDump(payloads[i])).Run();
  }
}

// Forgets a fetch in progress for `scope` and everything it staged (a scope only ever
// stages into one of the two tables, so clearing both is exact).
void DropStaged(sql::Connection& db, const std::string& scope) {
  db.Prepare("DELETE FROM fetch_progress WHERE scope = ?").Bind(scope).Run();
  db.Prepare("DELETE FROM staged_entries WHERE scope = ?").Bind(scope).Run();
  db.Prepare("DELETE FROM staged_objects WHERE scope = ?").Bind(scope).Run();
}

constexpr const char* kSavedAlbumColumns =
    "id, name, artists, release_date, upc, cover_url, total_tracks, added_at";

SavedAlbum ReadSavedAlbum(sql::Statement& row) {
  SavedAlbum saved;
  saved.album.id = row.Text(0);
  saved.album.name = row.Text(1);
  saved.album.artists = ArtistsFromJson(row.Text(2));
  saved.album.release_date = row.Text(3);
  saved.album.upc = row.Text(4);
  saved.album.cover_url = row.Text(5);
  saved.album.total_tracks = static_cast<int>(row.Int(6));
  saved.added_at = row.Text(7);
  return saved;
}

// The staged form of a saved album, which CommitAlbums reads back.
json SavedAlbumJson(const SavedAlbum& saved) {
  const Album& album = saved.album;
  return {{"added_at", saved.added_at},
          {"id", album.id},
          {"name", album.name},
          {"artists", ArtistsJson(album.artists)},
          {"release_date", album.release_date},
          {"upc", album.upc},
          {"cover_url", album.cover_url},
          {"total_tracks", album.total_tracks}};
}

constexpr const char* kTrackColumns =
    "t.id, t.name, t.artists, t.album_id, t.album, t.album_artists, t.album_release_date, "
    "t.isrc, t.duration_ms, t.disc_number, t.track_number, t.explicit, t.playable, "
    "t.popularity, t.cover_url, t.preview_url";
constexpr int kTrackColumnCount = 16;

Track ReadTrack(sql::Statement& row, int first = 0) {
  Track track;
  track.id = row.Text(first + 0);
  track.name = row.Text(first + 1);
  track.artists = ArtistsFromJson(row.Text(first + 2));
  track.album_id = row.Text(first + 3);
  track.album_name = row.Text(first + 4);
  track.album_artists = ArtistsFromJson(row.Text(first + 5));
  track.album_release_date = row.Text(first + 6);
  track.isrc = row.Text(first + 7);
  track.duration_ms = static_cast<int>(row.Int(first + 8));
  track.disc_number = static_cast<int>(row.Int(first + 9));
  track.track_number = static_cast<int>(row.Int(first + 10));
  track.explicit_content = row.Int(first + 11) != 0;
  track.is_playable = row.Int(first + 12) != 0;
  if (!row.IsNull(first + 13)) track.popularity = static_cast<int>(row.Int(first + 13));
  track.cover_url = row.Text(first + 14);
  track.preview_url = row.Text(first + 15);
  return track;
}

// The distinct tracks of live playlists and Liked Songs.
constexpr const char* kWantedSql =
    "SELECT e.track_id AS track_id FROM playlist_entries e "
    "JOIN playlists p ON p.id = e.playlist_id "
    "WHERE p.removed = 0 AND e.kind = 'track' AND e.track_id IS NOT NULL "
    "UNION SELECT id FROM tracks WHERE liked = 1";

// A base62 Spotify id (22 characters); manual wishlist keys are something else.
bool LooksLikeSpotifyId(const std::string& id) {
  if (id.size() != 22) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

bool IsTrackEntry(const PlaylistEntry& entry) {
  return (entry.kind == EntryKind::kTrack || entry.kind == EntryKind::kUnavailable) &&
         !entry.track.id.empty();
}

bool ValidWishlistStatus(const std::string& status) {
  for (const char* known : kWishlistStatuses) {
    if (status == known) return true;
  }
  return false;
}

}  // namespace

std::string UtcNow() { return FormatUtc(std::time(nullptr)); }

// ---------------------------------------------------------------------------------------
// RunLock

RunLock RunLock::Acquire(const std::string& lock_path, const std::string& what) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw StoreError("cannot create the run lock " + lock_path + ": " + std::strerror(errno) +
                     " (check that the state_dir is writable)");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder;
    char buffer[512];
    ssize_t size = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (size > 0) holder.assign(buffer, static_cast<size_t>(size));
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) {
      holder.pop_back();
    }
    ::close(fd);
    if (error == EWOULDBLOCK) {
      throw RunLockedError("another spotify-extract run is in progress" +
                           (holder.empty() ? std::string() : " (" + holder + ")") +
                           "; wait for it to finish and try again");
    }
    throw StoreError("cannot lock " + lock_path + ": " + std::strerror(error));
  }
  std::string info = "pid " + std::to_string(::getpid()) + ", " + what + ", since " + UtcNow();
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd, info.data(), info.size(), 0);
  }
  return RunLock(fd);
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

RunLock::~RunLock() { Release(); }

void RunLock::Release() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) {
    // The content is informational only.
  }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

// ---------------------------------------------------------------------------------------
// StateStore: opening and migrations

StateStore::StateStore(const std::string& path) : StateStore(path, Options()) {}

StateStore::StateStore(const std::string& path, Options options) : path_(path) {
  std::error_code error;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, error)) {
    std::filesystem::create_directories(parent, error);
    if (error) {
      throw StoreError("cannot create the state directory " + parent.string() + ": " +
                       error.message());
    }
  }
  db_ = std::make_unique<sql::Connection>(path, options.busy_timeout);
  db_->Exec("PRAGMA foreign_keys = ON");
  {
    sql::Statement mode = db_->Prepare("PRAGMA journal_mode = WAL");
    mode.Step();
  }
  db_->Exec("PRAGMA synchronous = NORMAL");
  // A run touches a few tens of MB of pages: keep them in SQLite's own cache (64 MiB at
  // most) instead of re-reading them from the OS for every lookup, and let the WAL grow to
  // 64 MiB before it is copied back, so a page written many times in a run is copied once.
  db_->Exec("PRAGMA cache_size = -65536");
  db_->Exec("PRAGMA wal_autocheckpoint = 16384");
  db_->Exec("PRAGMA temp_store = MEMORY");
  Migrate();
}

int StateStore::LatestSchemaVersion() { return StateMigrations().back().number; }

void StateStore::Migrate() {
  Lock lock(mutex_);
  db_->Exec(
      "CREATE TABLE IF NOT EXISTS migrations ("
      "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const Migration& migration : StateMigrations()) {
    sql::Transaction transaction(*db_);
    sql::Statement applied = db_->Prepare("SELECT 1 FROM migrations WHERE number = ?");
    if (applied.Bind(migration.number).Step()) continue;  // rolled back: nothing written
    migration.apply(*db_);
    db_->Prepare("INSERT INTO migrations (number, name, applied_at) VALUES (?, ?, ?)")
        .Bind(migration.number, migration.name, UtcNow())
        .Run();
    transaction.Commit();
  }
  int version = SchemaVersion();
  if (version > LatestSchemaVersion()) {
    throw StoreError("state database " + path_ + " has schema version " + std::to_string(version) +
                     ", newer than this plugin knows (" + std::to_string(LatestSchemaVersion()) +
                     "); upgrade beets-spotify-extract");
  }
}

int StateStore::SchemaVersion() {
  Lock lock(mutex_);
  sql::Statement statement = db_->Prepare("SELECT COALESCE(MAX(number), 0) FROM migrations");
  statement.Step();
  return static_cast<int>(statement.Int(0));
}

// ---------------------------------------------------------------------------------------
// meta

std::optional<std::string> StateStore::GetMeta(const std::string& key) {
  Lock lock(mutex_);
  sql::Statement statement = db_->Prepare("SELECT value FROM meta WHERE key = ?");
  if (!statement.Bind(key).Step()) return std::nullopt;
  return statement.Text(0);
}

void StateStore::SetMeta(const std::string& key, const std::string& value) {
  Lock lock(mutex_);
  db_->Prepare(
         "INSERT INTO meta (key, value) VALUES (?, ?) "
         "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .Bind(key, value)
      .Run();
}

void StateStore::DeleteMeta(const std::string& key) {
  Lock lock(mutex_);
  db_->Prepare("DELETE FROM meta WHERE key = ?").Bind(key).Run();
}

// ---------------------------------------------------------------------------------------
// snapshots

constexpr const char* kSnapshotColumns =
    "id, started_at, COALESCE(finished_at, ''), status, source, dry_run, phase, phases, "
    "counts, requests, error";

SnapshotRecord StateStore::ReadSnapshot(sql::Statement& row) {
  SnapshotRecord record;
  record.id = row.Int(0);
  record.started_at = row.Text(1);
  record.finished_at = row.Text(2);
  record.status = row.Text(3);
  record.source = row.Text(4);
  record.dry_run = row.Int(5) != 0;
  record.phase = row.Text(6);
  record.phases_json = row.Text(7);
  record.counts_json = row.Text(8);
  record.requests = row.Int(9);
  record.error = row.Text(10);
  return record;
}

SnapshotRecord StateStore::BeginSnapshot(const std::string& source, bool dry_run,
                                         std::chrono::seconds resume_within) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement last = db_->Prepare(std::string("SELECT ") + kSnapshotColumns +
                                     " FROM snapshots ORDER BY id DESC LIMIT 1");
  if (last.Step()) {
    SnapshotRecord record = ReadSnapshot(last);
    std::time_t started = ParseUtc(record.started_at);
    bool recent = started != 0 && std::time(nullptr) - started <= resume_within.count();
    if (record.status != "complete" && record.source == source && recent) {
      db_->Prepare(
             "UPDATE snapshots SET status = 'running', error = '', finished_at = NULL, "
             "dry_run = ? WHERE id = ?")
          .Bind(dry_run, record.id)
          .Run();
      transaction.Commit();
      record.status = "running";
      record.error.clear();
      record.finished_at.clear();
      record.dry_run = dry_run;
      record.resumed = true;
      return record;
    }
    if (record.status == "running") {
      // Too old to resume: the process died long ago.
      db_->Prepare(
             "UPDATE snapshots SET status = 'error', error = ?, finished_at = ? "
             "WHERE id = ?")
          .Bind("interrupted", UtcNow(), record.id)
          .Run();
    }
  }
  // A fresh snapshot starts its fetches from the beginning.
  db_->Exec("DELETE FROM fetch_progress; DELETE FROM staged_entries; DELETE FROM staged_objects");
  db_->Prepare(
         "INSERT INTO snapshots (started_at, status, source, dry_run) "
         "VALUES (?, 'running', ?, ?)")
      .Bind(UtcNow(), source, dry_run)
      .Run();
  int64_t id = db_->LastInsertRowId();
  transaction.Commit();
  return *GetSnapshot(id);
}

std::optional<SnapshotRecord> StateStore::GetSnapshot(int64_t id) {
  Lock lock(mutex_);
  sql::Statement statement =
      db_->Prepare(std::string("SELECT ") + kSnapshotColumns + " FROM snapshots WHERE id = ?");
  if (!statement.Bind(id).Step()) return std::nullopt;
  return ReadSnapshot(statement);
}

std::optional<SnapshotRecord> StateStore::LastSnapshot(const std::string& status) {
  Lock lock(mutex_);
  sql::Statement statement =
      db_->Prepare(std::string("SELECT ") + kSnapshotColumns +
                   " FROM snapshots WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT 1");
  if (!statement.Bind(status, status).Step()) return std::nullopt;
  return ReadSnapshot(statement);
}

std::vector<SnapshotRecord> StateStore::ListSnapshots(int limit) {
  Lock lock(mutex_);
  std::vector<SnapshotRecord> records;
  sql::Statement statement = db_->Prepare(std::string("SELECT ") + kSnapshotColumns +
                                          " FROM snapshots ORDER BY id DESC LIMIT ?");
  statement.Bind(limit);
  while (statement.Step()) records.push_back(ReadSnapshot(statement));
  return records;
}

void StateStore::SetSnapshotPhase(int64_t snapshot, const std::string& phase) {
  Lock lock(mutex_);
  db_->Prepare("UPDATE snapshots SET phase = ? WHERE id = ?").Bind(phase, snapshot).Run();
}

bool StateStore::IsPhaseDone(int64_t snapshot, const std::string& phase) {
  Lock lock(mutex_);
  sql::Statement statement = db_->Prepare("SELECT phases FROM snapshots WHERE id = ?");
  if (!statement.Bind(snapshot).Step()) return false;
  json phases = ParseObject(statement.Text(0));
  return phases.contains(phase) && phases[phase].is_object() && phases[phase].value("done", false);
}

void StateStore::CompletePhase(int64_t snapshot, const std::string& phase, double seconds,
                               const std::string& extra_json) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement statement = db_->Prepare("SELECT phases FROM snapshots WHERE id = ?");
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
  db_->Prepare("UPDATE snapshots SET phases = ? WHERE id = ?")
      .Bind(SafeDump(phases), snapshot)
      .Run();
  transaction.Commit();
}

void StateStore::AddRequests(int64_t snapshot, int64_t requests) {
  Lock lock(mutex_);
  db_->Prepare("UPDATE snapshots SET requests = requests + ? WHERE id = ?")
      .Bind(requests, snapshot)
      .Run();
}

void StateStore::RecordChange(int64_t snapshot, const std::string& kind, const std::string& subject,
                              const std::string& detail) {
  db_->Prepare(
         "INSERT OR REPLACE INTO snapshot_changes (snapshot_id, kind, subject, detail) "
         "VALUES (?, ?, ?, ?)")
      .Bind(snapshot, kind, subject, detail)
      .Run();
}

void StateStore::FinishSnapshot(int64_t snapshot, const std::string& status,
                                const std::string& error, const std::string& counts_json) {
  Lock lock(mutex_);
  if (status != "complete" && status != "error" && status != "cancelled" && status != "running") {
    throw StoreError("unknown snapshot status: " + status);
  }
  sql::Transaction transaction(*db_);
  if (status == "complete") {
    std::set<std::string> before;
    {
      sql::Statement statement = db_->Prepare("SELECT track_id FROM wanted_tracks");
      while (statement.Step()) before.insert(statement.Text(0));
    }
    std::set<std::string> now;
    {
      sql::Statement statement = db_->Prepare(kWantedSql);
      while (statement.Step()) now.insert(statement.Text(0));
    }
    bool had_previous = GetMeta("wanted_tracks_recorded").has_value();
    if (had_previous) {
      sql::Statement describe =
          db_->Prepare("SELECT artist || ' - ' || name FROM tracks WHERE id = ?");
      auto description = [&](const std::string& id) {
        return describe.Bind(id).Step() ? describe.Text(0) : std::string();
      };
      for (const std::string& id : now) {
        if (!before.contains(id)) RecordChange(snapshot, "track_added", id, description(id));
      }
      for (const std::string& id : before) {
        if (!now.contains(id)) RecordChange(snapshot, "track_removed", id, description(id));
      }
    }
    db_->Exec("DELETE FROM wanted_tracks");
    sql::Statement insert = db_->Prepare("INSERT INTO wanted_tracks (track_id) VALUES (?)");
    for (const std::string& id : now) insert.Bind(id).Run();
    SetMeta("wanted_tracks_recorded", "1");
    // Tracks nothing refers to any more go (with their matches and features).
    db_->Exec(
        "DELETE FROM tracks WHERE liked = 0 "
        "AND id NOT IN (SELECT track_id FROM playlist_entries WHERE track_id IS NOT NULL) "
        "AND id NOT IN (SELECT track_id FROM staged_entries WHERE track_id IS NOT NULL) "
        "AND id NOT IN (SELECT spotify_track_id FROM wishlist)");
    db_->Exec(
        "DELETE FROM fetch_progress; DELETE FROM staged_entries; "
        "DELETE FROM staged_objects");
  }
  db_->Prepare(
         "UPDATE snapshots SET status = ?, error = ?, finished_at = ?, "
         "counts = CASE WHEN ? = '{}' THEN counts ELSE ? END WHERE id = ?")
      .Bind(status, error, status == "running" ? std::optional<std::string>() : UtcNow(),
            counts_json, counts_json, snapshot)
      .Run();
  transaction.Commit();
}

std::vector<Change> StateStore::Changes(int64_t snapshot) {
  Lock lock(mutex_);
  std::vector<Change> changes;
  sql::Statement statement = db_->Prepare(
      "SELECT kind, subject, detail FROM snapshot_changes WHERE snapshot_id = ? "
      "ORDER BY kind, detail, subject");
  statement.Bind(snapshot);
  while (statement.Step()) {
    changes.push_back({statement.Text(0), statement.Text(1), statement.Text(2)});
  }
  return changes;
}

// ---------------------------------------------------------------------------------------
// profile

void StateStore::SaveProfile(const UserProfile& profile) {
  Lock lock(mutex_);
  db_->Prepare(
         "INSERT INTO profile (id, user_id, display_name, product, updated_at) "
         "VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
         "user_id = excluded.user_id, display_name = excluded.display_name, "
         "product = excluded.product, updated_at = excluded.updated_at")
      .Bind(profile.id, profile.display_name, profile.product, UtcNow())
      .Run();
}

std::optional<UserProfile> StateStore::GetProfile() {
  Lock lock(mutex_);
  sql::Statement statement =
      db_->Prepare("SELECT user_id, display_name, product FROM profile WHERE id = 1");
  if (!statement.Step()) return std::nullopt;
  return UserProfile{statement.Text(0), statement.Text(1), statement.Text(2)};
}

// ---------------------------------------------------------------------------------------
// fetch progress

std::optional<FetchProgress> StateStore::GetFetchProgress(const std::string& scope) {
  Lock lock(mutex_);
  sql::Statement statement = db_->Prepare(
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

void StateStore::ClearFetchProgress(const std::string& scope) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  DropStaged(*db_, scope);
  transaction.Commit();
}

void StateStore::SetProgressLocked(const std::string& scope, const std::string& version,
                                   int next_offset, const std::string& next_cursor, int total,
                                   int64_t snapshot) {
  db_->Prepare(
         "INSERT INTO fetch_progress "
         "(scope, version, next_offset, next_cursor, total, snapshot, updated_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(scope) DO UPDATE SET "
         "version = excluded.version, next_offset = excluded.next_offset, "
         "next_cursor = excluded.next_cursor, total = excluded.total, "
         "snapshot = excluded.snapshot, updated_at = excluded.updated_at")
      .Bind(scope, version, next_offset, next_cursor, total,
            snapshot ? std::optional<int64_t>(snapshot) : std::nullopt, UtcNow())
      .Run();
}

// ---------------------------------------------------------------------------------------
// playlists

constexpr const char* kPlaylistColumns =
    "p.id, p.name, p.description, p.owner_id, p.owner_name, p.snapshot_id, p.image_url, "
    "p.collaborative, p.public, p.total, p.access, COALESCE(p.fetched_snapshot_id, ''), "
    "p.source, p.removed, p.position, "
    "(SELECT COUNT(*) FROM playlist_entries e WHERE e.playlist_id = p.id)";

namespace {
PlaylistRecord ReadPlaylist(sql::Statement& row) {
  PlaylistRecord record;
  Playlist& playlist = record.playlist;
  playlist.id = row.Text(0);
  playlist.name = row.Text(1);
  playlist.description = row.Text(2);
  playlist.owner_id = row.Text(3);
  playlist.owner_name = row.Text(4);
  playlist.snapshot_id = row.Text(5);
  playlist.image_url = row.Text(6);
  playlist.collaborative = row.Int(7) != 0;
  playlist.is_public = row.Int(8) != 0;
  playlist.total_entries = static_cast<int>(row.Int(9));
  record.access = row.Text(10);
  record.fetched_snapshot_id = row.Text(11);
  record.source = row.Text(12);
  record.removed = row.Int(13) != 0;
  record.position = static_cast<int>(row.Int(14));
  record.entry_count = static_cast<int>(row.Int(15));
  return record;
}
}  // namespace

void StateStore::SavePlaylistPage(int64_t snapshot, const std::vector<Playlist>& page, int offset,
                                  int next_offset, int total) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement existing = db_->Prepare("SELECT name, removed FROM playlists WHERE id = ?");
  sql::Statement upsert = db_->Prepare(
      "INSERT INTO playlists (id, name, description, owner_id, owner_name, snapshot_id, "
      "image_url, collaborative, public, total, position, source, removed, "
      "first_seen_snapshot, last_seen_snapshot, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'api', 0, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, "
      "owner_id = excluded.owner_id, owner_name = excluded.owner_name, "
      "snapshot_id = excluded.snapshot_id, image_url = excluded.image_url, "
      "collaborative = excluded.collaborative, public = excluded.public, "
      "total = excluded.total, position = excluded.position, source = 'api', removed = 0, "
      "last_seen_snapshot = excluded.last_seen_snapshot, updated_at = excluded.updated_at");
  std::string now = UtcNow();
  // The first complete run reports the library, not "new playlists".
  const bool first_run = !GetMeta("wanted_tracks_recorded").has_value();
  for (size_t i = 0; i < page.size(); ++i) {
    const Playlist& playlist = page[i];
    if (playlist.id.empty()) continue;
    if (first_run) {
      // Nothing to compare with.
    } else if (existing.Bind(playlist.id).Step()) {
      std::string old_name = existing.Text(0);
      bool was_removed = existing.Int(1) != 0;
      if (was_removed) {
        RecordChange(snapshot, "playlist_added", playlist.id, playlist.name);
      } else if (old_name != playlist.name) {
        RecordChange(snapshot, "playlist_renamed", playlist.id,
                     SafeDump({{"from", old_name}, {"to", playlist.name}}));
      }
    } else {
      RecordChange(snapshot, "playlist_added", playlist.id, playlist.name);
    }
    existing.Bind(playlist.id);  // reset
    upsert
        .Bind(playlist.id, playlist.name, playlist.description, playlist.owner_id,
              playlist.owner_name, playlist.snapshot_id, playlist.image_url, playlist.collaborative,
              playlist.is_public, playlist.total_entries, offset + static_cast<int>(i), snapshot,
              snapshot, now)
        .Run();
  }
  SetProgressLocked("playlists", "", next_offset, "", total, snapshot);
  transaction.Commit();
}

std::vector<std::string> StateStore::FinishPlaylistListing(int64_t snapshot,
                                                           const std::string& source) {
  Lock lock(mutex_);
  if (source != "api" && source != "export") {
    throw StoreError("unknown playlist source: " + source);
  }
  sql::Transaction transaction(*db_);
  std::vector<std::string> removed;
  {
    sql::Statement gone = db_->Prepare(
        "SELECT id, name FROM playlists WHERE source = ? AND removed = 0 "
        "AND (last_seen_snapshot IS NULL OR last_seen_snapshot != ?)");
    gone.Bind(source, snapshot);
    while (gone.Step()) {
      removed.push_back(gone.Text(0));
      RecordChange(snapshot, "playlist_removed", gone.Text(0), gone.Text(1));
    }
  }
  for (const std::string& id : removed) {
    db_->Prepare(
           "UPDATE playlists SET removed = 1, fetched_snapshot_id = NULL, updated_at = ? "
           "WHERE id = ?")
        .Bind(UtcNow(), id)
        .Run();
    db_->Prepare("DELETE FROM playlist_entries WHERE playlist_id = ?").Bind(id).Run();
    DropStaged(*db_, "playlist:" + id);
  }
  if (source == "api") db_->Prepare("DELETE FROM fetch_progress WHERE scope = 'playlists'").Run();
  transaction.Commit();
  return removed;
}

std::optional<PlaylistRecord> StateStore::GetPlaylist(const std::string& id) {
  Lock lock(mutex_);
  sql::Statement statement =
      db_->Prepare(std::string("SELECT ") + kPlaylistColumns + " FROM playlists p WHERE p.id = ?");
  if (!statement.Bind(id).Step()) return std::nullopt;
  return ReadPlaylist(statement);
}

std::vector<PlaylistRecord> StateStore::ListPlaylists(bool include_removed) {
  Lock lock(mutex_);
  std::vector<PlaylistRecord> records;
  sql::Statement statement = db_->Prepare(
      std::string("SELECT ") + kPlaylistColumns +
      " FROM playlists p WHERE (? OR p.removed = 0) ORDER BY p.source, p.position, p.id");
  statement.Bind(include_removed);
  while (statement.Step()) records.push_back(ReadPlaylist(statement));
  return records;
}

std::vector<PlaylistRecord> StateStore::PlaylistsNeedingEntries() {
  Lock lock(mutex_);
  std::vector<PlaylistRecord> records;
  sql::Statement statement =
      db_->Prepare(std::string("SELECT ") + kPlaylistColumns +
                   " FROM playlists p WHERE p.removed = 0 AND p.source = 'api' "
                   "AND (p.fetched_snapshot_id IS NULL OR p.fetched_snapshot_id != p.snapshot_id) "
                   "ORDER BY p.position, p.id");
  while (statement.Step()) records.push_back(ReadPlaylist(statement));
  return records;
}

void StateStore::SetPlaylistAccess(int64_t snapshot, const std::string& playlist_id,
                                   const std::string& access, const std::string& version) {
  Lock lock(mutex_);
  if (access != "readable" && access != "not_shared" && access != "unavailable") {
    throw StoreError("unknown playlist access: " + access);
  }
  sql::Transaction transaction(*db_);
  db_->Prepare(
         "UPDATE playlists SET access = ?, fetched_snapshot_id = ?, "
         "last_fetched_snapshot = ?, updated_at = ? WHERE id = ?")
      .Bind(access, version, snapshot, UtcNow(), playlist_id)
      .Run();
  DropStaged(*db_, "playlist:" + playlist_id);
  transaction.Commit();
}

void StateStore::UpsertExportPlaylist(int64_t snapshot, const Playlist& playlist) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement existing = db_->Prepare("SELECT name, source FROM playlists WHERE id = ?");
  if (existing.Bind(playlist.id).Step()) {
    // An API playlist keeps its API metadata; the export only brings entries.
    if (existing.Text(1) == "export") {
      db_->Prepare(
             "UPDATE playlists SET name = ?, description = ?, total = ?, removed = 0, "
             "last_seen_snapshot = ?, updated_at = ? WHERE id = ?")
          .Bind(playlist.name, playlist.description, playlist.total_entries, snapshot, UtcNow(),
                playlist.id)
          .Run();
    }
  } else {
    sql::Statement count = db_->Prepare("SELECT COUNT(*) FROM playlists WHERE source = 'export'");
    count.Step();
    db_->Prepare(
           "INSERT INTO playlists (id, name, description, owner_id, owner_name, "
           "snapshot_id, total, position, source, first_seen_snapshot, "
           "last_seen_snapshot, updated_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'export', ?, ?, ?)")
        .Bind(playlist.id, playlist.name, playlist.description, playlist.owner_id,
              playlist.owner_name, playlist.snapshot_id, playlist.total_entries,
              static_cast<int>(count.Int(0)), snapshot, snapshot, UtcNow())
        .Run();
    if (GetMeta("wanted_tracks_recorded")) {
      RecordChange(snapshot, "playlist_added", playlist.id, playlist.name);
    }
  }
  transaction.Commit();
}

// ---------------------------------------------------------------------------------------
// tracks and entries

void StateStore::UpsertTracks(const std::vector<Track>& tracks) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  UpsertTracksLocked(tracks, 0);
  transaction.Commit();
}

void StateStore::UpsertTracksLocked(const std::vector<Track>& tracks, int64_t snapshot) {
  // Known values are never replaced by missing ones (an export has no ISRC or duration).
  sql::Statement upsert = db_->Prepare(
      "INSERT INTO tracks (id, name, artists, artist, album_id, album, album_artists, "
      "album_artist, album_release_date, isrc, duration_ms, disc_number, track_number, "
      "explicit, playable, popularity, cover_url, preview_url, first_seen_snapshot, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET "
      "name = CASE WHEN excluded.name != '' THEN excluded.name ELSE tracks.name END, "
      "artists = CASE WHEN excluded.artists != '[]' THEN excluded.artists ELSE tracks.artists END, "
      "artist = CASE WHEN excluded.artist != '' THEN excluded.artist ELSE tracks.artist END, "
      "album_id = CASE WHEN excluded.album_id != '' THEN excluded.album_id "
      "ELSE tracks.album_id END, "
      "album = CASE WHEN excluded.album != '' THEN excluded.album ELSE tracks.album END, "
      "album_artists = CASE WHEN excluded.album_artists != '[]' THEN excluded.album_artists "
      "ELSE tracks.album_artists END, "
      "album_artist = CASE WHEN excluded.album_artist != '' THEN excluded.album_artist "
      "ELSE tracks.album_artist END, "
      "album_release_date = CASE WHEN excluded.album_release_date != '' "
      "THEN excluded.album_release_date ELSE tracks.album_release_date END, "
      "isrc = CASE WHEN excluded.isrc != '' THEN excluded.isrc ELSE tracks.isrc END, "
      "duration_ms = CASE WHEN excluded.duration_ms > 0 THEN excluded.duration_ms "
      "ELSE tracks.duration_ms END, "
      "disc_number = CASE WHEN excluded.disc_number > 0 THEN excluded.disc_number "
      "ELSE tracks.disc_number END, "
      "track_number = CASE WHEN excluded.track_number > 0 THEN excluded.track_number "
      "ELSE tracks.track_number END, "
      "explicit = excluded.explicit, playable = excluded.playable, "
      "popularity = COALESCE(excluded.popularity, tracks.popularity), "
      "cover_url = CASE WHEN excluded.cover_url != '' THEN excluded.cover_url "
      "ELSE tracks.cover_url END, "
      "preview_url = CASE WHEN excluded.preview_url != '' THEN excluded.preview_url "
      "ELSE tracks.preview_url END, "
      "updated_at = excluded.updated_at");
  std::string now = UtcNow();
  for (const Track& track : tracks) {
    if (track.id.empty()) continue;
    upsert
        .Bind(track.id, track.name, SafeDump(ArtistsJson(track.artists)),
              JoinArtists(track.artists), track.album_id, track.album_name,
              SafeDump(ArtistsJson(track.album_artists)), JoinArtists(track.album_artists),
              track.album_release_date, track.isrc, track.duration_ms, track.disc_number,
              track.track_number, track.explicit_content, track.is_playable, track.popularity,
              track.cover_url, track.preview_url,
              snapshot ? std::optional<int64_t>(snapshot) : std::nullopt, now)
        .Run();
  }
}

std::optional<Track> StateStore::GetTrack(const std::string& id) {
  Lock lock(mutex_);
  sql::Statement statement =
      db_->Prepare(std::string("SELECT ") + kTrackColumns + " FROM tracks t WHERE t.id = ?");
  if (!statement.Bind(id).Step()) return std::nullopt;
  return ReadTrack(statement);
}

std::vector<Track> StateStore::WantedTracks() {
  Lock lock(mutex_);
  std::vector<Track> tracks;
  sql::Statement statement =
      db_->Prepare(std::string("SELECT ") + kTrackColumns + " FROM tracks t WHERE t.id IN (" +
                   kWantedSql + ") ORDER BY t.id");
  while (statement.Step()) tracks.push_back(ReadTrack(statement));
  return tracks;
}

void StateStore::StageEntriesLocked(const std::string& scope, int offset,
                                    const std::vector<PlaylistEntry>& entries) {
  sql::Statement insert = db_->Prepare(
      "INSERT OR REPLACE INTO staged_entries (scope, position, kind, track_id, local_name, "
      "local_artist, local_album, local_duration_ms, added_at, added_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t i = 0; i < entries.size(); ++i) {
    const PlaylistEntry& entry = entries[i];
    EntryKind kind = entry.kind;
    // A track Spotify cannot play here (market restrictions) is still that recording,
    // which the person may own: it stays a track. Without an id it is only a description.
    if (kind == EntryKind::kUnavailable && !entry.track.id.empty()) kind = EntryKind::kTrack;
    if (kind == EntryKind::kTrack && entry.track.id.empty()) kind = EntryKind::kUnavailable;
    bool is_track = kind == EntryKind::kTrack;
    insert
        .Bind(scope, offset + static_cast<int>(i), EntryKindName(kind),
              is_track ? std::optional<std::string>(entry.track.id) : std::nullopt,
              is_track ? std::string() : entry.track.name,
              is_track ? std::string() : JoinArtists(entry.track.artists),
              is_track ? std::string() : entry.track.album_name,
              is_track ? 0 : entry.track.duration_ms, entry.added_at, entry.added_by)
        .Run();
  }
}

void StateStore::StageEntries(const std::string& scope, const std::string& version, int offset,
                              const std::vector<PlaylistEntry>& entries, int next_offset,
                              int total) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement progress = db_->Prepare("SELECT version FROM fetch_progress WHERE scope = ?");
  bool restart = offset == 0 || !progress.Bind(scope).Step() || progress.Text(0) != version;
  if (restart) {
    db_->Prepare("DELETE FROM staged_entries WHERE scope = ?").Bind(scope).Run();
  }
  std::vector<Track> tracks;
  tracks.reserve(entries.size());
  for (const PlaylistEntry& entry : entries) {
    if (IsTrackEntry(entry)) tracks.push_back(entry.track);
  }
  sql::Statement snapshot_row =
      db_->Prepare("SELECT id FROM snapshots WHERE status = 'running' ORDER BY id DESC LIMIT 1");
  int64_t snapshot = snapshot_row.Step() ? snapshot_row.Int(0) : 0;
  UpsertTracksLocked(tracks, snapshot);
  StageEntriesLocked(scope, offset, entries);
  SetProgressLocked(scope, version, next_offset, "", total, snapshot);
  transaction.Commit();
}

void StateStore::CommitPlaylistEntries(int64_t snapshot, const std::string& playlist_id,
                                       const std::string& version) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  CommitPlaylistEntriesLocked(snapshot, playlist_id, version);
  transaction.Commit();
}

void StateStore::CommitPlaylistEntriesLocked(int64_t snapshot, const std::string& playlist_id,
                                             const std::string& version) {
  std::string scope = "playlist:" + playlist_id;
  sql::Statement info =
      db_->Prepare("SELECT name, fetched_snapshot_id IS NOT NULL FROM playlists WHERE id = ?");
  if (!info.Bind(playlist_id).Step()) {
    throw StoreError("unknown playlist " + playlist_id + " in " + path_);
  }
  std::string name = info.Text(0);
  bool had_entries = info.Int(1) != 0;
  std::multiset<std::string> old_tracks, new_tracks;
  {
    sql::Statement old_rows = db_->Prepare(
        "SELECT track_id FROM playlist_entries WHERE playlist_id = ? AND track_id IS NOT NULL");
    old_rows.Bind(playlist_id);
    while (old_rows.Step()) old_tracks.insert(old_rows.Text(0));
    sql::Statement new_rows = db_->Prepare(
        "SELECT track_id FROM staged_entries WHERE scope = ? AND track_id IS NOT NULL");
    new_rows.Bind(scope);
    while (new_rows.Step()) new_tracks.insert(new_rows.Text(0));
  }
  if (had_entries) {
    std::vector<std::string> added, removed;
    std::set_difference(new_tracks.begin(), new_tracks.end(), old_tracks.begin(), old_tracks.end(),
                        std::back_inserter(added));
    std::set_difference(old_tracks.begin(), old_tracks.end(), new_tracks.begin(), new_tracks.end(),
                        std::back_inserter(removed));
    if (!added.empty() || !removed.empty()) {
      RecordChange(snapshot, "playlist_changed", playlist_id,
                   SafeDump({{"name", name},
                             {"added", static_cast<int>(added.size())},
                             {"removed", static_cast<int>(removed.size())}}));
    }
  }
  db_->Prepare("DELETE FROM playlist_entries WHERE playlist_id = ?").Bind(playlist_id).Run();
  db_->Prepare(
         "INSERT INTO playlist_entries (playlist_id, position, kind, track_id, local_name, "
         "local_artist, local_album, local_duration_ms, added_at, added_by) "
         "SELECT ?, position, kind, track_id, local_name, local_artist, local_album, "
         "local_duration_ms, added_at, added_by FROM staged_entries WHERE scope = ?")
      .Bind(playlist_id, scope)
      .Run();
  // Entries from a data export fill an API playlist whose entries Spotify refuses; its
  // API state (access, the version fetched) stays, so the next run does not re-probe it.
  const bool from_export = version.rfind("export:", 0) == 0;
  db_->Prepare(
         "UPDATE playlists SET "
         "fetched_snapshot_id = CASE WHEN ?1 AND source = 'api' THEN fetched_snapshot_id "
         "ELSE ?2 END, "
         "access = CASE WHEN ?1 AND source = 'api' THEN access ELSE 'readable' END, "
         "last_fetched_snapshot = ?3, updated_at = ?4 WHERE id = ?5")
      .Bind(from_export, version, snapshot, UtcNow(), playlist_id)
      .Run();
  DropStaged(*db_, scope);
}

void StateStore::ReplacePlaylistEntries(int64_t snapshot, const std::string& playlist_id,
                                        const std::vector<PlaylistEntry>& entries,
                                        const std::string& version) {
  Lock lock(mutex_);
  std::string scope = "playlist:" + playlist_id;
  sql::Transaction transaction(*db_);
  db_->Prepare("DELETE FROM staged_entries WHERE scope = ?").Bind(scope).Run();
  std::vector<Track> tracks;
  for (const PlaylistEntry& entry : entries) {
    if (IsTrackEntry(entry)) tracks.push_back(entry.track);
  }
  UpsertTracksLocked(tracks, snapshot);
  StageEntriesLocked(scope, 0, entries);
  CommitPlaylistEntriesLocked(snapshot, playlist_id, version);
  transaction.Commit();
}

namespace {
constexpr const char* kEntryColumns =
    "e.position, e.kind, e.local_name, e.local_artist, e.local_album, e.local_duration_ms, "
    "e.added_at, e.added_by";

StoredEntry ReadEntry(sql::Statement& row) {
  StoredEntry entry;
  entry.position = static_cast<int>(row.Int(0));
  entry.kind = EntryKindFromName(row.Text(1));
  entry.added_at = row.Text(6);
  entry.added_by = row.Text(7);
  if (entry.kind == EntryKind::kTrack && !row.IsNull(8)) {
    entry.track = ReadTrack(row, 8);
  } else {
    entry.track.name = row.Text(2);
    std::string artist = row.Text(3);
    if (!artist.empty()) entry.track.artists.push_back({"", artist});
    entry.track.album_name = row.Text(4);
    entry.track.duration_ms = static_cast<int>(row.Int(5));
    entry.track.is_local = entry.kind == EntryKind::kLocalFile;
  }
  return entry;
}
}  // namespace

std::vector<StoredEntry> StateStore::PlaylistEntries(const std::string& playlist_id) {
  Lock lock(mutex_);
  std::vector<StoredEntry> entries;
  sql::Statement statement =
      db_->Prepare(std::string("SELECT ") + kEntryColumns + ", " + kTrackColumns +
                   " FROM playlist_entries e LEFT JOIN tracks t ON t.id = e.track_id "
                   "WHERE e.playlist_id = ? ORDER BY e.position");
  statement.Bind(playlist_id);
  while (statement.Step()) entries.push_back(ReadEntry(statement));
  return entries;
}

// ---------------------------------------------------------------------------------------
// Liked Songs

bool StateStore::AllLikedKnown(const std::vector<SavedTrack>& page) {
  Lock lock(mutex_);
  return AllSavedKnown(
      *db_, "SELECT 1 FROM tracks WHERE id = ? AND liked = 1 AND liked_added_at = ?", page,
      [](const SavedTrack& saved) -> const std::string& { return saved.track.id; });
}

int StateStore::LikedCount() {
  Lock lock(mutex_);
  return CountOf(*db_, "SELECT COUNT(*) FROM tracks WHERE liked = 1");
}

void StateStore::CommitLiked(int64_t snapshot, bool full) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  // The staged entries, in Spotify's order (newest first), tracks only.
  std::vector<std::pair<std::string, std::string>> staged;  // id, added_at
  std::unordered_set<std::string> staged_ids;
  {
    sql::Statement rows = db_->Prepare(
        "SELECT track_id, added_at FROM staged_entries WHERE scope = 'liked' "
        "AND kind = 'track' AND track_id IS NOT NULL ORDER BY position");
    while (rows.Step()) {
      std::string id = rows.Text(0);
      if (staged_ids.insert(id).second) staged.emplace_back(id, rows.Text(1));
    }
  }
  sql::Statement liked_before =
      db_->Prepare("SELECT id FROM tracks WHERE liked = 1 ORDER BY liked_position, id");
  const std::vector<std::string> previous = FirstColumn(liked_before);
  std::unordered_set<std::string> previous_ids(previous.begin(), previous.end());
  bool first_time = !GetMeta("liked_recorded").has_value();
  sql::Statement describe = db_->Prepare("SELECT artist || ' - ' || name FROM tracks WHERE id = ?");
  auto description = [&](const std::string& id) {
    return describe.Bind(id).Step() ? describe.Text(0) : std::string();
  };

  // The new order: the staged ones first, then (incremental) the rest as they were.
  std::vector<std::pair<std::string, std::string>> order = staged;
  if (!full) {
    for (const std::string& id : previous) {
      if (!staged_ids.contains(id)) order.emplace_back(id, "");
    }
  }
  std::unordered_set<std::string> now_ids;
  for (const auto& [id, added_at] : order) now_ids.insert(id);
  for (const std::string& id : previous) {
    if (!now_ids.contains(id)) {
      db_->Prepare(
             "UPDATE tracks SET liked = 0, liked_added_at = NULL, liked_position = NULL "
             "WHERE id = ?")
          .Bind(id)
          .Run();
      if (!first_time) RecordChange(snapshot, "liked_removed", id, description(id));
    }
  }
  sql::Statement current = db_->Prepare(
      "SELECT liked, liked_position, COALESCE(liked_added_at, '') FROM tracks "
      "WHERE id = ?");
  sql::Statement update = db_->Prepare(
      "UPDATE tracks SET liked = 1, liked_position = ?, "
      "liked_added_at = CASE WHEN ? != '' THEN ? ELSE liked_added_at END WHERE id = ?");
  for (size_t position = 0; position < order.size(); ++position) {
    const auto& [id, added_at] = order[position];
    if (!current.Bind(id).Step()) continue;  // not staged as a track row (should not happen)
    bool unchanged = current.Int(0) == 1 && current.Int(1) == static_cast<int64_t>(position) &&
                     (added_at.empty() || current.Text(2) == added_at);
    if (unchanged) continue;
    if (!previous_ids.contains(id) && !first_time) {
      RecordChange(snapshot, "liked_added", id, description(id));
    }
    update.Bind(static_cast<int64_t>(position), added_at, added_at, id).Run();
  }
  DropStaged(*db_, "liked");
  SetMeta("liked_recorded", "1");
  transaction.Commit();
}

std::vector<StoredEntry> StateStore::LikedEntries() {
  Lock lock(mutex_);
  std::vector<StoredEntry> entries;
  sql::Statement statement = db_->Prepare(
      std::string("SELECT t.liked_position, COALESCE(t.liked_added_at, ''), ") + kTrackColumns +
      " FROM tracks t WHERE t.liked = 1 ORDER BY t.liked_position, t.id");
  while (statement.Step()) {
    StoredEntry entry;
    entry.position = static_cast<int>(statement.Int(0));
    entry.added_at = statement.Text(1);
    entry.track = ReadTrack(statement, 2);
    entries.push_back(std::move(entry));
  }
  return entries;
}

// ---------------------------------------------------------------------------------------
// saved albums, followed artists

void StateStore::StageAlbums(const std::string& scope, int offset,
                             const std::vector<SavedAlbum>& page, int next_offset, int total,
                             const std::string& version) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  std::vector<json> payloads;
  payloads.reserve(page.size());
  for (const SavedAlbum& saved : page) payloads.push_back(SavedAlbumJson(saved));
  StageObjects(*db_, scope, offset, payloads);
  SetProgressLocked(scope, version, next_offset, "", total, 0);
  transaction.Commit();
}

void StateStore::CommitAlbums(const std::string& scope, bool full) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  std::vector<json> order;
  std::unordered_set<std::string> staged_ids;
  {
    sql::Statement rows =
        db_->Prepare("SELECT payload FROM staged_objects WHERE scope = ? ORDER BY position");
    rows.Bind(scope);
    while (rows.Step()) {
      json album = ParseObject(rows.Text(0));
      std::string id = album.value("id", "");
      if (id.empty() || !staged_ids.insert(id).second) continue;
      order.push_back(std::move(album));
    }
  }
  if (!full) {
    // Incremental: the albums saved before keep their order below the new ones.
    sql::Statement rows = db_->Prepare(std::string("SELECT ") + kSavedAlbumColumns +
                                       " FROM saved_albums ORDER BY position, id");
    while (rows.Step()) {
      SavedAlbum saved = ReadSavedAlbum(rows);
      if (staged_ids.contains(saved.album.id)) continue;
      order.push_back(SavedAlbumJson(saved));
    }
  }
  db_->Exec("DELETE FROM saved_albums");
  sql::Statement insert = db_->Prepare(
      "INSERT OR IGNORE INTO saved_albums (id, name, artists, artist, release_date, upc, "
      "cover_url, total_tracks, added_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t position = 0; position < order.size(); ++position) {
    const json& album = order[position];
    std::vector<ArtistRef> artists = ArtistsFromJson(SafeDump(album.value("artists", json())));
    int64_t total_tracks = album.contains("total_tracks") && album["total_tracks"].is_number()
                               ? album["total_tracks"].get<int64_t>()
                               : 0;
    insert
        .Bind(album.value("id", ""), album.value("name", ""), SafeDump(ArtistsJson(artists)),
              JoinArtists(artists), album.value("release_date", ""), album.value("upc", ""),
              album.value("cover_url", ""), total_tracks, album.value("added_at", ""),
              static_cast<int64_t>(position))
        .Run();
  }
  DropStaged(*db_, scope);
  transaction.Commit();
}

bool StateStore::AllAlbumsKnown(const std::vector<SavedAlbum>& page) {
  Lock lock(mutex_);
  return AllSavedKnown(
      *db_, "SELECT 1 FROM saved_albums WHERE id = ? AND added_at = ?", page,
      [](const SavedAlbum& saved) -> const std::string& { return saved.album.id; });
}

int StateStore::SavedAlbumCount() {
  Lock lock(mutex_);
  return CountOf(*db_, "SELECT COUNT(*) FROM saved_albums");
}

std::vector<SavedAlbum> StateStore::SavedAlbums() {
  Lock lock(mutex_);
  std::vector<SavedAlbum> albums;
  sql::Statement rows = db_->Prepare(std::string("SELECT ") + kSavedAlbumColumns +
                                     " FROM saved_albums ORDER BY position, id");
  while (rows.Step()) albums.push_back(ReadSavedAlbum(rows));
  return albums;
}

void StateStore::StageArtists(const std::string& scope, int offset, const std::vector<Artist>& page,
                              const std::string& next_cursor, int total) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  std::vector<json> payloads;
  payloads.reserve(page.size());
  for (const Artist& artist : page) {
    json payload = {{"id", artist.id},
                    {"name", artist.name},
                    {"genres", artist.genres},
                    {"image_url", artist.image_url}};
    if (artist.popularity) payload["popularity"] = *artist.popularity;
    payloads.push_back(std::move(payload));
  }
  StageObjects(*db_, scope, offset, payloads);
  SetProgressLocked(scope, "", offset + static_cast<int>(page.size()), next_cursor, total, 0);
  transaction.Commit();
}

void StateStore::CommitArtists(const std::string& scope) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  db_->Exec("DELETE FROM followed_artists");
  sql::Statement rows = db_->Prepare(
      "SELECT position, payload FROM staged_objects WHERE scope = ? ORDER BY position");
  sql::Statement insert = db_->Prepare(
      "INSERT OR IGNORE INTO followed_artists (id, name, genres, popularity, image_url, position) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  rows.Bind(scope);
  while (rows.Step()) {
    json artist = ParseObject(rows.Text(1));
    std::string id = artist.value("id", "");
    if (id.empty()) continue;
    std::optional<int64_t> popularity;
    if (artist.contains("popularity") && artist["popularity"].is_number_integer()) {
      popularity = artist["popularity"].get<int64_t>();
    }
    json genres = artist.value("genres", json::array());
    insert
        .Bind(id, artist.value("name", ""), SafeDump(genres.is_array() ? genres : json::array()),
              popularity, artist.value("image_url", ""), rows.Int(0))
        .Run();
  }
  DropStaged(*db_, scope);
  transaction.Commit();
}

std::vector<Artist> StateStore::FollowedArtists() {
  Lock lock(mutex_);
  std::vector<Artist> artists;
  sql::Statement rows = db_->Prepare(
      "SELECT id, name, genres, popularity, image_url FROM followed_artists "
      "ORDER BY position, id");
  while (rows.Step()) {
    Artist artist;
    artist.id = rows.Text(0);
    artist.name = rows.Text(1);
    json genres = json::parse(rows.Text(2), nullptr, false);
    if (genres.is_array()) {
      for (const json& genre : genres) {
        if (genre.is_string()) artist.genres.push_back(genre.get<std::string>());
      }
    }
    if (!rows.IsNull(3)) artist.popularity = static_cast<int>(rows.Int(3));
    artist.image_url = rows.Text(4);
    artists.push_back(std::move(artist));
  }
  return artists;
}

// ---------------------------------------------------------------------------------------
// audio features

std::vector<std::string> StateStore::TracksWithoutAudioFeatures(int limit) {
  Lock lock(mutex_);
  sql::Statement statement =
      db_->Prepare(std::string("SELECT w.track_id FROM (") + kWantedSql +
                   ") w WHERE w.track_id NOT IN (SELECT track_id FROM audio_features) "
                   "ORDER BY w.track_id LIMIT ?");
  statement.Bind(limit > 0 ? limit : -1);
  return FirstColumn(statement);
}

std::vector<std::string> StateStore::TracksNeedingEnrichment(int limit) {
  Lock lock(mutex_);
  sql::Statement statement =
      db_->Prepare(std::string("SELECT t.id FROM tracks t WHERE t.id IN (") + kWantedSql +
                   ") AND (t.isrc = '' OR t.duration_ms = 0) AND t.enrich_attempted = 0 "
                   "ORDER BY t.id LIMIT ?");
  statement.Bind(limit > 0 ? limit : -1);
  return FirstColumn(statement);
}

void StateStore::MarkEnrichAttempted(const std::vector<std::string>& ids) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement update = db_->Prepare("UPDATE tracks SET enrich_attempted = 1 WHERE id = ?");
  for (const std::string& id : ids) update.Bind(id).Run();
  transaction.Commit();
}

void StateStore::SaveAudioFeatures(const std::vector<AudioFeatures>& features,
                                   const std::vector<std::string>& missing) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement insert = db_->Prepare(
      "INSERT OR REPLACE INTO audio_features (track_id, acousticness, danceability, energy, "
      "instrumentalness, liveness, loudness, speechiness, tempo, valence, key, mode, "
      "time_signature, fetched_at) "
      "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS "
      "(SELECT 1 FROM tracks WHERE id = ?)");
  std::string now = UtcNow();
  for (const AudioFeatures& f : features) {
    insert
        .Bind(f.track_id, f.acousticness, f.danceability, f.energy, f.instrumentalness, f.liveness,
              f.loudness, f.speechiness, f.tempo, f.valence, f.key, f.mode, f.time_signature, now,
              f.track_id)
        .Run();
  }
  sql::Statement none = db_->Prepare(
      "INSERT OR IGNORE INTO audio_features (track_id, fetched_at) SELECT ?, ? WHERE EXISTS "
      "(SELECT 1 FROM tracks WHERE id = ?)");
  for (const std::string& id : missing) none.Bind(id, now, id).Run();
  transaction.Commit();
}

std::optional<AudioFeatures> StateStore::GetAudioFeatures(const std::string& track_id) {
  Lock lock(mutex_);
  sql::Statement row = db_->Prepare(
      "SELECT acousticness, danceability, energy, instrumentalness, liveness, loudness, "
      "speechiness, tempo, valence, key, mode, time_signature FROM audio_features "
      "WHERE track_id = ? AND tempo IS NOT NULL");
  if (!row.Bind(track_id).Step()) return std::nullopt;
  AudioFeatures f;
  f.track_id = track_id;
  f.acousticness = row.Double(0);
  f.danceability = row.Double(1);
  f.energy = row.Double(2);
  f.instrumentalness = row.Double(3);
  f.liveness = row.Double(4);
  f.loudness = row.Double(5);
  f.speechiness = row.Double(6);
  f.tempo = row.Double(7);
  f.valence = row.Double(8);
  f.key = static_cast<int>(row.Int(9));
  f.mode = static_cast<int>(row.Int(10));
  f.time_signature = static_cast<int>(row.Int(11));
  return f;
}

// ---------------------------------------------------------------------------------------
// matches and overrides

void StateStore::SaveMatches(int64_t snapshot, const std::vector<MatchRecord>& matches) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  sql::Statement old =
      db_->Prepare("SELECT item_id, matched_snapshot FROM matches WHERE spotify_track_id = ?");
  sql::Statement exists = db_->Prepare("SELECT artist || ' - ' || name FROM tracks WHERE id = ?");
  sql::Statement upsert = db_->Prepare(
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
        RecordChange(snapshot, "newly_matched", match.spotify_track_id, description);
      } else if (snapshot && had_row && !match.item_id) {
        RecordChange(snapshot, "match_lost", match.spotify_track_id, description);
      }
    }
    upsert
        .Bind(match.spotify_track_id,
              match.item_id ? std::optional<int64_t>(match.item_id) : std::nullopt,
              match.item_id ? match.method : std::string("none"), match.confidence,
              match.runners_up_json.empty() ? std::string("[]") : match.runners_up_json,
              match.overridden, matched_snapshot, now,
              match.item_id              ? std::string("matched")
              : match.status == "review" ? std::string("review")
                                         : std::string("unmatched"))
        .Run();
  }
  transaction.Commit();
}

namespace {
MatchRecord ReadMatch(sql::Statement& row) {
  MatchRecord match;
  match.spotify_track_id = row.Text(0);
  match.item_id = row.IsNull(1) ? 0 : row.Int(1);
  match.method = row.Text(2);
  match.confidence = row.Double(3);
  match.runners_up_json = row.Text(4);
  match.overridden = row.Int(5) != 0;
  match.status = row.Text(6);
  return match;
}
constexpr const char* kMatchColumns =
    "spotify_track_id, item_id, method, confidence, runners_up, overridden, status";
}  // namespace

std::optional<MatchRecord> StateStore::GetMatch(const std::string& spotify_track_id) {
  Lock lock(mutex_);
  sql::Statement row = db_->Prepare(std::string("SELECT ") + kMatchColumns +
                                    " FROM matches WHERE spotify_track_id = ?");
  if (!row.Bind(spotify_track_id).Step()) return std::nullopt;
  return ReadMatch(row);
}

std::map<std::string, MatchRecord> StateStore::AllMatches() {
  Lock lock(mutex_);
  std::map<std::string, MatchRecord> matches;
  sql::Statement row = db_->Prepare(std::string("SELECT ") + kMatchColumns + " FROM matches");
  while (row.Step()) {
    MatchRecord match = ReadMatch(row);
    matches.emplace(match.spotify_track_id, std::move(match));
  }
  return matches;
}

std::optional<Override> StateStore::GetOverride(const std::string& spotify_track_id) {
  Lock lock(mutex_);
  sql::Statement row = db_->Prepare(
      "SELECT item_id, rejected, decided_at FROM overrides WHERE spotify_track_id = ?");
  if (!row.Bind(spotify_track_id).Step()) return std::nullopt;
  return Override{spotify_track_id, row.IsNull(0) ? 0 : row.Int(0), row.Int(1) != 0, row.Text(2)};
}

std::vector<Override> StateStore::ListOverrides() {
  Lock lock(mutex_);
  std::vector<Override> overrides;
  sql::Statement row = db_->Prepare(
      "SELECT spotify_track_id, item_id, rejected, decided_at FROM overrides "
      "ORDER BY spotify_track_id");
  while (row.Step()) {
    overrides.push_back(
        {row.Text(0), row.IsNull(1) ? 0 : row.Int(1), row.Int(2) != 0, row.Text(3)});
  }
  return overrides;
}

void StateStore::SetOverride(const std::string& spotify_track_id, int64_t item_id) {
  Lock lock(mutex_);
  if (item_id <= 0) throw StoreError("an override needs a beets item id");
  db_->Prepare(
         "INSERT INTO overrides (spotify_track_id, item_id, rejected, decided_at) "
         "VALUES (?, ?, 0, ?) ON CONFLICT(spotify_track_id) DO UPDATE SET "
         "item_id = excluded.item_id, rejected = 0, decided_at = excluded.decided_at")
      .Bind(spotify_track_id, item_id, UtcNow())
      .Run();
}

void StateStore::RejectMatch(const std::string& spotify_track_id, int64_t item_id) {
  Lock lock(mutex_);
  db_->Prepare(
         "INSERT INTO overrides (spotify_track_id, item_id, rejected, decided_at) "
         "VALUES (?, ?, 1, ?) ON CONFLICT(spotify_track_id) DO UPDATE SET "
         "item_id = excluded.item_id, rejected = 1, decided_at = excluded.decided_at")
      .Bind(spotify_track_id, item_id > 0 ? std::optional<int64_t>(item_id) : std::nullopt,
            UtcNow())
      .Run();
}

void StateStore::ClearOverride(const std::string& spotify_track_id) {
  Lock lock(mutex_);
  db_->Prepare("DELETE FROM overrides WHERE spotify_track_id = ?").Bind(spotify_track_id).Run();
}

// ---------------------------------------------------------------------------------------
// mirrored files

std::vector<MirroredFile> StateStore::MirroredFiles() {
  Lock lock(mutex_);
  std::vector<MirroredFile> files;
  sql::Statement row = db_->Prepare(
      "SELECT path, playlist_id, content_hash, written_at FROM mirrored_files ORDER BY path");
  while (row.Step()) files.push_back({row.Text(0), row.Text(1), row.Text(2), row.Text(3)});
  return files;
}

void StateStore::ReplaceMirroredFiles(const std::vector<MirroredFile>& files) {
  Lock lock(mutex_);
  sql::Transaction transaction(*db_);
  db_->Exec("DELETE FROM mirrored_files");
  sql::Statement insert = db_->Prepare(
      "INSERT OR REPLACE INTO mirrored_files (path, playlist_id, content_hash, written_at) "
      "VALUES (?, ?, ?, ?)");
  for (const MirroredFile& file : files) {
    insert
        .Bind(sql::Blob{file.path}, file.playlist_id, file.content_hash,
              file.written_at.empty() ? UtcNow() : file.written_at)
        .Run();
  }
  transaction.Commit();
}

// ---------------------------------------------------------------------------------------
// wishlist

WishlistSyncResult StateStore::SyncWishlist(int64_t snapshot) {
  Lock lock(mutex_);
  (void)snapshot;
  WishlistSyncResult result;
  sql::Transaction transaction(*db_);
  std::string now = UtcNow();
  // Wanted tracks without a match (or with a rejected one) get an entry.
  db_->Prepare(
         std::string("INSERT INTO wishlist (spotify_track_id, artist, title, album, isrc, "
                     "duration_ms, cover_url, spotify_url, status, source, added_at, updated_at) "
                     "SELECT t.id, t.artist, t.name, t.album, t.isrc, t.duration_ms, t.cover_url, "
                     "'https://open.spotify.com/track/' || t.id, 'pending', 'extract', ?, ? "
                     "FROM tracks t WHERE t.id IN (") +
         kWantedSql +
         ") AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.spotify_track_id = t.id "
         "AND (m.item_id IS NOT NULL OR m.status = 'review')) "
         "ON CONFLICT(spotify_track_id) DO NOTHING")
      .Bind(now, now)
      .Run();
  result.added = db_->Changes();
  // Metadata follows Spotify (a corrected title, an ISRC that appeared).
  db_->Exec(
      "UPDATE wishlist SET artist = t.artist, title = t.name, album = t.album, "
      "isrc = CASE WHEN t.isrc != '' THEN t.isrc ELSE wishlist.isrc END, "
      "duration_ms = CASE WHEN t.duration_ms > 0 THEN t.duration_ms ELSE wishlist.duration_ms "
      "END, cover_url = CASE WHEN t.cover_url != '' THEN t.cover_url ELSE wishlist.cover_url "
      "END FROM tracks t WHERE t.id = wishlist.spotify_track_id AND (wishlist.artist != t.artist "
      "OR wishlist.title != t.name OR wishlist.album != t.album OR (t.isrc != '' AND "
      "wishlist.isrc != t.isrc) OR (t.duration_ms > 0 AND wishlist.duration_ms != t.duration_ms) "
      "OR (t.cover_url != '' AND wishlist.cover_url != t.cover_url))");
  // Entries whose track is matched now close.
  db_->Prepare(
         "UPDATE wishlist SET status = 'imported', item_id = m.item_id, error = '', "
         "imported_at = COALESCE(wishlist.imported_at, ?), updated_at = ? "
         "FROM matches m WHERE m.spotify_track_id = wishlist.spotify_track_id "
         "AND m.item_id IS NOT NULL "
         "AND wishlist.status IN ('pending', 'failed', 'downloaded')")
      .Bind(now, now)
      .Run();
  result.closed = db_->Changes();
  // An imported entry whose match went away (item deleted from beets) is wanted again.
  db_->Prepare(std::string("UPDATE wishlist SET status = 'pending', item_id = NULL, "
                           "updated_at = ? WHERE status = 'imported' AND spotify_track_id IN (") +
               kWantedSql +
               ") AND spotify_track_id IN (SELECT spotify_track_id FROM matches "
               "WHERE item_id IS NULL)")
      .Bind(now)
      .Run();
  result.reopened = db_->Changes();
  // Pending entries that no playlist wants any more (the track left every playlist).
  db_->Exec(std::string("DELETE FROM wishlist WHERE status = 'pending' AND source = 'extract' "
                        "AND spotify_track_id NOT IN (") +
            kWantedSql + ")");
  result.dropped = db_->Changes();
  result.pending = CountOf(*db_, "SELECT COUNT(*) FROM wishlist WHERE status = 'pending'");
  transaction.Commit();
  return result;
}

constexpr const char* kWishlistColumns =
    "w.spotify_track_id, w.artist, w.title, w.album, w.isrc, w.duration_ms, w.cover_url, "
    "w.spotify_url, w.status, w.error, w.retries, w.file_path, w.item_id, w.source, "
    "w.requested_by, w.added_at, w.updated_at, COALESCE(w.downloaded_at, ''), "
    "COALESCE(w.imported_at, '')";

namespace {
WishlistEntry ReadWishlist(sql::Statement& row) {
  WishlistEntry entry;
  entry.spotify_track_id = row.Text(0);
  entry.artist = row.Text(1);
  entry.title = row.Text(2);
  entry.album = row.Text(3);
  entry.isrc = row.Text(4);
  entry.duration_ms = static_cast<int>(row.Int(5));
  entry.cover_url = row.Text(6);
  entry.spotify_url = row.Text(7);
  entry.status = row.Text(8);
  entry.error = row.Text(9);
  entry.retries = static_cast<int>(row.Int(10));
  entry.file_path = row.Text(11);
  entry.item_id = row.IsNull(12) ? 0 : row.Int(12);
  entry.source = row.Text(13);
  json requested = json::parse(row.Text(14), nullptr, false);
  if (requested.is_array()) {
    for (const json& item : requested) {
      if (item.is_string()) entry.requested_by.push_back(item.get<std::string>());
    }
  }
  entry.added_at = row.Text(15);
  entry.updated_at = row.Text(16);
  entry.downloaded_at = row.Text(17);
  entry.imported_at = row.Text(18);
  return entry;
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}
}  // namespace

std::string StateStore::WishlistWhere(const WishlistFilter& filter,
                                      std::vector<std::string>& params) {
  std::string where = " WHERE 1";
  if (!filter.statuses.empty()) {
    where += " AND w.status IN (";
    for (size_t i = 0; i < filter.statuses.size(); ++i) {
      if (!ValidWishlistStatus(filter.statuses[i])) {
        throw StoreError("unknown wishlist status '" + filter.statuses[i] +
                         "' (pending, downloading, downloaded, imported, failed, dismissed)");
      }
      where += i ? ", ?" : "?";
      params.push_back(filter.statuses[i]);
    }
    where += ")";
  }
  if (!filter.playlist.empty()) {
    where +=
        " AND (EXISTS (SELECT 1 FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
        "WHERE e.track_id = w.spotify_track_id AND p.removed = 0 AND (p.id = ? OR "
        "lower(p.name) = ?)) OR (? IN ('liked', 'liked songs') AND EXISTS (SELECT 1 FROM tracks t "
        "WHERE t.id = w.spotify_track_id AND t.liked = 1)) OR EXISTS (SELECT 1 FROM "
        "json_each(w.requested_by) r WHERE lower(r.value) = ?))";
    std::string lowered = Lower(filter.playlist);
    params.insert(params.end(), {filter.playlist, lowered, lowered, lowered});
  }
  if (!filter.text.empty()) {
    where +=
        " AND (instr(lower(w.artist), ?) > 0 OR instr(lower(w.title), ?) > 0 OR "
        "instr(lower(w.album), ?) > 0)";
    std::string lowered = Lower(filter.text);
    params.insert(params.end(), {lowered, lowered, lowered});
  }
  return where;
}

void StateStore::FillWantedBy(std::vector<WishlistEntry>& entries) {
  if (entries.empty()) return;
  std::unordered_map<std::string, WishlistEntry*> by_id;
  for (WishlistEntry& entry : entries) by_id[entry.spotify_track_id] = &entry;
  sql::Statement rows = db_->Prepare(
      "SELECT DISTINCT e.track_id, p.id, p.name, p.position FROM playlist_entries e "
      "JOIN playlists p ON p.id = e.playlist_id "
      "JOIN wishlist w ON w.spotify_track_id = e.track_id "
      "WHERE p.removed = 0 ORDER BY p.source, p.position, p.id");
  while (rows.Step()) {
    auto found = by_id.find(rows.Text(0));
    if (found == by_id.end()) continue;
    found->second->wanted_by.push_back({rows.Text(1), rows.Text(2)});
  }
  sql::Statement liked = db_->Prepare(
      "SELECT t.id FROM tracks t JOIN wishlist w ON w.spotify_track_id = t.id WHERE t.liked = 1");
  while (liked.Step()) {
    auto found = by_id.find(liked.Text(0));
    if (found != by_id.end()) found->second->wanted_by.push_back({"liked", "Liked Songs"});
  }
}

std::vector<WishlistEntry> StateStore::ListWishlist(const WishlistFilter& filter) {
  Lock lock(mutex_);
  std::vector<std::string> params;
  sql::Statement statement = db_->Prepare(
      std::string("SELECT ") + kWishlistColumns + " FROM wishlist w" +
      WishlistWhere(filter, params) +
      " ORDER BY lower(w.artist), lower(w.title), w.spotify_track_id LIMIT ? OFFSET ?");
  int index = 1;
  for (const std::string& param : params) statement.BindAt(index++, param);
  statement.BindAt(index++, static_cast<int64_t>(filter.limit > 0 ? filter.limit : -1));
  statement.BindAt(index++, static_cast<int64_t>(filter.offset > 0 ? filter.offset : 0));
  std::vector<WishlistEntry> entries;
  while (statement.Step()) entries.push_back(ReadWishlist(statement));
  FillWantedBy(entries);
  return entries;
}

int StateStore::CountWishlist(const WishlistFilter& filter) {
  Lock lock(mutex_);
  std::vector<std::string> params;
  sql::Statement statement =
      db_->Prepare("SELECT COUNT(*) FROM wishlist w" + WishlistWhere(filter, params));
  int index = 1;
  for (const std::string& param : params) statement.BindAt(index++, param);
  statement.Step();
  return static_cast<int>(statement.Int(0));
}

std::optional<WishlistEntry> StateStore::GetWishlistEntry(const std::string& spotify_track_id) {
  Lock lock(mutex_);
  sql::Statement row = db_->Prepare(std::string("SELECT ") + kWishlistColumns +
                                    " FROM wishlist w WHERE w.spotify_track_id = ?");
  if (!row.Bind(spotify_track_id).Step()) return std::nullopt;
  std::vector<WishlistEntry> entries{ReadWishlist(row)};
  FillWantedBy(entries);
  return entries.front();
}

bool StateStore::AddWishlistEntry(const WishlistEntry& entry) {
  Lock lock(mutex_);
  if (entry.spotify_track_id.empty()) throw StoreError("a wishlist entry needs an id");
  sql::Transaction transaction(*db_);
  std::string now = UtcNow();
  json requested = json::array();
  for (const std::string& item : entry.requested_by) requested.push_back(item);
  db_->Prepare(
         "INSERT INTO wishlist (spotify_track_id, artist, title, album, isrc, "
         "duration_ms, cover_url, spotify_url, status, source, requested_by, added_at, "
         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) "
         "ON CONFLICT(spotify_track_id) DO NOTHING")
      .Bind(entry.spotify_track_id, entry.artist, entry.title, entry.album, entry.isrc,
            entry.duration_ms, entry.cover_url,
            entry.spotify_url.empty() && LooksLikeSpotifyId(entry.spotify_track_id)
                ? "https://open.spotify.com/track/" + entry.spotify_track_id
                : entry.spotify_url,
            entry.source.empty() ? std::string("manual") : entry.source, SafeDump(requested), now,
            now)
      .Run();
  bool added = db_->Changes() > 0;
  if (!added) {
    // Asked for again: a dismissed entry comes back, and the request is remembered.
    sql::Statement current =
        db_->Prepare("SELECT requested_by FROM wishlist WHERE spotify_track_id = ?");
    current.Bind(entry.spotify_track_id).Step();
    json merged = json::parse(current.Text(0), nullptr, false);
    if (!merged.is_array()) merged = json::array();
    for (const std::string& item : entry.requested_by) {
      if (std::find(merged.begin(), merged.end(), item) == merged.end()) merged.push_back(item);
    }
    db_->Prepare(
           "UPDATE wishlist SET requested_by = ?, updated_at = ?, status = CASE "
           "WHEN status = 'dismissed' THEN 'pending' ELSE status END "
           "WHERE spotify_track_id = ?")
        .Bind(SafeDump(merged), now, entry.spotify_track_id)
        .Run();
  }
  transaction.Commit();
  return added;
}

void StateStore::SetWishlistStatus(const std::string& spotify_track_id, const std::string& status,
                                   const std::string& error, const std::string& file_path,
                                   int64_t item_id) {
  Lock lock(mutex_);
  if (!ValidWishlistStatus(status)) {
    throw StoreError("unknown wishlist status '" + status +
                     "' (pending, downloading, downloaded, imported, failed, dismissed)");
  }
  std::string now = UtcNow();
  sql::Statement update = db_->Prepare(
      "UPDATE wishlist SET status = ?1, updated_at = ?2, "
      "error = CASE WHEN ?1 = 'failed' THEN ?3 WHEN ?1 IN ('pending', 'downloading') "
      "THEN error ELSE '' END, "
      "retries = retries + (CASE WHEN ?1 = 'failed' THEN 1 ELSE 0 END), "
      "file_path = CASE WHEN length(?4) > 0 THEN ?4 ELSE file_path END, "
      "item_id = CASE WHEN ?5 > 0 THEN ?5 ELSE item_id END, "
      "downloaded_at = CASE WHEN ?1 = 'downloaded' THEN ?2 ELSE downloaded_at END, "
      "imported_at = CASE WHEN ?1 = 'imported' THEN ?2 ELSE imported_at END "
      "WHERE spotify_track_id = ?6");
  update.Bind(status, now, error, sql::Blob{file_path}, item_id, spotify_track_id).Run();
  if (db_->Changes() == 0) {
    throw StoreError("no wishlist entry for " + spotify_track_id);
  }
}

void StateStore::DismissWishlistEntry(const std::string& spotify_track_id) {
  SetWishlistStatus(spotify_track_id, "dismissed");
}

void StateStore::RestoreWishlistEntry(const std::string& spotify_track_id) {
  SetWishlistStatus(spotify_track_id, "pending");
}

int StateStore::RetryWishlist(const std::string& spotify_track_id) {
  Lock lock(mutex_);
  db_->Prepare(
         "UPDATE wishlist SET status = 'pending', updated_at = ? "
         "WHERE status = 'failed' AND (? = '' OR spotify_track_id = ?)")
      .Bind(UtcNow(), spotify_track_id, spotify_track_id)
      .Run();
  return db_->Changes();
}

int StateStore::ResetInterruptedDownloads() {
  Lock lock(mutex_);
  db_->Prepare(
         "UPDATE wishlist SET status = 'pending', updated_at = ? "
         "WHERE status = 'downloading'")
      .Bind(UtcNow())
      .Run();
  return db_->Changes();
}

WishlistStats StateStore::GetWishlistStats() {
  Lock lock(mutex_);
  WishlistStats stats;
  for (const char* status : kWishlistStatuses) stats.by_status[status] = 0;
  sql::Statement rows =
      db_->Prepare("SELECT status, COUNT(*), SUM(retries) FROM wishlist GROUP BY status");
  while (rows.Step()) {
    int count = static_cast<int>(rows.Int(1));
    stats.by_status[rows.Text(0)] = count;
    stats.total += count;
    stats.failed_attempts += static_cast<int>(rows.Int(2));
  }
  std::string week_ago = UtcSecondsAgo(7 * 24 * 3600);
  sql::Statement week = db_->Prepare(
      "SELECT (SELECT COUNT(*) FROM wishlist WHERE downloaded_at >= ?), "
      "(SELECT COUNT(*) FROM wishlist WHERE imported_at >= ?)");
  week.Bind(week_ago, week_ago).Step();
  stats.downloaded_last_week = static_cast<int>(week.Int(0));
  stats.imported_last_week = static_cast<int>(week.Int(1));
  return stats;
}

std::vector<PlaylistRef> StateStore::WantedBy(const std::string& spotify_track_id) {
  Lock lock(mutex_);
  std::vector<PlaylistRef> playlists;
  sql::Statement rows = db_->Prepare(
      "SELECT DISTINCT p.id, p.name, p.source, p.position FROM playlist_entries e "
      "JOIN playlists p ON p.id = e.playlist_id "
      "WHERE e.track_id = ? AND p.removed = 0 ORDER BY p.source, p.position, p.id");
  rows.Bind(spotify_track_id);
  while (rows.Step()) playlists.push_back({rows.Text(0), rows.Text(1)});
  sql::Statement liked = db_->Prepare("SELECT 1 FROM tracks WHERE id = ? AND liked = 1");
  if (liked.Bind(spotify_track_id).Step()) playlists.push_back({"liked", "Liked Songs"});
  return playlists;
}

// ---------------------------------------------------------------------------------------
// reporting

SummaryCounts StateStore::Summary() {
  Lock lock(mutex_);
  SummaryCounts counts;
  auto scalar = [&](const std::string& query) { return CountOf(*db_, query); };
  counts.tracks = scalar(std::string("SELECT COUNT(*) FROM (") + kWantedSql + ")");
  sql::Statement methods = db_->Prepare(
      std::string("SELECT m.method, COUNT(*) FROM matches m WHERE m.item_id IS NOT NULL "
                  "AND m.spotify_track_id IN (") +
      kWantedSql + ") GROUP BY m.method ORDER BY m.method");
  while (methods.Step()) {
    int count = static_cast<int>(methods.Int(1));
    counts.matched_by_method[methods.Text(0)] = count;
    counts.matched += count;
  }
  counts.review = scalar(std::string("SELECT COUNT(*) FROM matches WHERE status = 'review' "
                                     "AND spotify_track_id IN (") +
                         kWantedSql + ")");
  // Missing: wanted, without a match and not waiting for review; counted by the status of
  // the track's wishlist entry, so the summary's numbers add up.
  sql::Statement missing = db_->Prepare(
      std::string("SELECT COALESCE(w.status, ''), COUNT(*) FROM (") + kWantedSql +
      ") t LEFT JOIN wishlist w ON w.spotify_track_id = t.track_id WHERE NOT EXISTS (SELECT "
      "1 FROM matches m WHERE m.spotify_track_id = t.track_id AND (m.item_id IS NOT NULL OR "
      "m.status = 'review')) GROUP BY 1");
  while (missing.Step()) {
    int count = static_cast<int>(missing.Int(1));
    counts.missing_by_status[missing.Text(0)] = count;
    counts.missing += count;
  }
  counts.playlists = scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0");
  counts.playlists_readable =
      scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0 AND access = 'readable'");
  counts.playlists_not_shared =
      scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0 AND access = 'not_shared'");
  counts.playlists_unavailable =
      scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0 AND access = 'unavailable'");
  counts.playlist_entries = scalar(
      "SELECT COUNT(*) FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
      "WHERE p.removed = 0");
  counts.local_files = scalar(
      "SELECT COUNT(*) FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
      "WHERE p.removed = 0 AND e.kind = 'local'");
  counts.episodes = scalar(
      "SELECT COUNT(*) FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
      "WHERE p.removed = 0 AND e.kind = 'episode'");
  counts.liked = scalar("SELECT COUNT(*) FROM tracks WHERE liked = 1");
  counts.saved_albums = scalar("SELECT COUNT(*) FROM saved_albums");
  counts.followed_artists = scalar("SELECT COUNT(*) FROM followed_artists");
  counts.audio_features = scalar("SELECT COUNT(*) FROM audio_features WHERE tempo IS NOT NULL");
  counts.wishlist_pending = counts.missing_by_status["pending"];
  counts.wishlist_others = scalar(
      std::string("SELECT COUNT(*) FROM wishlist WHERE status NOT IN ('imported', 'dismissed') "
                  "AND spotify_track_id NOT IN (") +
      kWantedSql + ")");
  return counts;
}

}  // namespace spotify_extract
