#include "store/catalog_store.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

namespace spotify_extract {

namespace {

bool IsTrackEntry(const PlaylistEntry& entry) {
  return (entry.kind == EntryKind::kTrack || entry.kind == EntryKind::kUnavailable) &&
         !entry.track.id.empty();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// profile

void CatalogStore::SaveProfile(const UserProfile& profile) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  db.Prepare(
        "INSERT INTO profile (id, user_id, display_name, product, updated_at) "
        "VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
        "user_id = excluded.user_id, display_name = excluded.display_name, "
        "product = excluded.product, updated_at = excluded.updated_at")
      .Bind(profile.id, profile.display_name, profile.product, UtcNow())
      .Run();
}

std::optional<UserProfile> CatalogStore::GetProfile() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement statement =
      db.Prepare("SELECT user_id, display_name, product FROM profile WHERE id = 1");
  if (!statement.Step()) return std::nullopt;
  return UserProfile{statement.Text(0), statement.Text(1), statement.Text(2)};
}

// ---------------------------------------------------------------------------------------
// playlists

constexpr const char* kPlaylistColumns =
    "p.id, p.name, p.description, p.owner_id, p.owner_name, p.snapshot_id, p.image_url, "
    "p.collaborative, p.public, p.total, p.access, COALESCE(p.fetched_snapshot_id, ''), "
    "p.source, p.removed, p.position, "
    "(SELECT COUNT(*) FROM playlist_entries e WHERE e.playlist_id = p.id)";

namespace {
PlaylistRecord ReadPlaylist(sql::Statement& row) {
  PlaylistRecord record;
  Playlist& playlist = record.playlist;
  playlist.id = row.Text(0);
  playlist.name = row.Text(1);
  playlist.description = row.Text(2);
  playlist.owner_id = row.Text(3);
  playlist.owner_name = row.Text(4);
  playlist.snapshot_id = row.Text(5);
  playlist.image_url = row.Text(6);
  playlist.collaborative = row.Int(7) != 0;
  playlist.is_public = row.Int(8) != 0;
  playlist.total_entries = static_cast<int>(row.Int(9));
  record.access = PlaylistAccessFromName(row.Text(10));
  record.fetched_snapshot_id = row.Text(11);
  record.source = PlaylistSourceFromName(row.Text(12));
  record.removed = row.Int(13) != 0;
  record.position = static_cast<int>(row.Int(14));
  record.entry_count = static_cast<int>(row.Int(15));
  return record;
}
}  // namespace

void CatalogStore::SavePlaylistPage(int64_t snapshot, const std::vector<Playlist>& page, int offset,
                                    int next_offset, int total) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement existing = db.Prepare("SELECT name, removed FROM playlists WHERE id = ?");
  sql::Statement upsert = db.Prepare(
      "INSERT INTO playlists (id, name, description, owner_id, owner_name, snapshot_id, "
      "image_url, collaborative, public, total, position, source, removed, "
      "first_seen_snapshot, last_seen_snapshot, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'api', 0, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, "
      "owner_id = excluded.owner_id, owner_name = excluded.owner_name, "
      "snapshot_id = excluded.snapshot_id, image_url = excluded.image_url, "
      "collaborative = excluded.collaborative, public = excluded.public, "
      "total = excluded.total, position = excluded.position, source = 'api', removed = 0, "
      "last_seen_snapshot = excluded.last_seen_snapshot, updated_at = excluded.updated_at");
  std::string now = UtcNow();
  // The first complete run reports the library, not "new playlists".
  const bool first_run = !GetMeta(db, "wanted_tracks_recorded").has_value();
  for (size_t i = 0; i < page.size(); ++i) {
    const Playlist& playlist = page[i];
    if (playlist.id.empty()) continue;
    if (first_run) {
      // Nothing to compare with.
    } else if (existing.Bind(playlist.id).Step()) {
      std::string old_name = existing.Text(0);
      bool was_removed = existing.Int(1) != 0;
      if (was_removed) {
        RecordChange(db, snapshot, "playlist_added", playlist.id, playlist.name);
      } else if (old_name != playlist.name) {
        RecordChange(db, snapshot, "playlist_renamed", playlist.id,
                     SafeDump({{"from", old_name}, {"to", playlist.name}}));
      }
    } else {
      RecordChange(db, snapshot, "playlist_added", playlist.id, playlist.name);
    }
    existing.Bind(playlist.id);  // reset
    upsert
        .Bind(playlist.id, playlist.name, playlist.description, playlist.owner_id,
              playlist.owner_name, playlist.snapshot_id, playlist.image_url, playlist.collaborative,
              playlist.is_public, playlist.total_entries, offset + static_cast<int>(i), snapshot,
              snapshot, now)
        .Run();
  }
  SetFetchProgress(db, "playlists", "", next_offset, "", total, snapshot);
  transaction.Commit();
}

