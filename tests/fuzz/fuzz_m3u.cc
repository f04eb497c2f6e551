// The m3u renderer: item paths (raw bytes from beets' library.db) and labels (Spotify text)
// of any kind must give a file of whole lines, '#EXTM3U' first, two lines per playable
// entry, no stray line breaks or NULs, valid UTF-8 unless raw bytes were asked for, and
// library-relative entries that never climb out of the music directory.
//
// Input: a few settings bytes, then entries as path 0x1E artist 0x1E title, separated by
// 0x1F.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "playlist/file_name.h"
#include "playlist/m3u.h"

namespace se = spotify_extract;

namespace {

std::vector<std::string> SplitOn(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  FuzzedDataProvider provider(data, size);
  se::RenderContext context;
  static const char* const kTargets[] = {"mpd",      "sonos",    "navidrome",
                                         "jellyfin", "absolute", "prefix"};
  context.style = se::TargetProfile(kTargets[provider.ConsumeIntegralInRange<int>(0, 5)]);
  static const char* const kPrefixes[] = {"", "/nas/Music", "smb://nas/Music", "\\\\NAS\\Music"};
  context.style.path_prefix = kPrefixes[provider.ConsumeIntegralInRange<int>(0, 3)];
  context.style.forward_slash = provider.ConsumeBool();
  context.missing_comments = provider.ConsumeBool();
  context.non_utf8 =
      provider.ConsumeBool() ? se::NonUtf8Policy::kSkip : se::NonUtf8Policy::kWriteRaw;
  static const char* const kRoots[] = {"/music", "/", "/music/", "/a/../music//x", ""};
  context.library_root = kRoots[provider.ConsumeIntegralInRange<int>(0, 4)];
  static const char* const kDirs[] = {"/music/Playlists", "/srv/playlists", "/", "/music"};
  context.playlist_dir = kDirs[provider.ConsumeIntegralInRange<int>(0, 3)];
  const double duration = provider.ConsumeFloatingPoint<double>();

  std::vector<se::MirrorEntry> entries;
  for (const std::string& record : SplitOn(provider.ConsumeRemainingBytesAsString(), '\x1F')) {
    std::vector<std::string> fields = SplitOn(record, '\x1E');
    fields.resize(3);
    if (fields[0].empty()) {
      entries.push_back(
          se::MirrorEntry::Missing(fields[1], fields[2], "spotify:track:" + fields[2]));
    } else {
      entries.push_back(se::MirrorEntry::Matched(fields[0], duration, fields[1], fields[2]));
    }
  }

  se::RenderStats stats;
  const std::string m3u = se::RenderM3u(entries, context, &stats);
  FUZZ_CHECK(m3u.starts_with("#EXTM3U\n"));
  FUZZ_CHECK(m3u.ends_with('\n'));
  FUZZ_CHECK(m3u.find('\r') == std::string::npos);
  FUZZ_CHECK(m3u.find('\0') == std::string::npos);
  if (context.non_utf8 == se::NonUtf8Policy::kSkip) FUZZ_CHECK(se::IsValidUtf8(m3u));
  const auto lines = static_cast<int>(std::count(m3u.begin(), m3u.end(), '\n'));
  const int comments = context.missing_comments ? stats.missing : 0;
  FUZZ_CHECK(lines == 1 + 2 * stats.entries + comments);
  FUZZ_CHECK(stats.entries + stats.missing + stats.skipped() == static_cast<int>(entries.size()));

  // Every location line: not a comment, and inside the music directory when relative to it.
  std::vector<std::string> out_lines = SplitOn(m3u, '\n');
  for (size_t i = 1; i + 1 < out_lines.size(); ++i) {
    if (!out_lines[i].starts_with("#EXTINF:")) {
      FUZZ_CHECK(out_lines[i].starts_with("# "));  // a missing track's comment
      continue;
    }
    const std::string& line = out_lines[++i];
    FUZZ_CHECK_TEXT(!line.empty() && !line.starts_with('#'), out_lines[i - 1] + " | " + line);
    const char separator = context.style.forward_slash ? '/' : '\\';
    if (context.style.relative_to == se::RelativeTo::kLibrary &&
        context.style.path_prefix.empty() && !line.starts_with(separator)) {
      for (const std::string& segment : SplitOn(line, separator)) {
        FUZZ_CHECK_TEXT(segment != ".." && segment != "." && !segment.empty(), line);
      }
    }
  }
  return 0;
}
