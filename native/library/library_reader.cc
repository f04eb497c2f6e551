#include "library/library_reader.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace spotify_extract {
namespace {

constexpr std::string_view kMultiValueDelimiter = "\\\xE2\x90\x80";  // "\␀"

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, SqliteCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// SQLite URIs treat '?', '#' and '%' specially; everything else may stay as is.
std::string FileUri(const std::string& path) {
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '?' || c == '#' || c == '%') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xF];
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + "?mode=ro";
}

class LibraryDatabase {
 public:
  LibraryDatabase(const std::string& path, std::chrono::milliseconds busy_timeout) : path_(path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      throw LibraryError("beets library not found: " + path);
    }
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(FileUri(path).c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                             nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) Fail("cannot open", rc);
    sqlite3_busy_timeout(db_.get(), static_cast<int>(busy_timeout.count()));
  }

  Statement Prepare(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
    Statement statement(raw);
    if (rc != SQLITE_OK) Fail("cannot read", rc);
    return statement;
  }

  // Returns false when the statement is done; throws on any error.
  bool Step(sqlite3_stmt* statement) {
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail("cannot read", rc);
  }

  [[noreturn]] void Fail(const char* what, int rc) {
    std::string reason;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      reason = "the database stayed locked by another process (is beets importing?); try again";
    } else if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
      reason = "the file is not a valid SQLite database (corrupt?)";
    } else {
      reason = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    }
    throw LibraryError(std::string(what) + " beets library " + path_ + ": " + reason);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Database db_;
};

std::string ColumnBytes(sqlite3_stmt* statement, int column) {
  // Blob and text alike: take the bytes as stored, never re-encoded.
  const void* data = sqlite3_column_blob(statement, column);
  int size = sqlite3_column_bytes(statement, column);
  return data ? std::string(static_cast<const char*>(data), size) : std::string();
}

std::unordered_set<std::string> ItemColumns(LibraryDatabase& db) {
  std::unordered_set<std::string> columns;
  Statement info = db.Prepare("PRAGMA table_info(items)");
  while (db.Step(info.get())) {
    columns.insert(reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 1)));
  }
  if (columns.empty()) {
    throw LibraryError("not a beets library (no items table): " + db.path());
  }
  for (const char* required : {"id", "path"}) {
    if (!columns.contains(required)) {
      throw LibraryError("not a beets library (items has no " + std::string(required) +
                         " column): " + db.path());
    }
  }
  return columns;
}

bool HasTable(LibraryDatabase& db, const char* name) {
  Statement statement = db.Prepare(
      std::string("SELECT 1 FROM sqlite_master WHERE type='table' AND name='") + name + "'");
  return db.Step(statement.get());
}

}  // namespace

std::vector<std::string> SplitMultiValue(std::string_view value) {
  std::vector<std::string> parts;
  if (value.empty()) return parts;
  std::string_view delimiter = kMultiValueDelimiter;
  if (value.find(delimiter) == std::string_view::npos) delimiter = "; ";
  size_t start = 0;
  while (true) {
    size_t end = value.find(delimiter, start);
    std::string_view part = value.substr(start, end - start);
    if (!part.empty()) parts.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + delimiter.size();
  }
  return parts;
}

std::string ResolveLibraryPath(std::string_view stored, std::string_view music_dir) {
  if (stored.empty() || stored.front() == '/' || music_dir.empty()) return std::string(stored);
  std::string resolved(music_dir);
  if (resolved.back() != '/') resolved += '/';
  resolved += stored;
  return resolved;
}

std::vector<LibraryItem> ReadLibrary(const std::string& db_path,
                                     const LibraryReadOptions& options) {
  LibraryDatabase db(db_path, options.busy_timeout);
  const std::unordered_set<std::string> columns = ItemColumns(db);

  // Every field is optional except id and path; absent columns read as NULL.
  enum Field {
    kId,
    kPath,
    kTitle,
    kArtist,
    kArtists,
    kAlbum,
    kAlbumArtist,
    kLength,
    kTrack,
    kDisc,
    kYear,
    kIsrc,
    kMbTrackId,
    kBpm,
    kInitialKey,
    kMtime,
    kFieldCount
  };
  static constexpr const char* kColumnNames[kFieldCount] = {
      "id",    "path", "title", "artist", "artists",    "album", "albumartist", "length",
      "track", "disc", "year",  "isrc",   "mb_trackid", "bpm",   "initial_key", "mtime"};
  std::string sql = "SELECT ";
  for (int field = 0; field < kFieldCount; ++field) {
    if (field) sql += ", ";
    sql += columns.contains(kColumnNames[field]) ? std::string("\"") + kColumnNames[field] + "\""
                                                 : std::string("NULL");
  }
  sql += " FROM items ORDER BY id";

  std::vector<LibraryItem> items;
  std::unordered_map<int64_t, size_t> index_by_id;
  Statement rows = db.Prepare(sql);
  while (db.Step(rows.get())) {
    sqlite3_stmt* row = rows.get();
    LibraryItem& item = items.emplace_back();
    item.id = sqlite3_column_int64(row, kId);
    item.path = ResolveLibraryPath(ColumnBytes(row, kPath), options.music_dir);
    item.title = ColumnBytes(row, kTitle);
    item.artist = ColumnBytes(row, kArtist);
    item.artists = SplitMultiValue(ColumnBytes(row, kArtists));
    item.album = ColumnBytes(row, kAlbum);
    item.albumartist = ColumnBytes(row, kAlbumArtist);
    item.length = sqlite3_column_double(row, kLength);
    item.track = sqlite3_column_int(row, kTrack);
    item.disc = sqlite3_column_int(row, kDisc);
    item.year = sqlite3_column_int(row, kYear);
    item.isrc = ColumnBytes(row, kIsrc);
    item.mb_trackid = ColumnBytes(row, kMbTrackId);
    item.bpm = sqlite3_column_int(row, kBpm);
    item.initial_key = ColumnBytes(row, kInitialKey);
    item.mtime = sqlite3_column_double(row, kMtime);
    index_by_id.emplace(item.id, items.size() - 1);
  }

  if (HasTable(db, "item_attributes")) {
    Statement flex = db.Prepare(
        "SELECT entity_id, key, value FROM item_attributes "
        "WHERE key IN ('spotify_track_id', 'data_source')");
    while (db.Step(flex.get())) {
      auto found = index_by_id.find(sqlite3_column_int64(flex.get(), 0));
      if (found == index_by_id.end()) continue;
      LibraryItem& item = items[found->second];
      std::string key = ColumnBytes(flex.get(), 1);
      (key == "data_source" ? item.data_source : item.spotify_track_id) =
          ColumnBytes(flex.get(), 2);
    }
  }
  return items;
}

}  // namespace spotify_extract