std::vector<std::string> CatalogStore::FinishPlaylistListing(int64_t snapshot,
                                                             PlaylistSource source) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  std::vector<std::string> removed;
  {
    sql::Statement gone = db.Prepare(
        "SELECT id, name FROM playlists WHERE source = ? AND removed = 0 "
        "AND (last_seen_snapshot IS NULL OR last_seen_snapshot != ?)");
    gone.Bind(PlaylistSourceName(source), snapshot);
    while (gone.Step()) {
      removed.push_back(gone.Text(0));
      RecordChange(db, snapshot, "playlist_removed", gone.Text(0), gone.Text(1));
    }
  }
  for (const std::string& id : removed) {
    db.Prepare(
          "UPDATE playlists SET removed = 1, fetched_snapshot_id = NULL, updated_at = ? "
          "WHERE id = ?")
        .Bind(UtcNow(), id)
        .Run();
    db.Prepare("DELETE FROM playlist_entries WHERE playlist_id = ?").Bind(id).Run();
    DropStaged(db, "playlist:" + id);
  }
  if (source == PlaylistSource::kApi)
    db.Prepare("DELETE FROM fetch_progress WHERE scope = 'playlists'").Run();
  transaction.Commit();
  return removed;
}

std::optional<PlaylistRecord> CatalogStore::GetPlaylist(const std::string& id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement statement =
      db.Prepare(std::string("SELECT ") + kPlaylistColumns + " FROM playlists p WHERE p.id = ?");
  return ReadFirstRow(statement.Bind(id), ReadPlaylist);
}

std::vector<PlaylistRecord> CatalogStore::ListPlaylists(bool include_removed) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement statement = db.Prepare(
      std::string("SELECT ") + kPlaylistColumns +
      " FROM playlists p WHERE (? OR p.removed = 0) ORDER BY p.source, p.position, p.id");
  return ReadRows(statement.Bind(include_removed), ReadPlaylist);
}

std::vector<PlaylistRecord> CatalogStore::PlaylistsNeedingEntries() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement statement =
      db.Prepare(std::string("SELECT ") + kPlaylistColumns +
                 " FROM playlists p WHERE p.removed = 0 AND p.source = 'api' "
                 "AND (p.fetched_snapshot_id IS NULL OR p.fetched_snapshot_id != p.snapshot_id) "
                 "ORDER BY p.position, p.id");
  return ReadRows(statement, ReadPlaylist);
}

void CatalogStore::SetPlaylistAccess(int64_t snapshot, const std::string& playlist_id,
                                     PlaylistAccess access, const std::string& version) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  db.Prepare(
        "UPDATE playlists SET access = ?, fetched_snapshot_id = ?, "
        "last_fetched_snapshot = ?, updated_at = ? WHERE id = ?")
      .Bind(PlaylistAccessName(access), version, snapshot, UtcNow(), playlist_id)
      .Run();
  DropStaged(db, "playlist:" + playlist_id);
  transaction.Commit();
}

void CatalogStore::UpsertExportPlaylist(int64_t snapshot, const Playlist& playlist) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement existing = db.Prepare("SELECT name, source FROM playlists WHERE id = ?");
  if (existing.Bind(playlist.id).Step()) {
    // An API playlist keeps its API metadata; the export only brings entries.
    if (existing.Text(1) == "export") {
      db.Prepare(
            "UPDATE playlists SET name = ?, description = ?, total = ?, removed = 0, "
            "last_seen_snapshot = ?, updated_at = ? WHERE id = ?")
          .Bind(playlist.name, playlist.description, playlist.total_entries, snapshot, UtcNow(),
                playlist.id)
          .Run();
    }
  } else {
    sql::Statement count = db.Prepare("SELECT COUNT(*) FROM playlists WHERE source = 'export'");
    count.Step();
    db.Prepare(
          "INSERT INTO playlists (id, name, description, owner_id, owner_name, "
          "snapshot_id, total, position, source, first_seen_snapshot, "
          "last_seen_snapshot, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'export', ?, ?, ?)")
        .Bind(playlist.id, playlist.name, playlist.description, playlist.owner_id,
              playlist.owner_name, playlist.snapshot_id, playlist.total_entries,
              static_cast<int>(count.Int(0)), snapshot, snapshot, UtcNow())
        .Run();
    if (GetMeta(db, "wanted_tracks_recorded")) {
      RecordChange(db, snapshot, "playlist_added", playlist.id, playlist.name);
    }
  }
  transaction.Commit();
}

