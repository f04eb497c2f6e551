#include "store/wishlist_store.h"

#include <algorithm>
#include <unordered_map>

namespace spotify_extract {

using json = nlohmann::json;

namespace {

constexpr const char* kStatusNames[] = {"pending",  "downloading", "downloaded",
                                        "imported", "failed",      "dismissed"};

// A base62 Spotify id (22 characters); manual wishlist keys are something else.
bool LooksLikeSpotifyId(const std::string& id) {
  if (id.size() != 22) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

constexpr const char* kWishlistColumns =
    "w.spotify_track_id, w.artist, w.title, w.album, w.isrc, w.duration_ms, w.cover_url, "
    "w.spotify_url, w.status, w.error, w.retries, w.file_path, w.item_id, w.source, "
    "w.requested_by, w.added_at, w.updated_at, COALESCE(w.downloaded_at, ''), "
    "COALESCE(w.imported_at, '')";

WishlistEntry ReadWishlist(sql::Statement& row) {
  WishlistEntry entry;
  entry.spotify_track_id = row.Text(0);
  entry.artist = row.Text(1);
  entry.title = row.Text(2);
  entry.album = row.Text(3);
  entry.isrc = row.Text(4);
  entry.duration_ms = static_cast<int>(row.Int(5));
  entry.cover_url = row.Text(6);
  entry.spotify_url = row.Text(7);
  entry.status = WishlistStatusFromName(row.Text(8));
  entry.error = row.Text(9);
  entry.retries = static_cast<int>(row.Int(10));
  entry.file_path = row.Text(11);
  entry.item_id = row.IsNull(12) ? 0 : row.Int(12);
  entry.source = row.Text(13);
  entry.requested_by = StringsFromJson(row.Text(14));
  entry.added_at = row.Text(15);
  entry.updated_at = row.Text(16);
  entry.downloaded_at = row.Text(17);
  entry.imported_at = row.Text(18);
  return entry;
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

const char* WishlistStatusName(WishlistStatus status) {
  return kStatusNames[static_cast<int>(status)];
}

WishlistStatus WishlistStatusFromName(const std::string& name) {
  for (WishlistStatus status : kWishlistStatuses) {
    if (name == WishlistStatusName(status)) return status;
  }
  throw StoreError("unknown wishlist status '" + name +
                   "' (pending, downloading, downloaded, imported, failed, dismissed)");
}

WishlistSyncResult WishlistStore::Sync(int64_t /*snapshot*/) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  WishlistSyncResult result;
  sql::Transaction transaction(db);
  std::string now = UtcNow();
  // Wanted tracks without a match (or with a rejected one) get an entry.
  db.Prepare(
        std::string("INSERT INTO wishlist (spotify_track_id, artist, title, album, isrc, "
                    "duration_ms, cover_url, spotify_url, status, source, added_at, updated_at) "
                    "SELECT t.id, t.artist, t.name, t.album, t.isrc, t.duration_ms, t.cover_url, "
                    "'https://open.spotify.com/track/' || t.id, 'pending', 'extract', ?, ? "
                    "FROM tracks t WHERE t.id IN (") +
        kWantedSql +
        ") AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.spotify_track_id = t.id "
        "AND (m.item_id IS NOT NULL OR m.status = 'review')) "
        "ON CONFLICT(spotify_track_id) DO NOTHING")
      .Bind(now, now)
      .Run();
  result.added = db.Changes();
  // Metadata follows Spotify (a corrected title, an ISRC that appeared).
  db.Exec(
      "UPDATE wishlist SET artist = t.artist, title = t.name, album = t.album, "
      "isrc = CASE WHEN t.isrc != '' THEN t.isrc ELSE wishlist.isrc END, "
      "duration_ms = CASE WHEN t.duration_ms > 0 THEN t.duration_ms ELSE wishlist.duration_ms "
      "END, cover_url = CASE WHEN t.cover_url != '' THEN t.cover_url ELSE wishlist.cover_url "
      "END FROM tracks t WHERE t.id = wishlist.spotify_track_id AND (wishlist.artist != t.artist "
      "OR wishlist.title != t.name OR wishlist.album != t.album OR (t.isrc != '' AND "
      "wishlist.isrc != t.isrc) OR (t.duration_ms > 0 AND wishlist.duration_ms != t.duration_ms) "
      "OR (t.cover_url != '' AND wishlist.cover_url != t.cover_url))");
  // Entries whose track is matched now close.
  db.Prepare(
        "UPDATE wishlist SET status = 'imported', item_id = m.item_id, error = '', "
        "imported_at = COALESCE(wishlist.imported_at, ?), updated_at = ? "
        "FROM matches m WHERE m.spotify_track_id = wishlist.spotify_track_id "
        "AND m.item_id IS NOT NULL "
        "AND wishlist.status IN ('pending', 'failed', 'downloaded')")
      .Bind(now, now)
      .Run();
  result.closed = db.Changes();
  // An imported entry whose match went away (item deleted from beets) is wanted again.
  db.Prepare(std::string("UPDATE wishlist SET status = 'pending', item_id = NULL, "
                         "updated_at = ? WHERE status = 'imported' AND spotify_track_id IN (") +
             kWantedSql +
             ") AND spotify_track_id IN (SELECT spotify_track_id FROM matches "
             "WHERE item_id IS NULL)")
      .Bind(now)
      .Run();
  result.reopened = db.Changes();
  // Pending entries that no playlist wants any more (the track left every playlist).
  db.Exec(std::string("DELETE FROM wishlist WHERE status = 'pending' AND source = 'extract' "
                      "AND spotify_track_id NOT IN (") +
          kWantedSql + ")");
  result.dropped = db.Changes();
  result.pending = CountOf(db, "SELECT COUNT(*) FROM wishlist WHERE status = 'pending'");
  transaction.Commit();
  return result;
}

std::string WishlistStore::Where(const WishlistFilter& filter, std::vector<std::string>& params) {
  std::string where = " WHERE 1";
  if (!filter.statuses.empty()) {
    where += " AND w.status IN (";
    for (size_t i = 0; i < filter.statuses.size(); ++i) {
      where += i ? ", ?" : "?";
      params.push_back(WishlistStatusName(filter.statuses[i]));
    }
    where += ")";
  }
  if (!filter.playlist.empty()) {
    where +=
        " AND (EXISTS (SELECT 1 FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
        "WHERE e.track_id = w.spotify_track_id AND p.removed = 0 AND (p.id = ? OR "
        "lower(p.name) = ?)) OR (? IN ('liked', 'liked songs') AND EXISTS (SELECT 1 FROM tracks t "
        "WHERE t.id = w.spotify_track_id AND t.liked = 1)) OR EXISTS (SELECT 1 FROM "
        "json_each(w.requested_by) r WHERE lower(r.value) = ?))";
    std::string lowered = Lower(filter.playlist);
    params.insert(params.end(), {filter.playlist, lowered, lowered, lowered});
  }
  if (!filter.text.empty()) {
    where +=
        " AND (instr(lower(w.artist), ?) > 0 OR instr(lower(w.title), ?) > 0 OR "
        "instr(lower(w.album), ?) > 0)";
    std::string lowered = Lower(filter.text);
    params.insert(params.end(), {lowered, lowered, lowered});
  }
  return where;
}

void WishlistStore::FillWantedBy(std::vector<WishlistEntry>& entries) {
  if (entries.empty()) return;
  sql::Connection& db = shared_.db;
  std::unordered_map<std::string, WishlistEntry*> by_id;
  for (WishlistEntry& entry : entries) by_id[entry.spotify_track_id] = &entry;
  sql::Statement rows = db.Prepare(
      "SELECT DISTINCT e.track_id, p.id, p.name, p.position FROM playlist_entries e "
      "JOIN playlists p ON p.id = e.playlist_id "
      "JOIN wishlist w ON w.spotify_track_id = e.track_id "
      "WHERE p.removed = 0 ORDER BY p.source, p.position, p.id");
  while (rows.Step()) {
    auto found = by_id.find(rows.Text(0));
    if (found == by_id.end()) continue;
    found->second->wanted_by.push_back({rows.Text(1), rows.Text(2)});
  }
  sql::Statement liked = db.Prepare(
      "SELECT t.id FROM tracks t JOIN wishlist w ON w.spotify_track_id = t.id WHERE t.liked = 1");
  while (liked.Step()) {
    auto found = by_id.find(liked.Text(0));
    if (found != by_id.end()) found->second->wanted_by.push_back({"liked", "Liked Songs"});
  }
}

std::vector<WishlistEntry> WishlistStore::List(const WishlistFilter& filter) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  std::vector<std::string> params;
  sql::Statement statement = db.Prepare(
      std::string("SELECT ") + kWishlistColumns + " FROM wishlist w" + Where(filter, params) +
      " ORDER BY lower(w.artist), lower(w.title), w.spotify_track_id LIMIT ? OFFSET ?");
  int index = 1;
  for (const std::string& param : params) statement.BindAt(index++, param);
  statement.BindAt(index++, static_cast<int64_t>(filter.limit > 0 ? filter.limit : -1));
  statement.BindAt(index++, static_cast<int64_t>(filter.offset > 0 ? filter.offset : 0));
  std::vector<WishlistEntry> entries = ReadRows(statement, ReadWishlist);
  FillWantedBy(entries);
  return entries;
}

int WishlistStore::Count(const WishlistFilter& filter) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  std::vector<std::string> params;
  sql::Statement statement = db.Prepare("SELECT COUNT(*) FROM wishlist w" + Where(filter, params));
  int index = 1;
  for (const std::string& param : params) statement.BindAt(index++, param);
  statement.Step();
  return static_cast<int>(statement.Int(0));
}

std::optional<WishlistEntry> WishlistStore::Get(const std::string& spotify_track_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement row = db.Prepare(std::string("SELECT ") + kWishlistColumns +
                                  " FROM wishlist w WHERE w.spotify_track_id = ?");
  if (!row.Bind(spotify_track_id).Step()) return std::nullopt;
  std::vector<WishlistEntry> entries{ReadWishlist(row)};
  FillWantedBy(entries);
  return entries.front();
}

bool WishlistStore::Add(const WishlistEntry& entry) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  if (entry.spotify_track_id.empty()) throw StoreError("a wishlist entry needs an id");
  sql::Transaction transaction(db);
  std::string now = UtcNow();
  json requested = json::array();
  for (const std::string& item : entry.requested_by) requested.push_back(item);
  db.Prepare(
        "INSERT INTO wishlist (spotify_track_id, artist, title, album, isrc, "
        "duration_ms, cover_url, spotify_url, status, source, requested_by, added_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) "
        "ON CONFLICT(spotify_track_id) DO NOTHING")
      .Bind(entry.spotify_track_id, entry.artist, entry.title, entry.album, entry.isrc,
            entry.duration_ms, entry.cover_url,
            entry.spotify_url.empty() && LooksLikeSpotifyId(entry.spotify_track_id)
                ? "https://open.spotify.com/track/" + entry.spotify_track_id
                : entry.spotify_url,
            entry.source.empty() ? std::string("manual") : entry.source, SafeDump(requested), now,
            now)
      .Run();
  bool added = db.Changes() > 0;
  if (!added) {
    // Asked for again: a dismissed entry comes back, and the request is remembered.
    sql::Statement current =
        db.Prepare("SELECT requested_by FROM wishlist WHERE spotify_track_id = ?");
    current.Bind(entry.spotify_track_id).Step();
    json merged = json::parse(current.Text(0), nullptr, false);
    if (!merged.is_array()) merged = json::array();
    for (const std::string& item : entry.requested_by) {
      if (std::find(merged.begin(), merged.end(), item) == merged.end()) merged.push_back(item);
    }
    db.Prepare(
          "UPDATE wishlist SET requested_by = ?, updated_at = ?, status = CASE "
          "WHEN status = 'dismissed' THEN 'pending' ELSE status END "
          "WHERE spotify_track_id = ?")
        .Bind(SafeDump(merged), now, entry.spotify_track_id)
        .Run();
  }
  transaction.Commit();
  return added;
}

