#include "playlist/m3u.h"

#include <cmath>

#include "playlist/file_name.h"

namespace spotify_extract {

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (!segment.empty() && segment != ".") {
      if (segment == "..") {
        if (!out.empty()) out.pop_back();  // "/.." is "/"
      } else {
        out.push_back(segment);
      }
    }
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& segments, size_t from, char separator) {
  std::string out;
  for (size_t i = from; i < segments.size(); ++i) {
    if (i > from) out.push_back(separator);
    out.append(segments[i]);
  }
  return out;
}

std::string WithPrefix(const std::string& prefix, std::string location, char separator) {
  if (prefix.empty()) return location;
  std::string out = prefix;
  while (!out.empty() && (out.back() == '/' || out.back() == '\\')) out.pop_back();
  size_t skip = 0;
  while (skip < location.size() && (location[skip] == '/' || location[skip] == '\\')) ++skip;
  if (out.empty()) out.push_back(separator);  // a prefix of "/" is the root
  if (out.back() != separator) out.push_back(separator);
  out.append(location, skip);
  return out;
}

}  // namespace

MirrorEntry MirrorEntry::Matched(std::string path, double duration, std::string artist,
                                 std::string title, std::string spotify_uri) {
  MirrorEntry entry;
  entry.matched = true;
  entry.path = std::move(path);
  entry.duration = duration;
  entry.artist = std::move(artist);
  entry.title = std::move(title);
  entry.spotify_uri = std::move(spotify_uri);
  return entry;
}

MirrorEntry MirrorEntry::Missing(std::string artist, std::string title, std::string spotify_uri) {
  MirrorEntry entry;
  entry.artist = std::move(artist);
  entry.title = std::move(title);
  entry.spotify_uri = std::move(spotify_uri);
  return entry;
}

PathStyle TargetProfile(std::string_view target) {
  PathStyle style;
  if (target == "mpd" || target == "prefix") {
    style.relative_to = RelativeTo::kLibrary;
  } else if (target == "sonos" || target == "navidrome" || target == "jellyfin") {
    style.relative_to = RelativeTo::kPlaylist;
  } else if (target == "absolute") {
    style.relative_to = RelativeTo::kAbsolute;
  } else {
    throw PlaylistConfigError("unknown playlist target '" + std::string(target) +
                              "' (use mpd, sonos, navidrome, jellyfin, absolute or prefix)");
  }
  return style;
}

RelativeTo ParseRelativeTo(std::string_view value) {
  if (value == "library") return RelativeTo::kLibrary;
  if (value == "playlist") return RelativeTo::kPlaylist;
  if (value == "absolute") return RelativeTo::kAbsolute;
  throw PlaylistConfigError("unknown relative_to '" + std::string(value) +
                            "' (use library, playlist or absolute)");
}

std::string_view RelativeToName(RelativeTo value) {
  switch (value) {
    case RelativeTo::kLibrary:
      return "library";
    case RelativeTo::kPlaylist:
      return "playlist";
    case RelativeTo::kAbsolute:
      return "absolute";
  }
  return "library";
}

std::string NormalizeExtension(std::string_view extension) {
  std::string_view bare = extension;
  if (bare.starts_with('.')) bare.remove_prefix(1);
  bool ok = !bare.empty() && bare.size() <= 10;
  for (char c : bare) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  }
  if (!ok) {
    throw PlaylistConfigError("playlist_extension '" + std::string(extension) +
                              "' is not a file extension (use .m3u or .m3u8)");
  }
  std::string normalized = ".";
  normalized.append(bare);
  return normalized;
}

std::string LexicallyNormalPath(std::string_view path, std::string_view cwd) {
  std::string joined;
  if (!path.starts_with('/')) {
    joined.append(cwd);
    joined.push_back('/');
  }
  joined.append(path);
  std::string normalized = "/";
  normalized.append(Join(Segments(joined), 0, '/'));
  return normalized;
}

namespace {

// The normalised library root and playlist folder, computed once per playlist.
class PreparedContext {
 public:
  explicit PreparedContext(const RenderContext& context)
      : root_(LexicallyNormalPath(context.library_root)),
        base_dir_(LexicallyNormalPath(context.playlist_dir)),
        root_segments_(Segments(root_)),
        base_segments_(Segments(base_dir_)) {}
  PreparedContext(const PreparedContext&) = delete;
  PreparedContext& operator=(const PreparedContext&) = delete;

  const std::string& root() const { return root_; }
  const std::vector<std::string_view>& root_segments() const { return root_segments_; }
  const std::vector<std::string_view>& base_segments() const { return base_segments_; }

