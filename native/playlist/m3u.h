#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spotify_extract {

// A bad playlist setting (unknown target, relative_to, extension); the message names it.
class PlaylistConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the entries of an m3u are relative to.
enum class RelativeTo {
  kLibrary,   // beets' music directory (MPD's music_directory, beets' playlist plugin)
  kPlaylist,  // the folder holding the m3u (Sonos, Navidrome, Jellyfin, Kodi, VLC)
  kAbsolute,  // full paths
};

// How entries are written; each target profile is one of these, every part overridable.
struct PathStyle {
  RelativeTo relative_to = RelativeTo::kLibrary;
  // Put in front of every entry, joined with one separator: "/music" for a container,
  // "smb://nas/Music" or "\\\\NAS\\Music" for a share. Empty: nothing.
  std::string path_prefix;
  // true: '/' between folders (every player); false: '\' (Windows-only consumers).
  bool forward_slash = true;
  std::string extension = ".m3u";  // ".m3u" or ".m3u8"; MPD's playlist_directory: ".m3u"
};

// mpd | sonos | navidrome | jellyfin | absolute | prefix. Throws PlaylistConfigError.
PathStyle TargetProfile(std::string_view target);
RelativeTo ParseRelativeTo(std::string_view value);  // library | playlist | absolute
std::string_view RelativeToName(RelativeTo value);
// Checks an extension (".m3u", "m3u8" ...) and returns it with its dot.
std::string NormalizeExtension(std::string_view extension);

// What to do with a file path that is not valid UTF-8 (possible on Linux file systems).
enum class NonUtf8Policy {
  kSkip,      // leave the entry out and count it (default: the m3u stays valid UTF-8)
  kWriteRaw,  // write the bytes unchanged (beets' playlist plugin and MPD with a
              // non-UTF-8 filesystem_charset read them; Navidrome/Jellyfin will not)
};

// One position of a playlist: a local file that matched, or a track still missing.
struct MirrorEntry {
  bool matched = false;
  std::string path;     // matched: absolute path bytes as beets resolves them
  double duration = 0;  // seconds; <= 0 when unknown
  std::string artist;   // UTF-8 (bad bytes are replaced when written)
  std::string title;
  std::string spotify_uri;  // "spotify:track:ID" (shown for missing tracks)

  static MirrorEntry Matched(std::string path, double duration, std::string artist,
                             std::string title, std::string spotify_uri = {});
  static MirrorEntry Missing(std::string artist, std::string title, std::string spotify_uri);
};

// Why an entry was left out of a playlist.
enum class SkipReason { kNone, kNonUtf8, kOutsideLibrary, kUnrepresentable };

// The comment line that marks a file as written by this plugin for one playlist:
// "#SPOTIFY-EXTRACT:playlist=<Spotify id>", second line of every mirrored file. Players
// skip '#' lines they do not know (MPD, Sonos, Navidrome, Jellyfin, Kodi, VLC).
inline constexpr std::string_view kMarkerPrefix = "#SPOTIFY-EXTRACT:playlist=";

// The playlist id of the marker line among the leading comment lines of `content`
// (nullopt when there is none).
std::optional<std::string> MarkerPlaylistId(std::string_view content);

struct RenderContext {
  std::string library_root;  // beets' music directory, absolute
  std::string playlist_dir;  // where the m3u goes, absolute
  PathStyle style;
  bool missing_comments = false;  // "# artist - title spotify:track:ID" for missing tracks
  NonUtf8Policy non_utf8 = NonUtf8Policy::kSkip;
  std::string playlist_id;  // written as the marker line (none when empty)
};

struct RenderStats {
  int entries = 0;                  // playable lines written
  int missing = 0;                  // missing tracks (commented or not)
  int skipped_non_utf8 = 0;         // matched, but the path is not UTF-8 (kSkip)
  int skipped_outside_library = 0;  // matched, but outside the music directory
                                    // (library-relative styles cannot express it)
  int skipped_unrepresentable = 0;  // matched, but the path holds a line break or NUL
                                    // (or a backslash when backslashes separate folders)
  int skipped() const {
    return skipped_non_utf8 + skipped_outside_library + skipped_unrepresentable;
  }
};

// '.' and '..' resolved, duplicate slashes removed; relative paths join `cwd` first.
std::string LexicallyNormalPath(std::string_view path, std::string_view cwd = {});

// The line for one file, or nullopt (with the reason) when it cannot be written.
std::optional<std::string> EntryLocation(std::string_view item_path, const RenderContext& context,
                                         SkipReason* reason = nullptr);

// The whole m3u: "#EXTM3U", the marker line, then per matched entry "#EXTINF:<seconds>,<artist> -
// <title>" and its location; '\n' line ends, UTF-8, no BOM, Spotify order kept.
std::string RenderM3u(const std::vector<MirrorEntry>& entries, const RenderContext& context,
                      RenderStats* stats = nullptr);

}  // namespace spotify_extract
