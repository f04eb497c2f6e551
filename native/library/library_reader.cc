#include "library/library_reader.h"

#include <sqlite3.h>

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
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

// A read-only SQLite URI for a file path (bytes kept as they are). '?', '#' and '%' are
// escaped; an absolute path gets an empty authority ("file:///..."), so a path starting
// with "//" is not taken for a host name.
std::string FileUri(const std::string& path) {
  std::string uri = path.starts_with('/') ? "file://" : "file:";
  uri.reserve(uri.size() + path.size() + 16);
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
  LibraryDatabase(const std::string& path, std::chrono::milliseconds busy_timeout)
      : path_(path), busy_timeout_(busy_timeout) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) {
      throw LibraryError("beets library not found: " + path);
    }
    if (!std::filesystem::is_regular_file(status)) {
      throw LibraryError("beets library is not a file: " + path);
    }
    if (std::filesystem::file_size(path, error) == 0 && !error) {
      throw LibraryError("beets library is empty (0 bytes), not a beets database: " + path);
    }
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(FileUri(path).c_str(), &raw,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) Fail("cannot open", rc);
    sqlite3_busy_timeout(db_.get(), static_cast<int>(busy_timeout.count()));
    sqlite3_extended_result_codes(db_.get(), 1);
  }

  Statement Prepare(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    Statement statement(raw);
    if (rc != SQLITE_OK) Fail("cannot read", rc);
    return statement;
  }

  void Execute(std::string_view sql) {
    Statement statement = Prepare(sql);
    while (Step(statement.get())) {
    }
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
    switch (rc & 0xFF) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        reason = "the database stayed locked by another process for " +
                 std::to_string(busy_timeout_.count()) +
                 " ms (is beets importing or writing?); try again later";
        break;
      case SQLITE_NOTADB:
        reason = "the file is not an SQLite database (corrupt, or not a beets library)";
        break;
      case SQLITE_CORRUPT:
        reason = "the database file is corrupt (run `sqlite3 FILE .recover` or restore a backup)";
        break;
      case SQLITE_CANTOPEN:
        reason = "cannot open the file (permissions?)";
        break;
      default:
        reason = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    }
    throw LibraryError(std::string(what) + " beets library " + path_ + ": " + reason);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::chrono::milliseconds busy_timeout_;
  Database db_;
};

// The bytes of a column as stored (BLOB or TEXT alike, never re-encoded). The view is
// valid until the next step of the statement.
std::string_view ColumnView(sqlite3_stmt* statement, int column) {
  const void* data = sqlite3_column_blob(statement, column);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data),
          static_cast<size_t>(sqlite3_column_bytes(statement, column))};
}

std::unordered_set<std::string> ItemColumns(LibraryDatabase& db) {
  std::unordered_set<std::string> columns;
  Statement info = db.Prepare("PRAGMA table_info(items)");
  while (db.Step(info.get())) {
    columns.emplace(ColumnView(info.get(), 1));
  }
  if (columns.empty()) {
    throw LibraryError("not a beets library (it has no items table): " + db.path());
  }
  for (const char* required : {"id", "path"}) {
    if (!columns.contains(required)) {
      throw LibraryError("not a beets library (its items table has no " + std::string(required) +
                         " column): " + db.path());
    }
  }
  return columns;
}

