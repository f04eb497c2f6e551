#include "spotify/parse.h"

#include <cmath>
#include <limits>

namespace spotify_extract {

namespace {

using nlohmann::json;

const json* Field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Str(const json& object, const char* key) {
  const json* value = Field(object, key);
  if (value == nullptr || !value->is_string()) return "";
  return value->get_ref<const std::string&>();
}

std::optional<double> Number(const json& object, const char* key) {
  const json* value = Field(object, key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  double number = value->get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

std::optional<int> OptInt(const json& object, const char* key) {
  const json* value = Field(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) {
    auto number = value->get<int64_t>();
    if (number > std::numeric_limits<int>::max()) return std::numeric_limits<int>::max();
    if (number < std::numeric_limits<int>::min()) return std::numeric_limits<int>::min();
    return static_cast<int>(number);
  }
  if (value->is_number_unsigned()) {
    auto number = value->get<uint64_t>();
    if (number > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
      return std::numeric_limits<int>::max();
    }
    return static_cast<int>(number);
  }
  if (value->is_number_float()) {
    double number = value->get<double>();
    if (!std::isfinite(number)) return std::nullopt;
    if (number >= std::numeric_limits<int>::max()) return std::numeric_limits<int>::max();
    if (number <= std::numeric_limits<int>::min()) return std::numeric_limits<int>::min();
    return static_cast<int>(number);
  }
  return std::nullopt;
}

int Int(const json& object, const char* key, int fallback = 0) {
  return OptInt(object, key).value_or(fallback);
}

bool Bool(const json& object, const char* key, bool fallback = false) {
  const json* value = Field(object, key);
  if (value == nullptr || !value->is_boolean()) return fallback;
  return value->get<bool>();
}

const json& Object(const json& object, const char* key) {
  static const json kEmpty = json::object();
  const json* value = Field(object, key);
  if (value == nullptr || !value->is_object()) return kEmpty;
  return *value;
}

std::vector<ArtistRef> Artists(const json& object) {
  std::vector<ArtistRef> artists;
  const json* list = Field(object, "artists");
  if (list == nullptr || !list->is_array()) return artists;
  for (const json& artist : *list) {
    if (!artist.is_object()) continue;
    ArtistRef ref{Str(artist, "id"), Str(artist, "name")};
    if (ref.id.empty() && ref.name.empty()) continue;
    artists.push_back(std::move(ref));
  }
  return artists;
}

std::string FirstImage(const json& object) {
  const json* images = Field(object, "images");
  if (images == nullptr || !images->is_array()) return "";
  for (const json& image : *images) {
    std::string url = Str(image, "url");
    if (!url.empty()) return url;
  }
  return "";
}

}  // namespace

RawPage ParsePage(const json& page) {
  RawPage raw;
  const json* items = Field(page, "items");
  if (items != nullptr && items->is_array()) {
    raw.items.reserve(items->size());
    for (const json& item : *items) raw.items.push_back(&item);
  }
  raw.total = std::max(-1, Int(page, "total", -1));
  raw.offset = std::max(0, Int(page, "offset", 0));
  raw.limit = std::max(0, Int(page, "limit", 0));
  raw.next = Str(page, "next");
  raw.cursor_after = Str(Object(page, "cursors"), "after");
  return raw;
}

Track ParseTrack(const json& object) {
  Track track;
  if (!object.is_object()) return track;
  track.id = Str(object, "id");
  track.name = Str(object, "name");
  track.artists = Artists(object);
  const json& album = Object(object, "album");
  track.album_id = Str(album, "id");
  track.album_name = Str(album, "name");
  track.album_artists = Artists(album);
  track.album_release_date = Str(album, "release_date");
  track.cover_url = FirstImage(album);
  track.preview_url = Str(object, "preview_url");
  track.isrc = Str(Object(object, "external_ids"), "isrc");
  track.duration_ms = std::max(0, Int(object, "duration_ms"));
  track.disc_number = std::max(0, Int(object, "disc_number"));
  track.track_number = std::max(0, Int(object, "track_number"));
  track.explicit_content = Bool(object, "explicit");
  track.is_local = Bool(object, "is_local");
  track.is_playable = Bool(object, "is_playable", true);
  track.popularity = OptInt(object, "popularity");
  return track;
}

PlaylistEntry ParsePlaylistEntry(const json& entry) {
  PlaylistEntry result;
  result.kind = EntryKind::kNull;
  if (!entry.is_object()) return result;
  result.added_at = Str(entry, "added_at");
  result.added_by = Str(Object(entry, "added_by"), "id");
  const json* object = Field(entry, "item");
  if (object == nullptr || !object->is_object()) object = Field(entry, "track");
  if (object == nullptr || !object->is_object()) return result;

  std::string type = Str(*object, "type");
  std::string uri = Str(*object, "uri");
  if (Bool(entry, "is_local") || Bool(*object, "is_local") || uri.rfind("spotify:local:", 0) == 0) {
    result.kind = EntryKind::kLocalFile;
    result.track = ParseTrack(*object);
    result.track.id.clear();
    result.track.is_local = true;
    return result;
  }
  if (type == "episode" || Bool(*object, "episode") || uri.rfind("spotify:episode:", 0) == 0) {
    result.kind = EntryKind::kEpisode;
    result.track = ParseTrack(*object);
    const json& show = Object(*object, "show");
    if (!show.empty()) {
      result.track.album_id = Str(show, "id");
      result.track.album_name = Str(show, "name");
      std::string publisher = Str(show, "publisher");
      if (result.track.artists.empty() && !publisher.empty()) {
        result.track.artists.push_back({"", publisher});
      }
    }
    return result;
  }
  result.track = ParseTrack(*object);
  if (result.track.id.empty() && result.track.name.empty()) {
    result.kind = EntryKind::kNull;
  } else if (result.track.id.empty() || !result.track.is_playable) {
    result.kind = EntryKind::kUnavailable;
  } else {
    result.kind = EntryKind::kTrack;
  }
  return result;
}

std::optional<Playlist> ParsePlaylist(const json& object) {
  Playlist playlist;
  playlist.id = Str(object, "id");
  if (playlist.id.empty()) return std::nullopt;
  playlist.name = Str(object, "name");
  playlist.description = Str(object, "description");
  const json& owner = Object(object, "owner");
  playlist.owner_id = Str(owner, "id");
  playlist.owner_name = Str(owner, "display_name");
  playlist.snapshot_id = Str(object, "snapshot_id");
  playlist.image_url = FirstImage(object);
  playlist.collaborative = Bool(object, "collaborative");
  playlist.is_public = Bool(object, "public");
  std::optional<int> total = OptInt(Object(object, "items"), "total");
  if (!total) total = OptInt(Object(object, "tracks"), "total");
  playlist.total_entries = std::max(0, total.value_or(0));
  return playlist;
}

std::optional<SavedTrack> ParseSavedTrack(const json& saved) {
  const json* object = Field(saved, "track");
  if (object == nullptr || !object->is_object()) return std::nullopt;
  SavedTrack result;
  result.added_at = Str(saved, "added_at");
  result.track = ParseTrack(*object);
  if (result.track.id.empty() && result.track.name.empty()) return std::nullopt;
  return result;
}

Album ParseAlbum(const json& object) {
  Album album;
  album.id = Str(object, "id");
  album.name = Str(object, "name");
  album.artists = Artists(object);
  album.release_date = Str(object, "release_date");
  album.upc = Str(Object(object, "external_ids"), "upc");
  album.cover_url = FirstImage(object);
  album.total_tracks = std::max(0, Int(object, "total_tracks"));
  return album;
}

std::optional<SavedAlbum> ParseSavedAlbum(const json& saved) {
  const json* object = Field(saved, "album");
  if (object == nullptr || !object->is_object()) return std::nullopt;
  SavedAlbum result;
  result.added_at = Str(saved, "added_at");
  result.album = ParseAlbum(*object);
  if (result.album.id.empty()) return std::nullopt;
  return result;
}

std::optional<ArtistRelease> ParseArtistRelease(const json& object) {
  ArtistRelease release;
  release.album = ParseAlbum(object);
  if (release.album.id.empty()) return std::nullopt;
  release.album_type = Str(object, "album_type");
  release.album_group = Str(object, "album_group");
  if (release.album_group.empty()) release.album_group = release.album_type;
  return release;
}

std::optional<Artist> ParseArtist(const json& object) {
  Artist artist;
  artist.id = Str(object, "id");
  if (artist.id.empty()) return std::nullopt;
  artist.name = Str(object, "name");
  const json* genres = Field(object, "genres");
  if (genres != nullptr && genres->is_array()) {
    for (const json& genre : *genres) {
      if (genre.is_string()) artist.genres.push_back(genre.get<std::string>());
    }
  }
  artist.popularity = OptInt(object, "popularity");
  artist.image_url = FirstImage(object);
  return artist;
}

std::optional<AudioFeatures> ParseAudioFeatures(const json& object) {
  AudioFeatures features;
  features.track_id = Str(object, "id");
  if (features.track_id.empty()) return std::nullopt;
  features.acousticness = Number(object, "acousticness").value_or(0);
  features.danceability = Number(object, "danceability").value_or(0);
  features.energy = Number(object, "energy").value_or(0);
  features.instrumentalness = Number(object, "instrumentalness").value_or(0);
  features.liveness = Number(object, "liveness").value_or(0);
  features.loudness = Number(object, "loudness").value_or(0);
  features.speechiness = Number(object, "speechiness").value_or(0);
  features.tempo = Number(object, "tempo").value_or(0);
  features.valence = Number(object, "valence").value_or(0);
  features.key = Int(object, "key", -1);
  features.mode = Int(object, "mode");
  features.time_signature = Int(object, "time_signature");
  return features;
}

UserProfile ParseUserProfile(const json& object) {
  UserProfile user;
  user.id = Str(object, "id");
  user.display_name = Str(object, "display_name");
  user.product = Str(object, "product");
  return user;
}

std::string ErrorMessage(const json& body) {
  const json& error = Object(body, "error");
  std::string message = Str(error, "message");
  if (message.empty()) message = Str(body, "error_description");
  if (message.empty()) message = Str(body, "error");
  if (message.size() > 300) message.resize(300);
  return message;
}

}  // namespace spotify_extract