void WishlistStore::SetStatus(const std::string& spotify_track_id, WishlistStatus status,
                              const std::string& error, const std::string& file_path,
                              int64_t item_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  std::string now = UtcNow();
  sql::Statement update = db.Prepare(
      "UPDATE wishlist SET status = ?1, updated_at = ?2, "
      "error = CASE WHEN ?1 = 'failed' THEN ?3 WHEN ?1 IN ('pending', 'downloading') "
      "THEN error ELSE '' END, "
      "retries = retries + (CASE WHEN ?1 = 'failed' THEN 1 ELSE 0 END), "
      "file_path = CASE WHEN length(?4) > 0 THEN ?4 ELSE file_path END, "
      "item_id = CASE WHEN ?5 > 0 THEN ?5 ELSE item_id END, "
      "downloaded_at = CASE WHEN ?1 = 'downloaded' THEN ?2 ELSE downloaded_at END, "
      "imported_at = CASE WHEN ?1 = 'imported' THEN ?2 ELSE imported_at END "
      "WHERE spotify_track_id = ?6");
  update
      .Bind(WishlistStatusName(status), now, error, sql::Blob{file_path}, item_id, spotify_track_id)
      .Run();
  if (db.Changes() == 0) {
    throw StoreError("no wishlist entry for " + spotify_track_id);
  }
}

