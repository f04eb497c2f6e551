#pragma once

#include <cstdint>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "spotify/model.h"
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

// Artist credits as stored in a JSON column ([{"id", "name"}]); damaged text reads as none.
nlohmann::json ArtistsJson(const std::vector<ArtistRef>& artists);
std::vector<ArtistRef> ArtistsFromJson(const std::string& text);
// The strings of a stored JSON array (genres, requesters); anything else reads as none.
std::vector<std::string> StringsFromJson(const std::string& text);
// A JSON object from stored text; anything else is an empty object.
nlohmann::json ParseObject(const std::string& text);

// The first column of every row (ids, mostly).
std::vector<std::string> FirstColumn(sql::Statement& rows);
// The first column of at most `limit` rows (0: all) of `query`, which ends in "LIMIT ?".
std::vector<std::string> FirstColumnUpTo(sql::Connection& db, const std::string& query, int limit);

// Every row the (bound) statement yields, each as `read` makes it from the row.
template <typename Read>
auto ReadRows(sql::Statement& rows, Read read) {
  std::vector<std::invoke_result_t<Read&, sql::Statement&>> values;
  while (rows.Step()) values.push_back(read(rows));
  return values;
}
// The first row the (bound) statement yields, as `read` makes it; none without a row.
template <typename Read>
auto ReadFirstRow(sql::Statement& row, Read read)
    -> std::optional<std::invoke_result_t<Read&, sql::Statement&>> {
  if (!row.Step()) return std::nullopt;
  return read(row);
}

// The meta table: small facts about the database ("liked_recorded", ...).
std::optional<std::string> GetMeta(sql::Connection& db, const std::string& key);
void SetMeta(sql::Connection& db, const std::string& key, const std::string& value);

// Where a paged fetch of `scope` continues (the fetch_progress table).
void SetFetchProgress(sql::Connection& db, const std::string& scope, const std::string& version,
                      int next_offset, const std::string& next_cursor, int total, int64_t snapshot);
// Stages one page of objects (saved albums, followed artists) as JSON rows; the first page
// of a pass replaces whatever an abandoned pass left.
void StageObjects(sql::Connection& db, const std::string& scope, int offset,
                  const std::vector<nlohmann::json>& payloads);
// Forgets a fetch in progress for `scope` and everything it staged (a scope only ever
// stages into one of the two tables, so clearing both is exact).
void DropStaged(sql::Connection& db, const std::string& scope);

// Whether every saved thing of a page is stored already with the same added_at: the stop
// signal of the newest-first incremental reads. `query` takes (id, added_at); entries
// without an id (local files) say nothing either way.
template <typename Saved, typename IdOf>
bool AllSavedKnown(sql::Connection& db, const char* query, const std::vector<Saved>& page,
                   IdOf id_of) {
  sql::Statement statement = db.Prepare(query);
  for (const Saved& saved : page) {
    const std::string& id = id_of(saved);
    if (id.empty()) continue;
    if (!statement.Bind(id, saved.added_at).Step()) return false;
  }
  return true;
}

// The columns of a track row (alias t) in the order ReadTrack reads them from `first` on.
inline constexpr const char* kTrackColumns =
    "t.id, t.name, t.artists, t.album_id, t.album, t.album_artists, t.album_release_date, "
    "t.isrc, t.duration_ms, t.disc_number, t.track_number, t.explicit, t.playable, "
    "t.popularity, t.cover_url, t.preview_url";
inline constexpr int kTrackColumnCount = 16;
Track ReadTrack(sql::Statement& row, int first = 0);

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
