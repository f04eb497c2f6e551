#include "store/saved_library_store.h"

#include <unordered_set>
#include <utility>

namespace spotify_extract {

using json = nlohmann::json;

namespace {

constexpr const char* kSavedAlbumColumns =
    "id, name, artists, release_date, upc, cover_url, total_tracks, added_at";

SavedAlbum ReadSavedAlbum(sql::Statement& row) {
  SavedAlbum saved;
  saved.album.id = row.Text(0);
  saved.album.name = row.Text(1);
  saved.album.artists = ArtistsFromJson(row.Text(2));
  saved.album.release_date = row.Text(3);
  saved.album.upc = row.Text(4);
  saved.album.cover_url = row.Text(5);
  saved.album.total_tracks = static_cast<int>(row.Int(6));
  saved.added_at = row.Text(7);
  return saved;
}

// The staged form of a saved album, which CommitAlbums reads back.
json SavedAlbumJson(const SavedAlbum& saved) {
  const Album& album = saved.album;
  return {{"added_at", saved.added_at},
          {"id", album.id},
          {"name", album.name},
          {"artists", ArtistsJson(album.artists)},
          {"release_date", album.release_date},
          {"upc", album.upc},
          {"cover_url", album.cover_url},
          {"total_tracks", album.total_tracks}};
}

Artist ReadFollowedArtist(sql::Statement& row) {
  Artist artist;
  artist.id = row.Text(0);
  artist.name = row.Text(1);
  artist.genres = StringsFromJson(row.Text(2));
  if (!row.IsNull(3)) artist.popularity = static_cast<int>(row.Int(3));
  artist.image_url = row.Text(4);
  return artist;
}

}  // namespace

bool SavedLibraryStore::AllLikedKnown(const std::vector<SavedTrack>& page) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  return AllSavedKnown(
      db, "SELECT 1 FROM tracks WHERE id = ? AND liked = 1 AND liked_added_at = ?", page,
      [](const SavedTrack& saved) -> const std::string& { return saved.track.id; });
}

int SavedLibraryStore::LikedCount() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  return CountOf(db, "SELECT COUNT(*) FROM tracks WHERE liked = 1");
}

void SavedLibraryStore::CommitLiked(int64_t snapshot, bool full) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  // The staged entries, in Spotify's order (newest first), tracks only.
  std::vector<std::pair<std::string, std::string>> staged;  // id, added_at
  std::unordered_set<std::string> staged_ids;
  {
    sql::Statement rows = db.Prepare(
        "SELECT track_id, added_at FROM staged_entries WHERE scope = 'liked' "
        "AND kind = 'track' AND track_id IS NOT NULL ORDER BY position");
    while (rows.Step()) {
      std::string id = rows.Text(0);
      if (staged_ids.insert(id).second) staged.emplace_back(id, rows.Text(1));
    }
  }
  sql::Statement liked_before =
      db.Prepare("SELECT id FROM tracks WHERE liked = 1 ORDER BY liked_position, id");
  const std::vector<std::string> previous = FirstColumn(liked_before);
  std::unordered_set<std::string> previous_ids(previous.begin(), previous.end());
  bool first_time = !GetMeta(db, "liked_recorded").has_value();
  sql::Statement describe = db.Prepare("SELECT artist || ' - ' || name FROM tracks WHERE id = ?");
  auto description = [&](const std::string& id) {
    return describe.Bind(id).Step() ? describe.Text(0) : std::string();
  };

  // The new order: the staged ones first, then (incremental) the rest as they were.
  std::vector<std::pair<std::string, std::string>> order = staged;
  if (!full) {
    for (const std::string& id : previous) {
      if (!staged_ids.contains(id)) order.emplace_back(id, "");
    }
  }
  std::unordered_set<std::string> now_ids;
  for (const auto& [id, added_at] : order) now_ids.insert(id);
  for (const std::string& id : previous) {
    if (!now_ids.contains(id)) {
      db.Prepare(
            "UPDATE tracks SET liked = 0, liked_added_at = NULL, liked_position = NULL "
            "WHERE id = ?")
          .Bind(id)
          .Run();
      if (!first_time) RecordChange(db, snapshot, "liked_removed", id, description(id));
    }
  }
  sql::Statement current = db.Prepare(
      "SELECT liked, liked_position, COALESCE(liked_added_at, '') FROM tracks "
      "WHERE id = ?");
  sql::Statement update = db.Prepare(
      "UPDATE tracks SET liked = 1, liked_position = ?, "
      "liked_added_at = CASE WHEN ? != '' THEN ? ELSE liked_added_at END WHERE id = ?");
  for (size_t position = 0; position < order.size(); ++position) {
    const auto& [id, added_at] = order[position];
    if (!current.Bind(id).Step()) continue;  // not staged as a track row (should not happen)
    bool unchanged = current.Int(0) == 1 && current.Int(1) == static_cast<int64_t>(position) &&
                     (added_at.empty() || current.Text(2) == added_at);
    if (unchanged) continue;
    if (!previous_ids.contains(id) && !first_time) {
      RecordChange(db, snapshot, "liked_added", id, description(id));
    }
    update.Bind(static_cast<int64_t>(position), added_at, added_at, id).Run();
  }
  DropStaged(db, "liked");
  SetMeta(db, "liked_recorded", "1");
  transaction.Commit();
}

