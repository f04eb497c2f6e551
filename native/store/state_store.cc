#include "store/state_store.h"

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

bool IsTrackEntry(const PlaylistEntry& entry) {
  return (entry.kind == EntryKind::kTrack || entry.kind == EntryKind::kUnavailable) &&
         !entry.track.id.empty();
}

// The database file, its directory created when missing.
std::unique_ptr<sql::Connection> OpenDatabase(const std::string& path,
                                              std::chrono::milliseconds busy_timeout) {
  std::error_code error;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, error)) {
    std::filesystem::create_directories(parent, error);
    if (error) {
      throw StoreError("cannot create the state directory " + parent.string() + ": " +
                       error.message());
    }
  }
  return std::make_unique<sql::Connection>(path, busy_timeout);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// StateStore: opening and migrations

StateStore::StateStore(const std::string& path) : StateStore(path, Options()) {}

StateStore::StateStore(const std::string& path, Options options)
    : path_(path),
      db_(OpenDatabase(path, options.busy_timeout)),
      matches_(SharedConnection{*db_, mutex_}),
      saved_(SharedConnection{*db_, mutex_}),
      wishlist_(SharedConnection{*db_, mutex_}),
      releases_(SharedConnection{*db_, mutex_}) {
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
  return spotify_extract::GetMeta(*db_, key);
}

void StateStore::SetMeta(const std::string& key, const std::string& value) {
  Lock lock(mutex_);
  spotify_extract::SetMeta(*db_, key, value);
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
        if (!before.contains(id)) RecordChange(*db_, snapshot, "track_added", id, description(id));
      }
      for (const std::string& id : before) {
        if (!now.contains(id)) RecordChange(*db_, snapshot, "track_removed", id, description(id));
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
        RecordChange(*db_, snapshot, "playlist_added", playlist.id, playlist.name);
      } else if (old_name != playlist.name) {
        RecordChange(*db_, snapshot, "playlist_renamed", playlist.id,
                     SafeDump({{"from", old_name}, {"to", playlist.name}}));
      }
    } else {
      RecordChange(*db_, snapshot, "playlist_added", playlist.id, playlist.name);
    }
    existing.Bind(playlist.id);  // reset
    upsert
        .Bind(playlist.id, playlist.name, playlist.description, playlist.owner_id,
              playlist.owner_name, playlist.snapshot_id, playlist.image_url, playlist.collaborative,
              playlist.is_public, playlist.total_entries, offset + static_cast<int>(i), snapshot,
              snapshot, now)
        .Run();
  }
  SetFetchProgress(*db_, "playlists", "", next_offset, "", total, snapshot);
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
      RecordChange(*db_, snapshot, "playlist_removed", gone.Text(0), gone.Text(1));
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
      RecordChange(*db_, snapshot, "playlist_added", playlist.id, playlist.name);
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
  SetFetchProgress(*db_, scope, version, next_offset, "", total, snapshot);
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
      RecordChange(*db_, snapshot, "playlist_changed", playlist_id,
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
// audio features

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
