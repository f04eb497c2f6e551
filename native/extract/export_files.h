#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "spotify/model.h"

// Offline input: Spotify's "Download your data" export and Exportify CSV files, read into
// the model (`beet spotify-extract --from-export PATH`).
//
// - Spotify's Account Data: `YourLibrary.json` (`tracks` = Liked Songs, `albums` = saved
//   albums) and `Playlist1.json`, `Playlist2.json`… (`playlists[].items[]` with `track`
//   {trackName, artistName, albumName, trackUri}, `episode`, `localTrack`, `addedDate`).
//   No ISRC, no duration, a single artist string.
// - Exportify (exportify.net and exportify.app): one CSV per playlist; the header names the
//   columns (`Track URI`, `Track Name`, `Artist Name(s)`, `Album Name`, `ISRC`,
//   `Track Duration (ms)` or `Duration (ms)`, `Added At`, …). Several artists are joined by
//   ", " with commas inside a name escaped as "\,".
// A malformed file is an ExportError naming the file and the entry.

namespace spotify_extract {

class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kUntitledPlaylist = "Untitled";  // a playlist without a name
inline constexpr size_t kMaxExportFileBytes = size_t{512} * 1024 * 1024;

// One file of an export: on disk (`path`), or already in memory (`bytes`, a zip member).
struct ExportSource {
  std::string display;  // how messages name it: the path, or "archive.zip:member"
  std::string path;     // bytes of a file system path; empty: `bytes` holds the content
  std::string bytes;
  double modified = 0;  // POSIX seconds
};

struct ExportPlaylist {
  std::string name;
  std::string description;
  std::string modified;
  std::vector<PlaylistEntry> entries;
  std::string source_file;
};

struct ExportData {
  std::vector<ExportPlaylist> playlists;
  std::optional<std::vector<PlaylistEntry>> liked;  // none: the export has no Liked Songs
  std::optional<std::vector<SavedAlbum>> albums;
  std::vector<std::string> files;
  // Account data (Playlist*.json) lists every playlist: it decides which exist.
  bool complete = false;
  double made_at = 0;  // POSIX seconds: the newest modification time of its files
};

// Everything the sources hold, in their order; `path` names the export in the message
// when none of them is an export file. Throws ExportError.
ExportData ReadExport(const std::vector<ExportSource>& sources, const std::string& path);

// The base62 id of "spotify:track:ID" or "https://open.spotify.com/track/ID", or "".
std::string TrackIdFromUri(const std::string& uri);
// Exportify's "A, B\, C" -> {"A", "B, C"}.
std::vector<std::string> SplitArtists(const std::string& text);
// A playlist name for comparison: NFKC, case folded, letters and digits only (Exportify's
// file names lose punctuation and case).
std::string NameKey(const std::string& name);

}  // namespace spotify_extract