void WishlistStore::Dismiss(const std::string& spotify_track_id) {
  SetStatus(spotify_track_id, WishlistStatus::kDismissed);
}

void WishlistStore::Restore(const std::string& spotify_track_id) {
  SetStatus(spotify_track_id, WishlistStatus::kPending);
}

int WishlistStore::Retry(const std::string& spotify_track_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  db.Prepare(
        "UPDATE wishlist SET status = 'pending', updated_at = ? "
        "WHERE status = 'failed' AND (? = '' OR spotify_track_id = ?)")
      .Bind(UtcNow(), spotify_track_id, spotify_track_id)
      .Run();
  return db.Changes();
}

int WishlistStore::ResetInterruptedDownloads() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  db.Prepare(
        "UPDATE wishlist SET status = 'pending', updated_at = ? "
        "WHERE status = 'downloading'")
      .Bind(UtcNow())
      .Run();
  return db.Changes();
}

WishlistStats WishlistStore::Stats() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  WishlistStats stats;
  for (WishlistStatus status : kWishlistStatuses) stats.by_status[status] = 0;
  sql::Statement rows =
      db.Prepare("SELECT status, COUNT(*), SUM(retries) FROM wishlist GROUP BY status");
  while (rows.Step()) {
    int count = static_cast<int>(rows.Int(1));
    stats.by_status[WishlistStatusFromName(rows.Text(0))] = count;
    stats.total += count;
    stats.failed_attempts += static_cast<int>(rows.Int(2));
  }
  std::string week_ago = UtcSecondsAgo(7 * 24 * 3600);
  sql::Statement week = db.Prepare(
      "SELECT (SELECT COUNT(*) FROM wishlist WHERE downloaded_at >= ?), "
      "(SELECT COUNT(*) FROM wishlist WHERE imported_at >= ?)");
  week.Bind(week_ago, week_ago).Step();
  stats.downloaded_last_week = static_cast<int>(week.Int(0));
  stats.imported_last_week = static_cast<int>(week.Int(1));
  return stats;
}

std::vector<PlaylistRef> WishlistStore::WantedBy(const std::string& spotify_track_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  std::vector<PlaylistRef> playlists;
  sql::Statement rows = db.Prepare(
      "SELECT DISTINCT p.id, p.name, p.source, p.position FROM playlist_entries e "
      "JOIN playlists p ON p.id = e.playlist_id "
      "WHERE e.track_id = ? AND p.removed = 0 ORDER BY p.source, p.position, p.id");
  rows.Bind(spotify_track_id);
  while (rows.Step()) playlists.push_back({rows.Text(0), rows.Text(1)});
  sql::Statement liked = db.Prepare("SELECT 1 FROM tracks WHERE id = ? AND liked = 1");
  if (liked.Bind(spotify_track_id).Step()) playlists.push_back({"liked", "Liked Songs"});
  return playlists;
}

}  // namespace spotify_extract
