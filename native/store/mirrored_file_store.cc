#include "store/mirrored_file_store.h"

namespace spotify_extract {

std::vector<MirroredFile> MirroredFileStore::All() {
  StoreLock lock(shared_.mutex);
  std::vector<MirroredFile> files;
  sql::Statement row = shared_.db.Prepare(
      "SELECT path, playlist_id, content_hash, written_at FROM mirrored_files ORDER BY path");
  while (row.Step()) files.push_back({row.Text(0), row.Text(1), row.Text(2), row.Text(3)});
  return files;
}

void MirroredFileStore::Replace(const std::vector<MirroredFile>& files) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  db.Exec("DELETE FROM mirrored_files");
  sql::Statement insert = db.Prepare(
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

}  // namespace spotify_extract
