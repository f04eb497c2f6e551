#include "store/state_store.h"

#include <filesystem>

#include "store/migrations.h"

namespace spotify_extract {

using Lock = std::lock_guard<std::recursive_mutex>;

namespace {

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
      snapshots_(SharedConnection{*db_, mutex_}),
      catalog_(SharedConnection{*db_, mutex_}),
      mirrored_files_(SharedConnection{*db_, mutex_}),
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

SummaryCounts StateStore::Summary() { return ReadSummary(SharedConnection{*db_, mutex_}); }

}  // namespace spotify_extract
