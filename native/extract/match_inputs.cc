#include "extract/match_inputs.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <string_view>

#include "playlist/mirror.h"

namespace spotify_extract {

namespace {

// Appends a field and a separator that cannot occur in it unescaped (NUL).
void Append(std::string& out, std::string_view field) {
  out.append(field);
  out.push_back('\0');
}

void AppendNumber(std::string& out, long long value) { Append(out, std::to_string(value)); }

// Size, modification time (ns) and inode of a file; "-" when it does not exist.
void AppendFileStamp(std::string& out, const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    Append(out, "-");
    return;
  }
  AppendNumber(out, static_cast<long long>(info.st_size));
  AppendNumber(out, static_cast<long long>(info.st_mtim.tv_sec));
  AppendNumber(out, static_cast<long long>(info.st_mtim.tv_nsec));
  AppendNumber(out, static_cast<long long>(info.st_ino));
}

// The file this code was loaded from (the Python module or a test binary): a new build
// of the engine may match differently, so it invalidates the stored matches.
void AppendEngineStamp(std::string& out) {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<const void*>(&MatchInputsDigest), &info) != 0 &&
      info.dli_fname != nullptr) {
    Append(out, info.dli_fname);
    AppendFileStamp(out, info.dli_fname);
  } else {
    Append(out, "?");
  }
}

void AppendArtists(std::string& out, const std::vector<ArtistRef>& artists) {
  for (const ArtistRef& artist : artists) {
    out.append(artist.id);
    out.push_back('\x1f');
    out.append(artist.name);
    out.push_back('\x1e');
  }
  out.push_back('\0');
}

}  // namespace

std::string LibraryStamp(const std::string& library_db, const std::string& music_dir) {
  std::string stamp;
  AppendEngineStamp(stamp);
  Append(stamp, library_db);
  AppendFileStamp(stamp, library_db);
  AppendFileStamp(stamp, library_db + "-wal");
  Append(stamp, music_dir);
  return ContentHash(stamp);
}

std::string MatchInputsDigest(const std::string& library_stamp, const MatchOptions& options,
                              const std::vector<Track>& tracks,
                              const std::vector<Override>& overrides) {
  std::string inputs;
  inputs.reserve(tracks.size() * 128);
  Append(inputs, library_stamp);
  Append(inputs, std::to_string(options.min_confidence));
  Append(inputs, std::to_string(options.review_confidence));
  AppendNumber(inputs, options.max_runners_up);
  for (const Override& decision : overrides) {
    Append(inputs, decision.spotify_track_id);
    AppendNumber(inputs, decision.item_id);
    AppendNumber(inputs, decision.rejected ? 1 : 0);
  }
  Append(inputs, "tracks");
  for (const Track& track : tracks) {
    Append(inputs, track.id);
    Append(inputs, track.name);
    AppendArtists(inputs, track.artists);
    Append(inputs, track.album_id);
    Append(inputs, track.album_name);
    Append(inputs, track.album_release_date);
    AppendArtists(inputs, track.album_artists);
    Append(inputs, track.isrc);
    AppendNumber(inputs, track.duration_ms);
    AppendNumber(inputs, track.is_local ? 1 : 0);
  }
  return ContentHash(inputs);
}

}  // namespace spotify_extract
