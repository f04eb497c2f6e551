#include "store/release_store.h"

#include <algorithm>
#include <unordered_set>

namespace spotify_extract {

using json = nlohmann::json;

namespace {

constexpr const char* kReleaseColumns =
    "r.id, r.artist_id, r.name, r.artists, r.album_type, r.album_group, r.release_date, "
    "r.total_tracks, r.cover_url, r.found_at, r.is_new, COALESCE(r.listed_at, '')";

ReleaseRecord ReadRelease(sql::Statement& row) {
  ReleaseRecord record;
  Album& album = record.release.album;
  album.id = row.Text(0);
  record.artist_id = row.Text(1);
  album.name = row.Text(2);
  album.artists = ArtistsFromJson(row.Text(3));
  record.release.album_type = row.Text(4);
  record.release.album_group = row.Text(5);
  album.release_date = row.Text(6);
  album.total_tracks = static_cast<int>(row.Int(7));
  album.cover_url = row.Text(8);
  record.found_at = row.Text(9);
  record.is_new = row.Int(10) != 0;
  record.listed_at = row.Text(11);
  return record;
}

constexpr const char* kArtworkColumns = "kind, spotify_id, url, path, bytes, fetched_at";

ArtworkRecord ReadArtwork(sql::Statement& row) {
  return ArtworkRecord{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Int(4), row.Text(5)};
}

}  // namespace

std::map<std::string, std::string> ReleaseStore::SyncedAt(
    const std::vector<std::string>& artist_ids) {
  StoreLock lock(shared_.mutex);
  sql::Statement row =
      shared_.db.Prepare("SELECT COALESCE(synced_at, '') FROM release_artists WHERE artist_id = ?");
  std::map<std::string, std::string> synced;
  for (const std::string& id : artist_ids) {
    synced[id] = row.Bind(id).Step() ? row.Text(0) : std::string();
  }
  return synced;
}

void ReleaseStore::MarkArtistSynced(const std::string& artist_id, const std::string& name,
                                    int total) {
  StoreLock lock(shared_.mutex);
  shared_.db
      .Prepare(
          "INSERT INTO release_artists (artist_id, name, synced_at, release_total) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (artist_id) DO UPDATE SET name = excluded.name, "
          "synced_at = excluded.synced_at, release_total = excluded.release_total")
      .Bind(artist_id, name, UtcNow(), total)
      .Run();
}

int ReleaseStore::ReleaseCount(const std::string& artist_id) {
  StoreLock lock(shared_.mutex);
  sql::Statement count = shared_.db.Prepare("SELECT COUNT(*) FROM releases WHERE artist_id = ?");
  return count.Bind(artist_id).Step() ? static_cast<int>(count.Int(0)) : 0;
}

std::vector<ArtistRef> ReleaseStore::MatchedTrackArtists() {
  StoreLock lock(shared_.mutex);
  sql::Statement rows = shared_.db.Prepare(
      "SELECT DISTINCT t.artists FROM tracks t JOIN matches m ON m.spotify_track_id = t.id "
      "WHERE m.status = 'matched' ORDER BY t.artists");
  std::vector<ArtistRef> artists;
  std::unordered_set<std::string> seen;
  while (rows.Step()) {
    for (ArtistRef& artist : ArtistsFromJson(rows.Text(0))) {
      if (!artist.id.empty() && seen.insert(artist.id).second) artists.push_back(artist);
    }
  }
  return artists;
}

int ReleaseStore::AddReleases(const std::string& artist_id, const std::vector<ArtistRelease>& page,
                              bool is_new) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement known = db.Prepare("SELECT 1 FROM releases WHERE artist_id = ? AND id = ?");
  sql::Statement insert = db.Prepare(
      "INSERT INTO releases (artist_id, id, name, artists, artist, album_type, album_group, "
      "release_date, total_tracks, cover_url, found_at, is_new) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sql::Statement update = db.Prepare(
      "UPDATE releases SET name = ?, artists = ?, artist = ?, album_type = ?, album_group = ?, "
      "release_date = ?, total_tracks = ?, cover_url = ? WHERE artist_id = ? AND id = ?");
  const std::string now = UtcNow();
  int added = 0;
  for (const ArtistRelease& release : page) {
    const Album& album = release.album;
    const std::string artists = SafeDump(ArtistsJson(album.artists));
    const std::string artist = JoinArtists(album.artists);
    if (known.Bind(artist_id, album.id).Step()) {
      update
          .Bind(album.name, artists, artist, release.album_type, release.album_group,
                album.release_date, album.total_tracks, album.cover_url, artist_id, album.id)
          .Run();
      continue;
    }
    insert
        .Bind(artist_id, album.id, album.name, artists, artist, release.album_type,
              release.album_group, album.release_date, album.total_tracks, album.cover_url, now,
              is_new)
        .Run();
    ++added;
  }
  transaction.Commit();
  return added;
}

