#include "store/rows.h"

namespace spotify_extract {

std::string FormatUtc(std::time_t seconds) {
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string UtcNow() { return FormatUtc(std::time(nullptr)); }

std::string UtcSecondsAgo(int64_t seconds) {
  return FormatUtc(std::time(nullptr) - static_cast<std::time_t>(seconds));
}

std::time_t ParseUtc(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  return timegm(&tm);
}

std::string SafeDump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int CountOf(sql::Connection& db, const std::string& query) {
  sql::Statement statement = db.Prepare(query);
  statement.Step();
  return static_cast<int>(statement.Int(0));
}

void RecordChange(sql::Connection& db, int64_t snapshot, const std::string& kind,
                  const std::string& subject, const std::string& detail) {
  db.Prepare(
        "INSERT OR REPLACE INTO snapshot_changes (snapshot_id, kind, subject, detail) "
        "VALUES (?, ?, ?, ?)")
      .Bind(snapshot, kind, subject, detail)
      .Run();
}

nlohmann::json ArtistsJson(const std::vector<ArtistRef>& artists) {
  nlohmann::json list = nlohmann::json::array();
  for (const ArtistRef& artist : artists) {
    list.push_back({{"id", artist.id}, {"name", artist.name}});
  }
  return list;
}

std::vector<ArtistRef> ArtistsFromJson(const std::string& text) {
  std::vector<ArtistRef> artists;
  nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) return artists;
  for (const nlohmann::json& artist : list) {
    if (!artist.is_object()) continue;
    artists.push_back({artist.value("id", ""), artist.value("name", "")});
  }
  return artists;
}

std::vector<std::string> StringsFromJson(const std::string& text) {
  std::vector<std::string> strings;
  nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) return strings;
  for (const nlohmann::json& item : list) {
    if (item.is_string()) strings.push_back(item.get<std::string>());
  }
  return strings;
}

nlohmann::json ParseObject(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_object() ? value : nlohmann::json::object();
}

std::vector<std::string> FirstColumn(sql::Statement& rows) {
  std::vector<std::string> values;
  while (rows.Step()) values.push_back(rows.Text(0));
  return values;
}

std::vector<std::string> FirstColumnUpTo(sql::Connection& db, const std::string& query, int limit) {
  sql::Statement statement = db.Prepare(query);
  statement.Bind(limit > 0 ? limit : -1);
  return FirstColumn(statement);
}

std::optional<std::string> GetMeta(sql::Connection& db, const std::string& key) {
  sql::Statement statement = db.Prepare("SELECT value FROM meta WHERE key = ?");
  if (!statement.Bind(key).Step()) return std::nullopt;
  return statement.Text(0);
}

void SetMeta(sql::Connection& db, const std::string& key, const std::string& value) {
  db.Prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .Bind(key, value)
      .Run();
}

void SetFetchProgress(sql::Connection& db, const std::string& scope, const std::string& version,
                      int next_offset, const std::string& next_cursor, int total,
                      int64_t snapshot) {
  db.Prepare(
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

void StageObjects(sql::Connection& db, const std::string& scope, int offset,
                  const std::vector<nlohmann::json>& payloads) {
  if (offset == 0) db.Prepare("DELETE FROM staged_objects WHERE scope = ?").Bind(scope).Run();
  sql::Statement insert = db.Prepare(
      "INSERT OR REPLACE INTO staged_objects (scope, position, payload) VALUES (?, ?, ?)");
  for (size_t i = 0; i < payloads.size(); ++i) {
    insert.Bind(scope, offset + static_cast<int>(i), SafeDump(payloads[i])).Run();
  }
}

void DropStaged(sql::Connection& db, const std::string& scope) {
  db.Prepare("DELETE FROM fetch_progress WHERE scope = ?").Bind(scope).Run();
  db.Prepare("DELETE FROM staged_entries WHERE scope = ?").Bind(scope).Run();
  db.Prepare("DELETE FROM staged_objects WHERE scope = ?").Bind(scope).Run();
}

Track ReadTrack(sql::Statement& row, int first) {
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

}  // namespace spotify_extract
