#include "extract/artwork.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "http/errors.h"

namespace spotify_extract {

namespace {

namespace fs = std::filesystem;

struct Wanted {
  std::string kind;
  std::string id;
  std::string url;
};

// Only what Spotify's ids look like becomes a file name (export playlists have none).
bool SafeId(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

std::vector<Wanted> WantedImages(StateStore& store, const std::vector<std::string>& kinds) {
  auto on = [&](const char* kind) {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  };
  std::vector<Wanted> wanted;
  if (on("playlists")) {
    for (const PlaylistRecord& record : store.catalog().ListPlaylists()) {
      wanted.push_back({"playlists", record.playlist.id, record.playlist.image_url});
    }
  }
  if (on("albums")) {
    for (const SavedAlbum& saved : store.saved().SavedAlbums()) {
      wanted.push_back({"albums", saved.album.id, saved.album.cover_url});
    }
  }
  if (on("artists")) {
    for (const Artist& artist : store.saved().FollowedArtists()) {
      wanted.push_back({"artists", artist.id, artist.image_url});
    }
  }
  return wanted;
}

}  // namespace

std::string ArtworkPath(const std::string& dir, const std::string& kind, const std::string& id) {
  return (fs::path(dir) / kind / (id + ".webp")).string();
}

ArtworkResult SyncArtwork(StateStore& store, SpotifyClient& client, const ArtworkOptions& options,
                          CancelToken* cancel,
                          const std::function<void(int64_t, int64_t)>& report) {
  ArtworkResult result;
  std::map<std::pair<std::string, std::string>, ArtworkRecord> stored;
  for (ArtworkRecord& record : store.releases().Artwork()) {
    stored[{record.kind, record.spotify_id}] = std::move(record);
  }
  std::vector<Wanted> wanted = WantedImages(store, options.kinds);
  std::set<std::pair<std::string, std::string>> keep;
  const int64_t total = static_cast<int64_t>(wanted.size());
  int64_t done = 0;
  if (report) report(0, total);
  for (const Wanted& image : wanted) {
    if (cancel && cancel->IsCancelled()) throw CancelledError();
    ++done;
    if (image.url.empty() || !SafeId(image.id)) continue;
    keep.insert({image.kind, image.id});
    auto found = stored.find({image.kind, image.id});
    std::error_code error;
    if (found != stored.end() && found->second.url == image.url &&
        fs::exists(found->second.path, error)) {
      ++result.unchanged;
      continue;
    }
    std::string bytes = client.GetImage(image.url, cancel);
    if (bytes.empty()) {
      ++result.missing;
      continue;
    }
    const std::string path = ArtworkPath(options.dir, image.kind, image.id);
    options.save(image.kind, path, bytes);
    if (!fs::exists(path, error)) {  // the image could not be read: nothing recorded
      ++result.missing;
      continue;
    }
    const auto size = fs::file_size(path, error);
    store.releases().SaveArtwork(
        {image.kind, image.id, image.url, path, error ? 0 : static_cast<int64_t>(size), ""});
    ++result.fetched;
    if (report) report(done, total);
  }
  // Images of playlists, albums or artists that are gone (kinds still switched on).
  for (const auto& [key, record] : stored) {
    if (keep.contains(key)) continue;
    if (std::find(options.kinds.begin(), options.kinds.end(), key.first) == options.kinds.end()) {
      continue;
    }
    std::error_code error;
    fs::remove(record.path, error);
    store.releases().DeleteArtwork(key.first, key.second);
    ++result.removed;
  }
  if (report) report(total, total);
  return result;
}

}  // namespace spotify_extract