std::vector<StoredEntry> SavedLibraryStore::LikedEntries() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  std::vector<StoredEntry> entries;
  sql::Statement statement = db.Prepare(
      std::string("SELECT t.liked_position, COALESCE(t.liked_added_at, ''), ") + kTrackColumns +
      " FROM tracks t WHERE t.liked = 1 ORDER BY t.liked_position, t.id");
  while (statement.Step()) {
    StoredEntry entry;
    entry.position = static_cast<int>(statement.Int(0));
    entry.added_at = statement.Text(1);
    entry.track = ReadTrack(statement, 2);
    entries.push_back(std::move(entry));
  }
  return entries;
}

void SavedLibraryStore::StageAlbums(const std::string& scope, int offset,
                                    const std::vector<SavedAlbum>& page, int next_offset, int total,
                                    const std::string& version) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  std::vector<json> payloads;
  payloads.reserve(page.size());
  for (const SavedAlbum& saved : page) payloads.push_back(SavedAlbumJson(saved));
  StageObjects(db, scope, offset, payloads);
  SetFetchProgress(db, scope, version, next_offset, "", total, 0);
  transaction.Commit();
}

void SavedLibraryStore::CommitAlbums(const std::string& scope, bool full) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  std::vector<json> order;
  std::unordered_set<std::string> staged_ids;
  {
    sql::Statement rows =
        db.Prepare("SELECT payload FROM staged_objects WHERE scope = ? ORDER BY position");
    rows.Bind(scope);
    while (rows.Step()) {
      json album = ParseObject(rows.Text(0));
      std::string id = album.value("id", "");
      if (id.empty() || !staged_ids.insert(id).second) continue;
      order.push_back(std::move(album));
    }
  }
  if (!full) {
    // Incremental: the albums saved before keep their order below the new ones.
    sql::Statement rows = db.Prepare(std::string("SELECT ") + kSavedAlbumColumns +
                                     " FROM saved_albums ORDER BY position, id");
    while (rows.Step()) {
      SavedAlbum saved = ReadSavedAlbum(rows);
      if (staged_ids.contains(saved.album.id)) continue;
      order.push_back(SavedAlbumJson(saved));
    }
  }
  db.Exec("DELETE FROM saved_albums");
  sql::Statement insert = db.Prepare(
      "INSERT OR IGNORE INTO saved_albums (id, name, artists, artist, release_date, upc, "
      "cover_url, total_tracks, added_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t position = 0; position < order.size(); ++position) {
    const json& album = order[position];
    std::vector<ArtistRef> artists = ArtistsFromJson(SafeDump(album.value("artists", json())));
    int64_t total_tracks = album.contains("total_tracks") && album["total_tracks"].is_number()
                               ? album["total_tracks"].get<int64_t>()
                               : 0;
    insert
        .Bind(album.value("id", ""), album.value("name", ""), SafeDump(ArtistsJson(artists)),
              JoinArtists(artists), album.value("release_date", ""), album.value("upc", ""),
              album.value("cover_url", ""), total_tracks, album.value("added_at", ""),
              static_cast<int64_t>(position))
        .Run();
  }
  DropStaged(db, scope);
  transaction.Commit();
}

bool SavedLibraryStore::AllAlbumsKnown(const std::vector<SavedAlbum>& page) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  return AllSavedKnown(
      db, "SELECT 1 FROM saved_albums WHERE id = ? AND added_at = ?", page,
      [](const SavedAlbum& saved) -> const std::string& { return saved.album.id; });
}

int SavedLibraryStore::SavedAlbumCount() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  return CountOf(db, "SELECT COUNT(*) FROM saved_albums");
}

std::vector<SavedAlbum> SavedLibraryStore::SavedAlbums() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement rows = db.Prepare(std::string("SELECT ") + kSavedAlbumColumns +
                                   " FROM saved_albums ORDER BY position, id");
  return ReadRows(rows, ReadSavedAlbum);
}

