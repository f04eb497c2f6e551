#pragma once

#include <cstdint>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "store/sqlite_db.h"

// What every part of the state database shares: the connection and its lock, how times
// and JSON are written into rows, and the queries more than one part asks.

namespace spotify_extract {

// The one connection of the state database and the lock that makes each call of a part
// one transaction at a time, from any thread (recursive: a call may use another part).
struct SharedConnection {
  sql::Connection& db;
  std::recursive_mutex& mutex;
};
using StoreLock = std::lock_guard<std::recursive_mutex>;

// ISO-8601 UTC with seconds, "2026-11-23T18:35:21Z".
std::string FormatUtc(std::time_t seconds);
std::string UtcNow();
std::string UtcSecondsAgo(int64_t seconds);
// Parses our own "YYYY-MM-DDTHH:MM:SSZ"; 0 when it is something else.
std::time_t ParseUtc(const std::string& text);

// Text into a JSON document, even when it is not valid UTF-8.
std::string SafeDump(const nlohmann::json& value);

// The one number a COUNT(*) (or other single-value) query answers.
int CountOf(sql::Connection& db, const std::string& query);

// One line of "what changed" for a snapshot (a playlist renamed, a track newly matched).
void RecordChange(sql::Connection& db, int64_t snapshot, const std::string& kind,
                  const std::string& subject, const std::string& detail);

// The distinct tracks of live playlists and Liked Songs.
inline constexpr const char* kWantedSql =
    "SELECT e.track_id AS track_id FROM playlist_entries e "
    "JOIN playlists p ON p.id = e.playlist_id "
    "WHERE p.removed = 0 AND e.kind = 'track' AND e.track_id IS NOT NULL "
    "UNION SELECT id FROM tracks WHERE liked = 1";

}  // namespace spotify_extract
