#include "playlist/m3u.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace spotify_extract {
namespace {

RenderContext Context(std::string_view target) {
  RenderContext context;
  context.library_root = "/home/me/Music";
  context.playlist_dir = "/home/me/Music/Playlists";
  context.style = TargetProfile(target);
  return context;
}

std::string Location(std::string_view path, const RenderContext& context) {
  SkipReason reason = SkipReason::kNone;
  std::optional<std::string> location = EntryLocation(path, context, &reason);
  return location ? *location : "<skipped " + std::to_string(static_cast<int>(reason)) + ">";
}

const char kSong[] = "/home/me/Music/Björk/Homogenic/01 Hunter.flac";

TEST(TargetProfile, KnowsEveryPlayer) {
  EXPECT_EQ(TargetProfile("mpd").relative_to, RelativeTo::kLibrary);
  EXPECT_EQ(TargetProfile("sonos").relative_to, RelativeTo::kPlaylist);
  EXPECT_EQ(TargetProfile("navidrome").relative_to, RelativeTo::kPlaylist);
  EXPECT_EQ(TargetProfile("jellyfin").relative_to, RelativeTo::kPlaylist);
  EXPECT_EQ(TargetProfile("absolute").relative_to, RelativeTo::kAbsolute);
  EXPECT_EQ(TargetProfile("prefix").relative_to, RelativeTo::kLibrary);
  for (const char* target : {"mpd", "sonos", "navidrome", "jellyfin", "absolute", "prefix"}) {
    EXPECT_TRUE(TargetProfile(target).forward_slash) << target;
    EXPECT_EQ(TargetProfile(target).extension, ".m3u") << target;
  }
  EXPECT_THROW(TargetProfile("winamp"), PlaylistConfigError);
  EXPECT_THROW(ParseRelativeTo("home"), PlaylistConfigError);
  EXPECT_EQ(ParseRelativeTo("playlist"), RelativeTo::kPlaylist);
}

TEST(NormalizeExtension, AcceptsOnlyPlainExtensions) {
  EXPECT_EQ(NormalizeExtension("m3u8"), ".m3u8");
  EXPECT_EQ(NormalizeExtension(".m3u"), ".m3u");
  EXPECT_THROW(NormalizeExtension("../x"), PlaylistConfigError);
  EXPECT_THROW(NormalizeExtension(""), PlaylistConfigError);
  EXPECT_THROW(NormalizeExtension(".m3u/"), PlaylistConfigError);
}

TEST(EntryLocation, MpdIsRelativeToTheMusicDirectory) {
  EXPECT_EQ(Location(kSong, Context("mpd")), "Björk/Homogenic/01 Hunter.flac");
}

TEST(EntryLocation, SonosAndNavidromeAreRelativeToThePlaylist) {
  EXPECT_EQ(Location(kSong, Context("sonos")), "../Björk/Homogenic/01 Hunter.flac");
  EXPECT_EQ(Location(kSong, Context("navidrome")), "../Björk/Homogenic/01 Hunter.flac");
  RenderContext outside = Context("jellyfin");
  outside.playlist_dir = "/srv/playlists/spotify";
  EXPECT_EQ(Location(kSong, outside), "../../../home/me/Music/Björk/Homogenic/01 Hunter.flac");
  RenderContext same = Context("sonos");
  same.playlist_dir = "/home/me/Music/Björk/Homogenic";
  EXPECT_EQ(Location(kSong, same), "01 Hunter.flac");
  RenderContext root = Context("sonos");
  root.playlist_dir = "/home/me/Music";
  EXPECT_EQ(Location(kSong, root), "Björk/Homogenic/01 Hunter.flac");
}

TEST(EntryLocation, AbsoluteAndPrefix) {
  EXPECT_EQ(Location(kSong, Context("absolute")), kSong);
  RenderContext prefix = Context("prefix");
  prefix.style.path_prefix = "/music/";
  EXPECT_EQ(Location(kSong, prefix), "/music/Björk/Homogenic/01 Hunter.flac");
  prefix.style.path_prefix = "smb://nas/Music";
  EXPECT_EQ(Location(kSong, prefix), "smb://nas/Music/Björk/Homogenic/01 Hunter.flac");
  prefix.style.path_prefix = "\\\\NAS\\Music";
  prefix.style.forward_slash = false;
  EXPECT_EQ(Location(kSong, prefix), "\\\\NAS\\Music\\Björk\\Homogenic\\01 Hunter.flac");
}

TEST(EntryLocation, BackslashesWhenAsked) {
  RenderContext context = Context("sonos");
  context.style.forward_slash = false;
  EXPECT_EQ(Location(kSong, context), "..\\Björk\\Homogenic\\01 Hunter.flac");
}

TEST(EntryLocation, NormalisesDotsAndSlashes) {
  RenderContext context = Context("mpd");
  context.library_root = "/home/me/./Music/";
  EXPECT_EQ(Location("/home/me/Music//Björk/../Björk/./Homogenic/01 Hunter.flac", context),
            "Björk/Homogenic/01 Hunter.flac");
  // beets >= 2.10 may hand a path relative to the music directory.
  EXPECT_EQ(Location("Björk/Homogenic/01 Hunter.flac", context), "Björk/Homogenic/01 Hunter.flac");
}

TEST(EntryLocation, OutsideTheLibraryCannotBeLibraryRelative) {
  EXPECT_EQ(Location("/mnt/other/song.mp3", Context("mpd")), "<skipped 2>");
  // A sibling folder whose name starts like the library is outside too.
  EXPECT_EQ(Location("/home/me/Music2/song.mp3", Context("mpd")), "<skipped 2>");
  EXPECT_EQ(Location("/mnt/other/song.mp3", Context("absolute")), "/mnt/other/song.mp3");
  EXPECT_EQ(Location("/mnt/other/song.mp3", Context("sonos")), "../../../../mnt/other/song.mp3");
}

TEST(EntryLocation, LinesThatWouldBeCommentsOrBreakTheFile) {
  std::string hash = "/home/me/Music/#1 Hits/song.mp3";
  EXPECT_EQ(Location(hash, Context("mpd")), hash);  // absolute inside music_directory
  RenderContext sonos = Context("sonos");
  sonos.playlist_dir = "/home/me/Music";
  EXPECT_EQ(Location(hash, sonos), "./#1 Hits/song.mp3");
  EXPECT_EQ(Location("/home/me/Music/a\nb.mp3", Context("mpd")), "<skipped 3>");
  EXPECT_EQ(Location("/home/me/Music/a\rb.mp3", Context("absolute")), "<skipped 3>");
}

TEST(EntryLocation, NonUtf8PathsAreSkippedOrWrittenUnchanged) {
  std::string latin1 = "/home/me/Music/Bj\xf6rk/song.mp3";
  EXPECT_EQ(Location(latin1, Context("mpd")), "<skipped 1>");
  RenderContext raw = Context("mpd");
  raw.non_utf8 = NonUtf8Policy::kWriteRaw;
  EXPECT_EQ(Location(latin1, raw), "Bj\xf6rk/song.mp3");
}

TEST(RenderM3u, WritesExtM3uInSpotifyOrder) {
  RenderContext context = Context("mpd");
  context.missing_comments = true;
  std::vector<MirrorEntry> entries = {
      MirrorEntry::Matched("/home/me/Music/B/b.mp3", 241.6, "Bee", "Second"),
      MirrorEntry::Missing("Nobody", "Not Here", "spotify:track:4uLU6hMCjMI75M1A2tKUQC"),
      MirrorEntry::Matched("/home/me/Music/A/a.flac", 0, "", "Untimed"),
      MirrorEntry::Matched("/home/me/Music/C/c.ogg", 59.4, "Evil\nArtist", "Title\r#EXTM3U"),
  };
  RenderStats stats;
  std::string m3u = RenderM3u(entries, context, &stats);
  EXPECT_EQ(m3u,
            "#EXTM3U\n"
            "#EXTINF:242,Bee - Second\n"
            "B/b.mp3\n"
            "# Nobody - Not Here spotify:track:4uLU6hMCjMI75M1A2tKUQC\n"
            "#EXTINF:-1,Untimed\n"
            "A/a.flac\n"
            "#EXTINF:59,Evil Artist - Title #EXTM3U\n"
            "C/c.ogg\n");
  EXPECT_EQ(stats.entries, 3);
  EXPECT_EQ(stats.missing, 1);
  EXPECT_EQ(stats.skipped(), 0);
}

TEST(RenderM3u, MissingTracksAreSilentByDefaultAndSkipsAreCounted) {
  RenderContext context = Context("mpd");
  std::vector<MirrorEntry> entries = {
      MirrorEntry::Missing("A", "B", "spotify:track:x"),
      MirrorEntry::Matched("/elsewhere/x.mp3", 10, "A", "Out"),
      MirrorEntry::Matched("/home/me/Music/Bj\xf6rk.mp3", 10, "Bj\xf6rk", "Raw"),
      MirrorEntry::Matched("/home/me/Music/ok.mp3", 10, "A", "Ok"),
  };
  RenderStats stats;
  std::string m3u = RenderM3u(entries, context, &stats);
  EXPECT_EQ(m3u, "#EXTM3U\n#EXTINF:10,A - Ok\nok.mp3\n");
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.missing, 1);
  EXPECT_EQ(stats.skipped_outside_library, 1);
  EXPECT_EQ(stats.skipped_non_utf8, 1);
  EXPECT_EQ(stats.skipped(), 2);
}

TEST(RenderM3u, LabelsAreAlwaysValidUtf8EvenForRawPaths) {
  RenderContext context = Context("absolute");
  context.non_utf8 = NonUtf8Policy::kWriteRaw;
  std::vector<MirrorEntry> entries = {
      MirrorEntry::Matched("/m/Bj\xf6rk.mp3", 10, "Bj\xf6rk", "T"),
  };
  EXPECT_EQ(RenderM3u(entries, context),
            "#EXTM3U\n#EXTINF:10,Bj\xef\xbf\xbdrk - T\n/m/Bj\xf6rk.mp3\n");
}

}  // namespace
}  // namespace spotify_extract
