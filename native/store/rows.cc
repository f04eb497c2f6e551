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

}  // namespace spotify_extract
