#include "store/playlist_write_store.h"

namespace spotify_extract {

namespace {

constexpr const char* kCreatedColumns =
    "playlist_id, target, name, snapshot_id, item_count, items_digest, created_at, updated_at, "
    "gone";

CreatedPlaylist ReadCreated(sql::Statement& row) {
  CreatedPlaylist created;
  created.playlist_id = row.Text(0);
  created.target = row.Text(1);
  created.name = row.Text(2);
  created.snapshot_id = row.Text(3);
  created.item_count = static_cast<int>(row.Int(4));
  created.items_digest = row.Text(5);
  created.created_at = row.Text(6);
  created.updated_at = row.Text(7);
  created.gone = row.Int(8) != 0;
  return created;
}

constexpr const char* kWriteColumns =
    "target, playlist_id, create_tag, items_digest, item_count, batches_done, items_done, "
    "snapshot_id, started_at, updated_at";

PlaylistWrite ReadWrite(sql::Statement& row) {
  PlaylistWrite write;
  write.target = row.Text(0);
  write.playlist_id = row.IsNull(1) ? "" : row.Text(1);
  write.create_tag = row.Text(2);
  write.items_digest = row.Text(3);
  write.item_count = static_cast<int>(row.Int(4));
  write.batches_done = static_cast<int>(row.Int(5));
  write.items_done = static_cast<int>(row.Int(6));
  write.snapshot_id = row.Text(7);
  write.started_at = row.Text(8);
  write.updated_at = row.Text(9);
  return write;
}

std::optional<PlaylistWrite> GetWriteLocked(sql::Connection& db, const std::string& target) {
  sql::Statement row =
      db.Prepare(std::string("SELECT ") + kWriteColumns + " FROM playlist_writes WHERE target = ?");
  return ReadFirstRow(row.Bind(target), ReadWrite);
}

}  // namespace

std::optional<CreatedPlaylist> PlaylistWriteStore::CreatedFor(const std::string& target) {
  StoreLock lock(shared_.mutex);
  sql::Statement row = shared_.db.Prepare(std::string("SELECT ") + kCreatedColumns +
                                          " FROM created_playlists WHERE target = ? AND gone = 0 "
                                          "ORDER BY created_at DESC, rowid DESC LIMIT 1");
  return ReadFirstRow(row.Bind(target), ReadCreated);
}

bool PlaylistWriteStore::IsCreated(const std::string& playlist_id) {
  StoreLock lock(shared_.mutex);
  sql::Statement row = shared_.db.Prepare("SELECT 1 FROM created_playlists WHERE playlist_id = ?");
  return row.Bind(playlist_id).Step();
}

std::vector<CreatedPlaylist> PlaylistWriteStore::ListCreated() {
  StoreLock lock(shared_.mutex);
  sql::Statement rows = shared_.db.Prepare(std::string("SELECT ") + kCreatedColumns +
                                           " FROM created_playlists ORDER BY created_at, rowid");
  return ReadRows(rows, ReadCreated);
}

void PlaylistWriteStore::RecordCreated(const std::string& playlist_id, const std::string& target,
                                       const std::string& name, const std::string& snapshot_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  std::string now = UtcNow();
  db.Prepare(
        "INSERT INTO created_playlists (playlist_id, target, name, snapshot_id, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(playlist_id) DO UPDATE SET "
        "target = excluded.target, name = excluded.name, gone = 0, "
        "updated_at = excluded.updated_at")
      .Bind(playlist_id, target, name, snapshot_id, now, now)
      .Run();
  db.Prepare(
        "UPDATE playlist_writes SET playlist_id = ?, snapshot_id = ?, updated_at = ? "
        "WHERE target = ?")
      .Bind(playlist_id, snapshot_id, now, target)
      .Run();
  transaction.Commit();
}

void PlaylistWriteStore::MarkGone(const std::string& playlist_id) {
  StoreLock lock(shared_.mutex);
  shared_.db.Prepare("UPDATE created_playlists SET gone = 1, updated_at = ? WHERE playlist_id = ?")
      .Bind(UtcNow(), playlist_id)
      .Run();
}

std::optional<PlaylistWrite> PlaylistWriteStore::GetWrite(const std::string& target) {
  StoreLock lock(shared_.mutex);
  return GetWriteLocked(shared_.db, target);
}

PlaylistWrite PlaylistWriteStore::BeginWrite(const std::string& target,
                                             const std::string& playlist_id,
                                             const std::string& create_tag,
                                             const std::string& items_digest, int item_count) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  std::string now = UtcNow();
  std::optional<std::string> id;
  if (!playlist_id.empty()) id = playlist_id;
  db.Prepare(
        "INSERT OR REPLACE INTO playlist_writes (target, playlist_id, create_tag, items_digest, "
        "item_count, batches_done, items_done, snapshot_id, started_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 0, 0, '', ?, ?)")
      .Bind(target, id, create_tag, items_digest, item_count, now, now)
      .Run();
  return *GetWriteLocked(db, target);
}

void PlaylistWriteStore::Checkpoint(const std::string& target, int items_done,
                                    const std::string& snapshot_id, bool batch_written) {
  StoreLock lock(shared_.mutex);
  shared_.db
      .Prepare(
          "UPDATE playlist_writes SET items_done = ?, snapshot_id = ?, "
          "batches_done = batches_done + ?, updated_at = ? WHERE target = ?")
      .Bind(items_done, snapshot_id, batch_written ? 1 : 0, UtcNow(), target)
      .Run();
}

void PlaylistWriteStore::FinishWrite(const std::string& target, const std::string& snapshot_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  std::optional<PlaylistWrite> write = GetWriteLocked(db, target);
  if (!write) return;
  if (!write->playlist_id.empty()) {
    db.Prepare(
          "UPDATE created_playlists SET snapshot_id = ?, item_count = ?, items_digest = ?, "
          "updated_at = ? WHERE playlist_id = ?")
        .Bind(snapshot_id, write->item_count, write->items_digest, UtcNow(), write->playlist_id)
        .Run();
  }
  db.Prepare("DELETE FROM playlist_writes WHERE target = ?").Bind(target).Run();
  transaction.Commit();
}

}  // namespace spotify_extract