bool HasTable(LibraryDatabase& db, std::string_view name) {
  Statement statement = db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  sqlite3_bind_text(statement.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  return db.Step(statement.get());
}

// True when `path` has a segment that beets' normpath would rewrite ("", "." or "..").
bool NeedsNormalizing(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == ".." || (segment.empty() && end < path.size())) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// Ends a read transaction however the load ends.
class ReadTransaction {
 public:
  explicit ReadTransaction(LibraryDatabase& db) : db_(db) { db_.Execute("BEGIN"); }
  ~ReadTransaction() {
    try {
      db_.Execute("COMMIT");
    } catch (const LibraryError&) {  // a read-only transaction has nothing to lose
    }
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  LibraryDatabase& db_;
};

}  // namespace

std::vector<std::string> SplitMultiValue(std::string_view value) {
  std::vector<std::string> parts;
  SplitMultiValueInto(value, parts);
  return parts;
}

void SplitMultiValueInto(std::string_view value, std::vector<std::string>& parts) {
  parts.clear();
  if (value.empty()) return;
  std::string_view delimiter = kMultiValueDelimiter;
  size_t end = value.find(delimiter);
  if (end == std::string_view::npos) {
    delimiter = "; ";
    end = value.find(delimiter);
  }
  if (end == std::string_view::npos) {  // the common case: one value
    parts.emplace_back(value);
    return;
  }
  size_t start = 0;
  while (true) {
    std::string_view part = value.substr(start, end - start);
    if (!part.empty()) parts.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + delimiter.size();
    end = value.find(delimiter, start);
  }
}

std::string ResolveLibraryPath(std::string_view stored, std::string_view music_dir) {
  if (stored.empty() || stored.front() == '/' || music_dir.empty()) return std::string(stored);
  std::string resolved;
  resolved.reserve(music_dir.size() + 1 + stored.size());
  resolved += music_dir;
  if (resolved.back() != '/') resolved += '/';
  resolved += stored;
  // beets joins with os.path.normpath; do the same when a segment needs it (rare).
  if (NeedsNormalizing(stored)) {
    std::string normal = std::filesystem::path(resolved).lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    return normal;
  }
  return resolved;
}

size_t ForEachLibraryItem(const std::string& db_path, const LibraryReadOptions& options,
                          const std::function<void(LibraryItem&)>& sink, size_t* expected) {
  LibraryDatabase db(db_path, options.busy_timeout);
  // One snapshot for the items and their attributes, even while beets writes.
  ReadTransaction transaction(db);
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
  static constexpr std::array<const char*, kFieldCount> kColumnNames = {
      "id",    "path", "title", "artist", "artists",    "album", "albumartist", "length",
      "track", "disc", "year",  "isrc",   "mb_trackid", "bpm",   "initial_key", "mtime"};
  std::string sql = "SELECT ";
  for (int field = 0; field < kFieldCount; ++field) {
    if (field) sql += ", ";
    if (columns.contains(kColumnNames[field])) {
      sql += '"';
      sql += kColumnNames[field];
      sql += '"';
    } else {
      sql += "NULL";
    }
  }
  // The ids go in as one bound JSON array (json_each), never spliced into the SQL.
  std::string only_ids;
  if (!options.only_ids.empty()) {
    only_ids = "[";
    for (int64_t id : options.only_ids) {
      if (only_ids.size() > 1) only_ids += ',';
      only_ids += std::to_string(id);
    }
    only_ids += ']';
    sql += " FROM items WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";
  } else {
    sql += " FROM items ORDER BY id";
  }
  auto bind_ids = [&](sqlite3_stmt* statement) {
    if (!only_ids.empty()) {
      sqlite3_bind_text(statement, 1, only_ids.data(), static_cast<int>(only_ids.size()),
                        SQLITE_TRANSIENT);
    }
  };

  if (expected != nullptr && !options.only_ids.empty()) {
    *expected = options.only_ids.size();  // at most
  } else if (expected != nullptr) {
    Statement count = db.Prepare("SELECT count(*) FROM items");
    *expected = db.Step(count.get()) ? sqlite3_column_int64(count.get(), 0) : 0;
  }

  // The two flexible attributes, merged in by id as the items stream past (both sorted),
  // so nothing is held per item.
  Statement flex;
  bool flex_row = false;
  if (HasTable(db, "item_attributes")) {
    flex = db.Prepare(only_ids.empty()
                          ? "SELECT entity_id, key, value FROM item_attributes "
                            "WHERE key IN ('spotify_track_id', 'data_source') ORDER BY entity_id"
                          : "SELECT entity_id, key, value FROM item_attributes "
                            "WHERE key IN ('spotify_track_id', 'data_source') AND entity_id IN "
                            "(SELECT value FROM json_each(?1)) ORDER BY entity_id");
    bind_ids(flex.get());
    flex_row = db.Step(flex.get());
  }

  Statement rows = db.Prepare(sql);
  sqlite3_stmt* row = rows.get();
  bind_ids(row);
  LibraryItem item;
  size_t count = 0;
  while (db.Step(row)) {
    item.id = sqlite3_column_int64(row, kId);
    item.path = ResolveLibraryPath(ColumnView(row, kPath), options.music_dir);
    item.title = ColumnView(row, kTitle);
    item.artist = ColumnView(row, kArtist);
    SplitMultiValueInto(ColumnView(row, kArtists), item.artists);
    item.album = ColumnView(row, kAlbum);
    item.albumartist = ColumnView(row, kAlbumArtist);
    item.length = sqlite3_column_double(row, kLength);
    item.track = sqlite3_column_int(row, kTrack);
    item.disc = sqlite3_column_int(row, kDisc);
    item.year = sqlite3_column_int(row, kYear);
    item.isrc = ColumnView(row, kIsrc);
    item.mb_trackid = ColumnView(row, kMbTrackId);
    item.bpm = sqlite3_column_int(row, kBpm);
    item.initial_key = ColumnView(row, kInitialKey);
    item.mtime = sqlite3_column_double(row, kMtime);
    item.spotify_track_id.clear();
    item.data_source.clear();
    while (flex_row && sqlite3_column_int64(flex.get(), 0) <= item.id) {
      if (sqlite3_column_int64(flex.get(), 0) == item.id) {  // else orphaned: skip it
        std::string_view key = ColumnView(flex.get(), 1);
        (key == "data_source" ? item.data_source : item.spotify_track_id) =
            ColumnView(flex.get(), 2);
      }
      flex_row = db.Step(flex.get());
    }
    sink(item);
    ++count;
  }
  return count;
}

size_t CountLibraryItems(const std::string& db_path, const LibraryReadOptions& options) {
  LibraryDatabase db(db_path, options.busy_timeout);
  ItemColumns(db);  // a beets library, or the same error as ReadLibrary
  Statement count = db.Prepare("SELECT COUNT(*) FROM items");
  db.Step(count.get());
  return static_cast<size_t>(sqlite3_column_int64(count.get(), 0));
}

LibraryItems ReadLibrary(const std::string& db_path, const LibraryReadOptions& options) {
  LibraryItems items;
  size_t expected = 0;
  bool reserved = false;
  ForEachLibraryItem(
      db_path, options,
      [&](LibraryItem& item) {
        if (!reserved) {  // the count is known once the first row arrives
          items.Reserve(expected);
          reserved = true;
        }
        items.Add(item);
      },
      &expected);
  return items;
}

}  // namespace spotify_extract
