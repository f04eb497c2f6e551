#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/cancel.h"
#include "spotify/client.h"
#include "store/state_store.h"

// Cover images of playlists, saved albums and followed artists, kept under
// <dir>/<kind>/<spotify id>.webp: an image is fetched (through the client's pacing) only
// when its URL differs from the one its file came from, or the file is gone.

namespace spotify_extract {

inline constexpr const char* kArtworkKinds[] = {"playlists", "albums", "artists"};

// Converts and writes the fetched bytes (the caller's image library) to `path`; throws
// when it cannot.
using SaveArtworkFn =
    std::function<void(const std::string& kind, const std::string& path, const std::string& bytes)>;

struct ArtworkOptions {
  std::vector<std::string> kinds;  // of kArtworkKinds
  std::string dir;                 // state_dir/artwork
  SaveArtworkFn save;
};

struct ArtworkResult {
  int fetched = 0;    // images fetched and written
  int unchanged = 0;  // same URL, file present: no request
  int missing = 0;    // the image server no longer has it (4xx)
  int removed = 0;    // files of things no longer there, deleted
};

// The path of a kind's image for an id (bytes).
std::string ArtworkPath(const std::string& dir, const std::string& kind, const std::string& id);

ArtworkResult SyncArtwork(StateStore& store, SpotifyClient& client, const ArtworkOptions& options,
                          CancelToken* cancel,
                          const std::function<void(int64_t done, int64_t total)>& report = {});

}  // namespace spotify_extract
