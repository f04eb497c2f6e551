#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "store/catalog_store.h"
#include "store/match_store.h"
#include "store/mirrored_file_store.h"
#include "store/release_store.h"
#include "store/rows.h"
#include "store/saved_library_store.h"
#include "store/snapshot_store.h"
#include "store/sqlite_db.h"
#include "store/summary.h"
#include "store/wishlist_store.h"

// The plugin's own state database, `spotify_extract.db` in state_dir: what was fetched
// from Spotify, how it matched, the wishlist and the files the mirror owns. SQLite in WAL
// mode with a busy timeout and foreign keys; the schema is a list of numbered migrations.
// Every method is one transaction and is safe to call from several threads.

namespace spotify_extract {

inline constexpr const char* kStateDatabaseName = "spotify_extract.db";

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
  SnapshotStore& snapshots() { return snapshots_; }
  CatalogStore& catalog() { return catalog_; }
  MirroredFileStore& mirrored_files() { return mirrored_files_; }
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

  // Calls of any part made while a Batch is alive (from its thread) are one transaction:
  // every page they touch is written once, not once per call. Not committed, or a call in
  // it failed: all of it is rolled back (Commit then throws).
  class Batch {
   public:
    explicit Batch(StateStore& store) : lock_(store.mutex_), transaction_(*store.db_) {}
    void Commit() { transaction_.Commit(); }

   private:
    StoreLock lock_;
    sql::Transaction transaction_;
  };

  // -- reporting ----------------------------------------------------------------------
  // What a run ends with, across every part.
  SummaryCounts Summary();

 private:
  void Migrate();

  std::string path_;
  std::recursive_mutex mutex_;
  std::unique_ptr<sql::Connection> db_;
  SnapshotStore snapshots_;
  CatalogStore catalog_;
  MirroredFileStore mirrored_files_;
  MatchStore matches_;
  SavedLibraryStore saved_;
  WishlistStore wishlist_;
  ReleaseStore releases_;
};

}  // namespace spotify_extract
