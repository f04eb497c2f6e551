#include "library/library_reader.h"

#include <sqlite3.h>

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "store/sqlite_db.h"

namespace spotify_extract {
namespace {

constexpr std::string_view kMultiValueDelimiter = "\\\xE2\x90\x80";  // "\␀"

// A failure of beets' database as one line saying what to do.
[[noreturn]] void FailAsLibraryError(const sql::Connection& db, std::string_view what, int rc) {
  std::string reason;
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      reason = "the database stayed locked by another process for " +
               std::to_string(db.options().busy_timeout.count()) +
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
      reason = db.ErrorText(rc);
  }
  throw LibraryError(std::string(what) + " beets library " + db.path() + ": " + reason);
}

// beets' library.db, read-only, after the checks that give a clearer message than SQLite.
sql::Connection OpenLibrary(const std::string& path, std::chrono::milliseconds busy_timeout) {
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
  return sql::Connection(
      path,
      {.busy_timeout = busy_timeout, .read_only = true, .report_failure = &FailAsLibraryError});
}

std::unordered_set<std::string> ItemColumns(sql::Connection& db) {
  std::unordered_set<std::string> columns;
  sql::Statement info = db.Prepare("PRAGMA table_info(items)");
  while (info.Step()) columns.emplace(info.View(1));
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

bool HasTable(sql::Connection& db, std::string_view name) {
  sql::Statement statement =
      db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  return statement.Bind(name).Step();
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
  explicit ReadTransaction(sql::Connection& db) : db_(db) { db_.Exec("BEGIN"); }
  ~ReadTransaction() {
    try {
      db_.Exec("COMMIT");
    } catch (const LibraryError&) {  // a read-only transaction has nothing to lose
    }
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  sql::Connection& db_;
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

size_t ForEachItemAlbum(
    const std::string& db_path, const LibraryReadOptions& options,
    const std::function<void(std::string_view album_artist, std::string_view album)>& sink) {
  sql::Connection db = OpenLibrary(db_path, options.busy_timeout);
  ReadTransaction transaction(db);
  const std::unordered_set<std::string> columns = ItemColumns(db);
  if (!columns.contains("album")) return 0;
  auto column = [&](const char* name) {
    return columns.contains(name) ? "\"" + std::string(name) + "\"" : std::string("NULL");
  };
  sql::Statement rows =
      db.Prepare("SELECT " + column("albumartist") + ", " + column("artist") +
                 ", \"album\" FROM items WHERE \"album\" IS NOT NULL AND \"album\" != '' "
                 "ORDER BY id");
  size_t count = 0;
  while (rows.Step()) {
    std::string_view album_artist = rows.View(0);
    sink(album_artist.empty() ? rows.View(1) : album_artist, rows.View(2));
    ++count;
  }
  return count;
}

size_t ForEachLibraryItem(const std::string& db_path, const LibraryReadOptions& options,
                          const std::function<void(LibraryItem&)>& sink, size_t* expected) {
  sql::Connection db = OpenLibrary(db_path, options.busy_timeout);
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
  auto wanted = [&](int field) {
    if (options.columns == LibraryColumns::kAll) return true;
    switch (field) {
      case kId:
      case kTitle:
      case kArtist:
      case kArtists:
      case kAlbum:
      case kLength:
      case kIsrc:
      case kMbTrackId:
        return true;
      default:
        return false;
    }
  };
  std::string sql = "SELECT ";
  for (int field = 0; field < kFieldCount; ++field) {
    if (field) sql += ", ";
    if (wanted(field) && columns.contains(kColumnNames[field])) {
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
  auto bind_ids = [&](sql::Statement& statement) {
    if (!only_ids.empty()) statement.Bind(only_ids);
  };

  if (expected != nullptr && !options.only_ids.empty()) {
    *expected = options.only_ids.size();  // at most
  } else if (expected != nullptr) {
    sql::Statement count = db.Prepare("SELECT count(*) FROM items");
    *expected = count.Step() ? static_cast<size_t>(count.Int(0)) : 0;
  }

  // The two flexible attributes, merged in by id as the items stream past (both sorted),
  // so nothing is held per item.
  std::optional<sql::Statement> flex;
  bool flex_row = false;
  if (HasTable(db, "item_attributes")) {
    flex.emplace(db.Prepare(
        only_ids.empty() ? "SELECT entity_id, key, value FROM item_attributes "
                           "WHERE key IN ('spotify_track_id', 'data_source') ORDER BY entity_id"
                         : "SELECT entity_id, key, value FROM item_attributes "
                           "WHERE key IN ('spotify_track_id', 'data_source') AND entity_id IN "
                           "(SELECT value FROM json_each(?1)) ORDER BY entity_id"));
    bind_ids(*flex);
    flex_row = flex->Step();
  }

  sql::Statement row = db.Prepare(sql);
  bind_ids(row);
  LibraryItem item;
  size_t count = 0;
  while (row.Step()) {
    item.id = row.Int(kId);
    if (options.columns == LibraryColumns::kAll) {
      item.path = ResolveLibraryPath(row.View(kPath), options.music_dir);
    }
    item.title = row.View(kTitle);
    item.artist = row.View(kArtist);
    SplitMultiValueInto(row.View(kArtists), item.artists);
    item.album = row.View(kAlbum);
    item.albumartist = row.View(kAlbumArtist);
    item.length = row.Double(kLength);
    item.track = static_cast<int>(row.Int(kTrack));
    item.disc = static_cast<int>(row.Int(kDisc));
    item.year = static_cast<int>(row.Int(kYear));
    item.isrc = row.View(kIsrc);
    item.mb_trackid = row.View(kMbTrackId);
    item.bpm = static_cast<int>(row.Int(kBpm));
    item.initial_key = row.View(kInitialKey);
    item.mtime = row.Double(kMtime);
    item.spotify_track_id.clear();
    item.data_source.clear();
    while (flex_row && flex->Int(0) <= item.id) {
      if (flex->Int(0) == item.id) {  // else orphaned: skip it
        std::string_view key = flex->View(1);
        (key == "data_source" ? item.data_source : item.spotify_track_id) = flex->View(2);
      }
      flex_row = flex->Step();
    }
    sink(item);
    ++count;
  }
  return count;
}

size_t CountLibraryItems(const std::string& db_path, const LibraryReadOptions& options) {
  sql::Connection db = OpenLibrary(db_path, options.busy_timeout);
  ItemColumns(db);  // a beets library, or the same error as ReadLibrary
  sql::Statement count = db.Prepare("SELECT COUNT(*) FROM items");
  count.Step();
  return static_cast<size_t>(count.Int(0));
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
