#include "store/summary.h"

namespace spotify_extract {

SummaryCounts ReadSummary(SharedConnection shared) {
  StoreLock lock(shared.mutex);
  sql::Connection& db = shared.db;
  SummaryCounts counts;
  auto scalar = [&](const std::string& query) { return CountOf(db, query); };
  // The wanted tracks once, in memory (temp_store), for the five counts below that need
  // them: the union of playlists and Liked Songs is the costly part of each.
  db.Exec(
      "CREATE TEMP TABLE IF NOT EXISTS summary_wanted (track_id TEXT PRIMARY KEY); "
      "DELETE FROM temp.summary_wanted");
  db.Exec(std::string("INSERT INTO temp.summary_wanted SELECT track_id FROM (") + kWantedSql + ")");
  const std::string wanted = "SELECT track_id FROM temp.summary_wanted";
  counts.tracks = scalar("SELECT COUNT(*) FROM temp.summary_wanted");
  sql::Statement methods =
      db.Prepare(std::string("SELECT m.method, COUNT(*) FROM matches m WHERE m.item_id IS NOT NULL "
                             "AND m.spotify_track_id IN (") +
                 wanted + ") GROUP BY m.method ORDER BY m.method");
  while (methods.Step()) {
    int count = static_cast<int>(methods.Int(1));
    counts.matched_by_method[methods.Text(0)] = count;
    counts.matched += count;
  }
  counts.review = scalar(std::string("SELECT COUNT(*) FROM matches WHERE status = 'review' "
                                     "AND spotify_track_id IN (") +
                         wanted + ")");
  // Missing: wanted, without a match and not waiting for review; counted by the status of
  // the track's wishlist entry, so the summary's numbers add up.
  sql::Statement missing = db.Prepare(
      std::string("SELECT COALESCE(w.status, ''), COUNT(*) FROM (") + wanted +
      ") t LEFT JOIN wishlist w ON w.spotify_track_id = t.track_id WHERE NOT EXISTS (SELECT "
      "1 FROM matches m WHERE m.spotify_track_id = t.track_id AND (m.item_id IS NOT NULL OR "
      "m.status = 'review')) GROUP BY 1");
  while (missing.Step()) {
    int count = static_cast<int>(missing.Int(1));
    counts.missing_by_status[missing.Text(0)] = count;
    counts.missing += count;
  }
  counts.playlists = scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0");
  counts.playlists_readable =
      scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0 AND access = 'readable'");
  counts.playlists_not_shared =
      scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0 AND access = 'not_shared'");
  counts.playlists_unavailable =
      scalar("SELECT COUNT(*) FROM playlists WHERE removed = 0 AND access = 'unavailable'");
  counts.playlist_entries = scalar(
      "SELECT COUNT(*) FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
      "WHERE p.removed = 0");
  counts.local_files = scalar(
      "SELECT COUNT(*) FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
      "WHERE p.removed = 0 AND e.kind = 'local'");
  counts.episodes = scalar(
      "SELECT COUNT(*) FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
      "WHERE p.removed = 0 AND e.kind = 'episode'");
  counts.liked = scalar("SELECT COUNT(*) FROM tracks WHERE liked = 1");
  counts.saved_albums = scalar("SELECT COUNT(*) FROM saved_albums");
  counts.followed_artists = scalar("SELECT COUNT(*) FROM followed_artists");
  counts.audio_features = scalar("SELECT COUNT(*) FROM audio_features WHERE tempo IS NOT NULL");
  counts.wishlist_pending = counts.missing_by_status["pending"];
  counts.wishlist_others = scalar(
      std::string("SELECT COUNT(*) FROM wishlist WHERE status NOT IN ('imported', 'dismissed') "
                  "AND spotify_track_id NOT IN (") +
      wanted + ")");
  return counts;
}

}  // namespace spotify_extract