// ---------------------------------------------------------------------------------------
// tracks and entries

void CatalogStore::UpsertTracks(const std::vector<Track>& tracks) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  UpsertTracksLocked(tracks, 0);
  transaction.Commit();
}

void CatalogStore::UpsertTracksLocked(const std::vector<Track>& tracks, int64_t snapshot) {
  sql::Connection& db = shared_.db;
  // Known values are never replaced by missing ones (an export has no ISRC or duration).
  sql::Statement upsert = db.Prepare(
      "INSERT INTO tracks (id, name, artists, artist, album_id, album, album_artists, "
      "album_artist, album_release_date, isrc, duration_ms, disc_number, track_number, "
      "explicit, playable, popularity, cover_url, preview_url, first_seen_snapshot, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET "
      "name = CASE WHEN excluded.name != '' THEN excluded.name ELSE tracks.name END, "
      "artists = CASE WHEN excluded.artists != '[]' THEN excluded.artists ELSE tracks.artists END, "
      "artist = CASE WHEN excluded.artist != '' THEN excluded.artist ELSE tracks.artist END, "
      "album_id = CASE WHEN excluded.album_id != '' THEN excluded.album_id "
      "ELSE tracks.album_id END, "
      "album = CASE WHEN excluded.album != '' THEN excluded.album ELSE tracks.album END, "
      "album_artists = CASE WHEN excluded.album_artists != '[]' THEN excluded.album_artists "
      "ELSE tracks.album_artists END, "
      "album_artist = CASE WHEN excluded.album_artist != '' THEN excluded.album_artist "
      "ELSE tracks.album_artist END, "
      "album_release_date = CASE WHEN excluded.album_release_date != '' "
      "THEN excluded.album_release_date ELSE tracks.album_release_date END, "
      "isrc = CASE WHEN excluded.isrc != '' THEN excluded.isrc ELSE tracks.isrc END, "
      "duration_ms = CASE WHEN excluded.duration_ms > 0 THEN excluded.duration_ms "
      "ELSE tracks.duration_ms END, "
      "disc_number = CASE WHEN excluded.disc_number > 0 THEN excluded.disc_number "
      "ELSE tracks.disc_number END, "
      "track_number = CASE WHEN excluded.track_number > 0 THEN excluded.track_number "
      "ELSE tracks.track_number END, "
      "explicit = excluded.explicit, playable = excluded.playable, "
      "popularity = COALESCE(excluded.popularity, tracks.popularity), "
      "cover_url = CASE WHEN excluded.cover_url != '' THEN excluded.cover_url "
      "ELSE tracks.cover_url END, "
      "preview_url = CASE WHEN excluded.preview_url != '' THEN excluded.preview_url "
      "ELSE tracks.preview_url END, "
      "updated_at = excluded.updated_at");
  std::string now = UtcNow();
  for (const Track& track : tracks) {
    if (track.id.empty()) continue;
    upsert
        .Bind(track.id, track.name, SafeDump(ArtistsJson(track.artists)),
              JoinArtists(track.artists), track.album_id, track.album_name,
              SafeDump(ArtistsJson(track.album_artists)), JoinArtists(track.album_artists),
              track.album_release_date, track.isrc, track.duration_ms, track.disc_number,
              track.track_number, track.explicit_content, track.is_playable, track.popularity,
              track.cover_url, track.preview_url,
              snapshot ? std::optional<int64_t>(snapshot) : std::nullopt, now)
        .Run();
  }
}

std::optional<Track> CatalogStore::GetTrack(const std::string& id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement statement =
      db.Prepare(std::string("SELECT ") + kTrackColumns + " FROM tracks t WHERE t.id = ?");
  return ReadFirstRow(statement.Bind(id), [](sql::Statement& row) { return ReadTrack(row); });
}

std::vector<Track> CatalogStore::WantedTracks() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement statement =
      db.Prepare(std::string("SELECT ") + kTrackColumns + " FROM tracks t WHERE t.id IN (" +
                 kWantedSql + ") ORDER BY t.id");
  return ReadRows(statement, [](sql::Statement& row) { return ReadTrack(row); });
}