void SavedLibraryStore::StageArtists(const std::string& scope, int offset,
                                     const std::vector<Artist>& page,
                                     const std::string& next_cursor, int total) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  std::vector<json> payloads;
  payloads.reserve(page.size());
  for (const Artist& artist : page) {
    json payload = {{"id", artist.id},
                    {"name", artist.name},
                    {"genres", artist.genres},
                    {"image_url", artist.image_url}};
    if (artist.popularity) payload["popularity"] = *artist.popularity;
    payloads.push_back(std::move(payload));
  }
  StageObjects(db, scope, offset, payloads);
  SetFetchProgress(db, scope, "", offset + static_cast<int>(page.size()), next_cursor, total, 0);
  transaction.Commit();
}

void SavedLibraryStore::CommitArtists(const std::string& scope) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  db.Exec("DELETE FROM followed_artists");
  sql::Statement rows =
      db.Prepare("SELECT position, payload FROM staged_objects WHERE scope = ? ORDER BY position");
  sql::Statement insert = db.Prepare(
      "INSERT OR IGNORE INTO followed_artists (id, name, genres, popularity, image_url, position) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  rows.Bind(scope);
  while (rows.Step()) {
    json artist = ParseObject(rows.Text(1));
    std::string id = artist.value("id", "");
    if (id.empty()) continue;
    std::optional<int64_t> popularity;
    if (artist.contains("popularity") && artist["popularity"].is_number_integer()) {
      popularity = artist["popularity"].get<int64_t>();
    }
    json genres = artist.value("genres", json::array());
    insert
        .Bind(id, artist.value("name", ""), SafeDump(genres.is_array() ? genres : json::array()),
              popularity, artist.value("image_url", ""), rows.Int(0))
        .Run();
  }
  DropStaged(db, scope);
  transaction.Commit();
}

std::vector<Artist> SavedLibraryStore::FollowedArtists() {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement rows = db.Prepare(
      "SELECT id, name, genres, popularity, image_url FROM followed_artists "
      "ORDER BY position, id");
  return ReadRows(rows, ReadFollowedArtist);
}

std::vector<std::string> SavedLibraryStore::TracksWithoutAudioFeatures(int limit) {
  StoreLock lock(shared_.mutex);
  return FirstColumnUpTo(shared_.db,
                         std::string("SELECT w.track_id FROM (") + kWantedSql +
                             ") w WHERE w.track_id NOT IN (SELECT track_id FROM audio_features) "
                             "ORDER BY w.track_id LIMIT ?",
                         limit);
}

void SavedLibraryStore::SaveAudioFeatures(const std::vector<AudioFeatures>& features,
                                          const std::vector<std::string>& missing) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Transaction transaction(db);
  sql::Statement insert = db.Prepare(
      "INSERT OR REPLACE INTO audio_features (track_id, acousticness, danceability, energy, "
      "instrumentalness, liveness, loudness, speechiness, tempo, valence, key, mode, "
      "time_signature, fetched_at) "
      "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS "
      "(SELECT 1 FROM tracks WHERE id = ?)");
  std::string now = UtcNow();
  for (const AudioFeatures& f : features) {
    insert
        .Bind(f.track_id, f.acousticness, f.danceability, f.energy, f.instrumentalness, f.liveness,
              f.loudness, f.speechiness, f.tempo, f.valence, f.key, f.mode, f.time_signature, now,
              f.track_id)
        .Run();
  }
  sql::Statement none = db.Prepare(
      "INSERT OR IGNORE INTO audio_features (track_id, fetched_at) SELECT ?, ? WHERE EXISTS "
      "(SELECT 1 FROM tracks WHERE id = ?)");
  for (const std::string& id : missing) none.Bind(id, now, id).Run();
  transaction.Commit();
}

std::optional<AudioFeatures> SavedLibraryStore::GetAudioFeatures(const std::string& track_id) {
  StoreLock lock(shared_.mutex);
  sql::Connection& db = shared_.db;
  sql::Statement row = db.Prepare(
      "SELECT acousticness, danceability, energy, instrumentalness, liveness, loudness, "
      "speechiness, tempo, valence, key, mode, time_signature FROM audio_features "
      "WHERE track_id = ? AND tempo IS NOT NULL");
  if (!row.Bind(track_id).Step()) return std::nullopt;
  AudioFeatures f;
  f.track_id = track_id;
  f.acousticness = row.Double(0);
  f.danceability = row.Double(1);
  f.energy = row.Double(2);
  f.instrumentalness = row.Double(3);
  f.liveness = row.Double(4);
  f.loudness = row.Double(5);
  f.speechiness = row.Double(6);
  f.tempo = row.Double(7);
  f.valence = row.Double(8);
  f.key = static_cast<int>(row.Int(9));
  f.mode = static_cast<int>(row.Int(10));
  f.time_signature = static_cast<int>(row.Int(11));
  return f;
}

}  // namespace spotify_extract