 private:
  std::string root_;
  std::string base_dir_;
  std::vector<std::string_view> root_segments_;  // views into root_
  std::vector<std::string_view> base_segments_;  // views into base_dir_
};

std::optional<std::string> Locate(std::string_view item_path, const RenderContext& context,
                                  const PreparedContext& prepared, SkipReason* reason) {
  auto skip = [reason](SkipReason why) -> std::optional<std::string> {
    if (reason) *reason = why;
    return std::nullopt;
  };
  if (reason) *reason = SkipReason::kNone;
  // A line break would split the entry; a NUL cannot be in a real path (a corrupt
  // library.db) and truncates the line for C readers.
  static constexpr std::string_view kUnwritable("\r\n\0", 3);
  if (item_path.find_first_of(kUnwritable) != std::string_view::npos || item_path.empty()) {
    return skip(SkipReason::kUnrepresentable);
  }
  if (context.non_utf8 == NonUtf8Policy::kSkip && !IsValidUtf8(item_path)) {
    return skip(SkipReason::kNonUtf8);
  }
  const char separator = context.style.forward_slash ? '/' : '\\';
  const std::string file = LexicallyNormalPath(item_path, prepared.root());
  std::vector<std::string_view> file_segments = Segments(file);
  // "/" (or "/music/..") is a folder, not a file; relative to a playlist in "/" it would
  // even be an empty line.
  if (file_segments.empty()) return skip(SkipReason::kUnrepresentable);
  // With '\' between folders, a '\' inside a (Linux) file name would read as a separator
  // ("a\..\b.mp3" climbing out of its folder); such a path cannot be written.
  if (separator == '\\') {
    for (std::string_view segment : file_segments) {
      if (segment.find('\\') != std::string_view::npos) return skip(SkipReason::kUnrepresentable);
    }
  }

  std::string location;
  switch (context.style.relative_to) {
    case RelativeTo::kAbsolute:
      location = std::string(1, separator) + Join(file_segments, 0, separator);
      break;
    case RelativeTo::kLibrary: {
      const std::vector<std::string_view>& root_segments = prepared.root_segments();
      bool inside = file_segments.size() > root_segments.size();
      for (size_t i = 0; inside && i < root_segments.size(); ++i) {
        inside = file_segments[i] == root_segments[i];
      }
      if (!inside) return skip(SkipReason::kOutsideLibrary);
      location = Join(file_segments, root_segments.size(), separator);
      // A relative line starting with '#' would be read as a comment; an absolute path
      // inside the music directory means the same to MPD and beets.
      if (location.starts_with('#') && context.style.path_prefix.empty()) {
        location = std::string(1, separator) + Join(file_segments, 0, separator);
      }
      break;
    }
    case RelativeTo::kPlaylist: {
      const std::vector<std::string_view>& base = prepared.base_segments();
      size_t common = 0;
      while (common < base.size() && common + 1 < file_segments.size() &&
             base[common] == file_segments[common]) {
        ++common;
      }
      for (size_t i = common; i < base.size(); ++i) {
        location.append("..");
        location.push_back(separator);
      }
      location.append(Join(file_segments, common, separator));
      if (location.starts_with('#')) location = std::string(".") + separator + location;
      break;
    }
  }
  return WithPrefix(context.style.path_prefix, std::move(location), separator);
}

}  // namespace

std::optional<std::string> EntryLocation(std::string_view item_path, const RenderContext& context,
                                         SkipReason* reason) {
  PreparedContext prepared(context);
  return Locate(item_path, context, prepared, reason);
}

std::optional<std::string> MarkerPlaylistId(std::string_view content) {
  // The marker is among the comment lines before the first entry.
  while (!content.empty() && content.front() == '#') {
    size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with(kMarkerPrefix)) return std::string(line.substr(kMarkerPrefix.size()));
    if (end == std::string_view::npos) break;
    content.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::string RenderM3u(const std::vector<MirrorEntry>& entries, const RenderContext& context,
                      RenderStats* stats) {
  RenderStats local;
  RenderStats& counts = stats ? *stats : local;
  counts = RenderStats{};
  PreparedContext prepared(context);
  std::string out = "#EXTM3U\n";
  if (!context.playlist_id.empty()) {
    out.append(kMarkerPrefix).append(CleanLineText(context.playlist_id)).push_back('\n');
  }
  for (const MirrorEntry& entry : entries) {
    std::string label = CleanLineText(entry.title);
    if (!entry.artist.empty()) label = CleanLineText(entry.artist) + " - " + label;
    if (!entry.matched) {
      ++counts.missing;
      if (context.missing_comments) {
        out.append("# ").append(label);
        if (!entry.spotify_uri.empty()) out.append(" ").append(CleanLineText(entry.spotify_uri));
        out.push_back('\n');
      }
      continue;
    }
    SkipReason reason = SkipReason::kNone;
    std::optional<std::string> location = Locate(entry.path, context, prepared, &reason);
    if (!location) {
      switch (reason) {
        case SkipReason::kNonUtf8:
          ++counts.skipped_non_utf8;
          break;
        case SkipReason::kOutsideLibrary:
          ++counts.skipped_outside_library;
          break;
        default:
          ++counts.skipped_unrepresentable;
          break;
      }
      continue;
    }
    long seconds = entry.duration > 0 ? std::lround(entry.duration) : -1;
    out.append("#EXTINF:").append(std::to_string(seconds)).append(",").append(label);
    out.push_back('\n');
    out.append(*location);
    out.push_back('\n');
    ++counts.entries;
  }
  return out;
}

}  // namespace spotify_extract