void CatalogStore::InsertEntriesLocked(bool staged, const std::string& key, int offset,
                                       const std::vector<PlaylistEntry>& entries) {
  sql::Connection& db = shared_.db;
  sql::Statement insert = db.Prepare(
      staged ? "INSERT OR REPLACE INTO staged_entries (scope, position, kind, track_id, "
               "local_name, local_artist, local_album, local_duration_ms, added_at, added_by) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
             : "INSERT OR REPLACE INTO playlist_entries (playlist_id, position, kind, track_id, "
               "local_name, local_artist, local_album, local_duration_ms, added_at, added_by) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t i = 0; i < entries.size(); ++i) {
    const PlaylistEntry& entry = entries[i];
    EntryKind kind = entry.kind;
    // A track Spotify cannot play here (market restrictions) is still that recording,
    // which the person may own: it stays a track. Without an id it is only a description.
    if (kind == EntryKind::kUnavailable && !entry.track.id.empty()) kind = EntryKind::kTrack;
    if (kind == EntryKind::kTrack && entry.track.id.empty()) kind = EntryKind::kUnavailable;
    bool is_track = kind == EntryKind::kTrack;
    insert
        .Bind(key, offset + static_cast<int>(i), EntryKindName(kind),
              is_track ? std::optional<std::string>(entry.track.id) : std::nullopt,
              is_track ? std::string() : entry.track.name,
              is_track ? std::string() : JoinArtists(entry.track.artists),
              is_track ? std::string() : entry.track.album_name,
              is_track ? 0 : entry.track.duration_ms, entry.added_at, entry.added_by)
        .Run();
  }
}

void CatalogStore::StageEntries(const std::string& scope, const std::string& version, int offset,
                                const std::vector<PlaylistEntry>& entries, int next_offset,
                                int total) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement progress = db.Prepare("SELECT version FROM fetch_progress WHERE scope = ?");
  bool restart = offset == 0 || !progress.Bind(scope).Step() || progress.Text(0) != version;
  if (restart) {
    db.Prepare("DELETE FROM staged_entries WHERE scope = ?").Bind(scope).Run();
  }
  std::vector<Track> tracks;
  tracks.reserve(entries.size());
  for (const PlaylistEntry& entry : entries) {
    if (IsTrackEntry(entry)) tracks.push_back(entry.track);
  }
  sql::Statement snapshot_row =
      db.Prepare("SELECT id FROM snapshots WHERE status = 'running' ORDER BY id DESC LIMIT 1");
  int64_t snapshot = snapshot_row.Step() ? snapshot_row.Int(0) : 0;
  UpsertTracksLocked(tracks, snapshot);
  InsertEntriesLocked(true, scope, offset, entries);
  SetFetchProgress(db, scope, version, next_offset, "", total, snapshot);
  transaction.Commit();
}

void CatalogStore::CommitPlaylistEntries(int64_t snapshot, const std::string& playlist_id,
                                         const std::string& version) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  CommitPlaylistEntriesLocked(snapshot, playlist_id, version);
  transaction.Commit();
}

void CatalogStore::CommitPlaylistEntriesLocked(int64_t snapshot, const std::string& playlist_id,
                                               const std::string& version,
                                               const std::vector<PlaylistEntry>* direct) {
  sql::Connection& db = shared_.db;
  std::string scope = "playlist:" + playlist_id;
  sql::Statement info =
      db.Prepare("SELECT name, fetched_snapshot_id IS NOT NULL FROM playlists WHERE id = ?");
  if (!info.Bind(playlist_id).Step()) {
    throw StoreError("unknown playlist " + playlist_id + " in " + db.path());
  }
  std::string name = info.Text(0);
  bool had_entries = info.Int(1) != 0;
  std::multiset<std::string> old_tracks, new_tracks;
  {
    sql::Statement old_rows = db.Prepare(
        "SELECT track_id FROM playlist_entries WHERE playlist_id = ? AND track_id IS NOT NULL");
    old_rows.Bind(playlist_id);
    while (old_rows.Step()) old_tracks.insert(old_rows.Text(0));
    if (direct) {
      for (const PlaylistEntry& entry : *direct) {
        if (IsTrackEntry(entry)) new_tracks.insert(entry.track.id);
      }
    } else {
      sql::Statement new_rows = db.Prepare(
          "SELECT track_id FROM staged_entries WHERE scope = ? AND track_id IS NOT NULL");
      new_rows.Bind(scope);
      while (new_rows.Step()) new_tracks.insert(new_rows.Text(0));
    }
  }
  if (had_entries) {
    std::vector<std::string> added, removed;
    std::set_difference(new_tracks.begin(), new_tracks.end(), old_tracks.begin(), old_tracks.end(),
                        std::back_inserter(added));
    std::set_difference(old_tracks.begin(), old_tracks.end(), new_tracks.begin(), new_tracks.end(),
                        std::back_inserter(removed));
    if (!added.empty() || !removed.empty()) {
      RecordChange(db, snapshot, "playlist_changed", playlist_id,
                   SafeDump({{"name", name},
                             {"added", static_cast<int>(added.size())},
                             {"removed", static_cast<int>(removed.size())}}));
    }
  }
  db.Prepare("DELETE FROM playlist_entries WHERE playlist_id = ?").Bind(playlist_id).Run();
  if (direct) {
    InsertEntriesLocked(false, playlist_id, 0, *direct);
  } else {
    db.Prepare(
          "INSERT INTO playlist_entries (playlist_id, position, kind, track_id, local_name, "
          "local_artist, local_album, local_duration_ms, added_at, added_by) "
          "SELECT ?, position, kind, track_id, local_name, local_artist, local_album, "
          "local_duration_ms, added_at, added_by FROM staged_entries WHERE scope = ?")
        .Bind(playlist_id, scope)
        .Run();
  }
  // Entries from a data export fill an API playlist whose entries Spotify refuses; its
  // API state (access, the version fetched) stays, so the next run does not re-probe it.
  const bool from_export = version.rfind("export:", 0) == 0;
  db.Prepare(
        "UPDATE playlists SET "
        "fetched_snapshot_id = CASE WHEN ?1 AND source = 'api' THEN fetched_snapshot_id "
        "ELSE ?2 END, "
        "access = CASE WHEN ?1 AND source = 'api' THEN access ELSE 'readable' END, "
        "last_fetched_snapshot = ?3, updated_at = ?4 WHERE id = ?5")
      .Bind(from_export, version, snapshot, UtcNow(), playlist_id)
      .Run();
  DropStaged(db, scope);
}