std::vector<ReleaseRecord> ReleaseStore::Releases(const std::vector<std::string>& artist_ids) {
  StoreLock lock(shared_.mutex);
  std::unordered_set<std::string> wanted(artist_ids.begin(), artist_ids.end());
  sql::Statement rows = shared_.db.Prepare(
      std::string("SELECT ") + kReleaseColumns +
      " FROM releases r ORDER BY r.release_date DESC, r.found_at DESC, r.id, r.artist_id");
  std::vector<ReleaseRecord> records;
  std::unordered_set<std::string> seen;
  while (rows.Step()) {
    if (!wanted.empty() && !wanted.contains(rows.Text(1))) continue;
    if (!seen.insert(rows.Text(0)).second) continue;
    records.push_back(ReadRelease(rows));
  }
  return records;
}

void ReleaseStore::MarkListed(const std::vector<std::string>& release_ids) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement mark =
      db.Prepare("UPDATE releases SET listed_at = ? WHERE id = ? AND listed_at IS NULL");
  const std::string now = UtcNow();
  for (const std::string& id : release_ids) mark.Bind(now, id).Run();
  transaction.Commit();
}

std::optional<ArtworkRecord> ReleaseStore::GetArtwork(const std::string& kind,
                                                      const std::string& id) {
  StoreLock lock(shared_.mutex);
  sql::Statement row = shared_.db.Prepare(std::string("SELECT ") + kArtworkColumns +
                                          " FROM artwork WHERE kind = ? AND spotify_id = ?");
  return ReadFirstRow(row.Bind(kind, id), ReadArtwork);
}

void ReleaseStore::SaveArtwork(const ArtworkRecord& record) {
  StoreLock lock(shared_.mutex);
  shared_.db
      .Prepare(
          "INSERT INTO artwork (kind, spotify_id, url, path, bytes, fetched_at) "
          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, spotify_id) DO UPDATE SET "
          "url = excluded.url, path = excluded.path, bytes = excluded.bytes, "
          "fetched_at = excluded.fetched_at")
      .Bind(record.kind, record.spotify_id, record.url, sql::Blob{record.path}, record.bytes,
            record.fetched_at.empty() ? UtcNow() : record.fetched_at)
      .Run();
}

void ReleaseStore::DeleteArtwork(const std::string& kind, const std::string& id) {
  StoreLock lock(shared_.mutex);
  shared_.db.Prepare("DELETE FROM artwork WHERE kind = ? AND spotify_id = ?").Bind(kind, id).Run();
}

std::vector<ArtworkRecord> ReleaseStore::Artwork() {
  StoreLock lock(shared_.mutex);
  sql::Statement rows = shared_.db.Prepare(std::string("SELECT ") + kArtworkColumns +
                                           " FROM artwork ORDER BY kind, spotify_id");
  return ReadRows(rows, ReadArtwork);
}

}  // namespace spotify_extract
