// Inputs found by the fuzzer (tests/fuzz/fuzz_m3u.cc), kept as regression tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "playlist/m3u.h"

namespace spotify_extract {
namespace {

// crash-09627490: a library.db path holding NUL bytes was written into the m3u as is.
TEST(M3uRegression, PathWithNulIsSkippedNotWritten) {
  RenderContext context;
  context.library_root = "/music";
  context.playlist_dir = "/music/Playlists";
  context.style = TargetProfile("mpd");
  context.non_utf8 = NonUtf8Policy::kWriteRaw;
  const std::vector<MirrorEntry> entries = {
      MirrorEntry::Matched(std::string("/music/a\0b.mp3", 15), 200, "A", "T"),
      MirrorEntry::Matched(std::string("\0\0\0\0relative/x.ogg", 18), 200, "B", "A"),
      MirrorEntry::Matched("/music/ok.mp3", 200, "C", "D"),
  };
  RenderStats stats;
  const std::string m3u = RenderM3u(entries, context, &stats);
  EXPECT_EQ(m3u.find('\0'), std::string::npos);
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.skipped_unrepresentable, 2);
  EXPECT_EQ(m3u, "#EXTM3U\n#EXTINF:200,C - D\nok.mp3\n");

  SkipReason reason = SkipReason::kNone;
  EXPECT_FALSE(EntryLocation(std::string("/music/x\0", 9), context, &reason));
  EXPECT_EQ(reason, SkipReason::kUnrepresentable);
}

// crash-bccf8fb4 (fuzz_m3u): with '\\' separators (forward_slash: no), a Linux file name
// holding '\\' was written as is, so "a\\..\\b.mp3" read as a path climbing out of the
// music directory and ";\\" as a folder.
TEST(M3uRegression, BackslashInAFileNameIsSkippedWhenBackslashSeparatesFolders) {
  RenderContext context;
  context.library_root = "/music";
  context.playlist_dir = "/music/Playlists";
  context.style = TargetProfile("mpd");
  context.style.forward_slash = false;
  const std::vector<MirrorEntry> entries = {
      MirrorEntry::Matched("/music/a\\..\\..\\b.mp3", 200, "A", "T"),
      MirrorEntry::Matched(";\\", 200, "B", "A"),
      MirrorEntry::Matched("/music/Artist/ok.mp3", 200, "C", "D"),
  };
  RenderStats stats;
  EXPECT_EQ(RenderM3u(entries, context, &stats), "#EXTM3U\n#EXTINF:200,C - D\nArtist\\ok.mp3\n");
  EXPECT_EQ(stats.skipped_unrepresentable, 2);

  // With '/' separators the same names are ordinary file names and are kept.
  context.style.forward_slash = true;
  EXPECT_EQ(RenderM3u(entries, context, &stats),
            "#EXTM3U\n#EXTINF:200,A - T\na\\..\\..\\b.mp3\n#EXTINF:200,B - A\n;\\\n"
            "#EXTINF:200,C - D\nArtist/ok.mp3\n");
  EXPECT_EQ(stats.skipped_unrepresentable, 0);
}

// crash-b3b52873 (fuzz_m3u): an item whose path resolves to "/" gave an empty entry line
// when the playlist folder is "/" and entries are relative to it.
TEST(M3uRegression, PathThatIsTheRootIsSkipped) {
  RenderContext context;
  context.library_root = "/";
  context.playlist_dir = "/";
  context.style = TargetProfile("sonos");
  for (const char* path : {"/", "/music/..", "//", "/./"}) {
    SkipReason reason = SkipReason::kNone;
    EXPECT_FALSE(EntryLocation(path, context, &reason)) << path;
    EXPECT_EQ(reason, SkipReason::kUnrepresentable) << path;
  }
  RenderStats stats;
  EXPECT_EQ(RenderM3u({MirrorEntry::Matched("/", 1, "", "")}, context, &stats), "#EXTM3U\n");
  EXPECT_EQ(stats.skipped_unrepresentable, 1);
}

}  // namespace
}  // namespace spotify_extract