void CatalogStore::ReplacePlaylistEntries(int64_t snapshot, const std::string& playlist_id,
                                          const std::vector<PlaylistEntry>& entries,
                                          const std::string& version) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  std::vector<Track> tracks;
  for (const PlaylistEntry& entry : entries) {
    if (IsTrackEntry(entry)) tracks.push_back(entry.track);
  }
  UpsertTracksLocked(tracks, snapshot);
  // Straight into playlist_entries: no staging round trip (each row written once).
  CommitPlaylistEntriesLocked(snapshot, playlist_id, version, &entries);
  transaction.Commit();
}

namespace {
constexpr const char* kEntryColumns =
    "e.position, e.kind, e.local_name, e.local_artist, e.local_album, e.local_duration_ms, "
    "e.added_at, e.added_by";

StoredEntry ReadEntry(sql::Statement& row) {
  StoredEntry entry;
  entry.position = static_cast<int>(row.Int(0));
  entry.kind = EntryKindFromName(row.Text(1));
  entry.added_at = row.Text(6);
  entry.added_by = row.Text(7);
  if (entry.kind == EntryKind::kTrack && !row.IsNull(8)) {
    entry.track = ReadTrack(row, 8);
  } else {
    entry.track.name = row.Text(2);
    std::string artist = row.Text(3);
    if (!artist.empty()) entry.track.artists.push_back({"", artist});
    entry.track.album_name = row.Text(4);
    entry.track.duration_ms = static_cast<int>(row.Int(5));
    entry.track.is_local = entry.kind == EntryKind::kLocalFile;
  }
  return entry;
}
}  // namespace

std::vector<StoredEntry> CatalogStore::PlaylistEntries(const std::string& playlist_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement statement =
      db.Prepare(std::string("SELECT ") + kEntryColumns + ", " + kTrackColumns +
                 " FROM playlist_entries e LEFT JOIN tracks t ON t.id = e.track_id "
                 "WHERE e.playlist_id = ? ORDER BY e.position");
  return ReadRows(statement.Bind(playlist_id), ReadEntry);
}

// ---------------------------------------------------------------------------------------
// audio features

std::vector<std::string> CatalogStore::TracksNeedingEnrichment(int limit) {
  StoreLock lock(shared_.mutex);
  return FirstColumnUpTo(shared_.db,
                         std::string("SELECT t.id FROM tracks t WHERE t.id IN (") + kWantedSql +
                             ") AND (t.isrc = '' OR t.duration_ms = 0) AND t.enrich_attempted = 0 "
                             "ORDER BY t.id LIMIT ?",
                         limit);
}

void CatalogStore::MarkEnrichAttempted(const std::vector<std::string>& ids) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement update = db.Prepare("UPDATE tracks SET enrich_attempted = 1 WHERE id = ?");
  for (const std::string& id : ids) update.Bind(id).Run();
  transaction.Commit();
}

}  // namespace spotify_extract
