#include "playlist/mirror.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

class MirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "mirror_test_XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    ASSERT_NE(::mkdtemp(buffer.data()), nullptr);
    root_ = buffer.data();
    ::chmod(root_.c_str(), 0755);
    music_ = root_ + "/Music";
    out_ = root_ + "/playlists";
    fs::create_directories(music_);
    options_.playlist_dir = out_;
    options_.library_root = music_;
    options_.style = TargetProfile("mpd");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(out_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(root_, ignored);
  }

  MirrorPlaylist Playlist(std::string id, std::string name, std::vector<std::string> songs) {
    MirrorPlaylist playlist{std::move(id), std::move(name), {}};
    for (const std::string& song : songs) {
      playlist.entries.push_back(MirrorEntry::Matched(music_ + "/" + song, 180, "Artist", song));
    }
    return playlist;
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  static void Write(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }
  std::set<std::string> Listing() const {
    std::set<std::string> names;
    if (!fs::exists(out_)) return names;
    for (const auto& entry : fs::directory_iterator(out_)) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }
  static struct stat Stat(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st;
  }
  // Moves a file's mtime into the past, so a rewrite would be visible.
  static void Age(const std::string& path) {
    struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }

  std::string root_, music_, out_;
  MirrorOptions options_;
};

TEST_F(MirrorTest, WritesOneFilePerPlaylistWithAMatch) {
  MirrorPlaylist empty{"e1", "Nothing Here", {MirrorEntry::Missing("A", "B", "spotify:track:x")}};
  MirrorResult result = Mirror({Playlist("p1", "Workout", {"a.mp3", "b.mp3"}), empty,
                                Playlist(kLikedSongsId, kLikedSongsName, {"c.flac"})},
                               {}, options_);
  EXPECT_EQ(result.written, 2);
  EXPECT_EQ(result.skipped, 1);
  EXPECT_EQ(result.unchanged, 0);
  EXPECT_EQ(Listing(),
            (std::set<std::string>{"Workout (Spotify).m3u", "Liked Songs (Spotify).m3u"}));
  EXPECT_EQ(Read(out_ + "/Workout (Spotify).m3u"),
            "#EXTM3U\n#SPOTIFY-EXTRACT:playlist=p1\n#EXTINF:180,Artist - a.mp3\na.mp3\n"
            "#EXTINF:180,Artist - b.mp3\nb.mp3\n");
  ASSERT_EQ(result.owned.size(), 2u);
  EXPECT_EQ(result.owned[0].spotify_id, "p1");
  EXPECT_EQ(result.owned[0].path, out_ + "/Workout (Spotify).m3u");
  EXPECT_EQ(result.owned[0].content_hash, ContentHash(Read(out_ + "/Workout (Spotify).m3u")));
  EXPECT_EQ(result.playlists[1].status, MirrorStatus::kSkipped);
  EXPECT_FALSE(result.playlists[1].message.empty());
  EXPECT_EQ(Stat(out_ + "/Workout (Spotify).m3u").st_mode & 0777, 0644u);
}

TEST_F(MirrorTest, UnchangedPlaylistIsNotRewritten) {
  auto playlists = std::vector{Playlist("p1", "Workout", {"a.mp3"})};
  MirrorResult first = Mirror(playlists, {}, options_);
  std::string path = out_ + "/Workout (Spotify).m3u";
  Age(path);
  struct stat before = Stat(path);
  MirrorResult second = Mirror(playlists, first.owned, options_);
  EXPECT_EQ(second.written, 0);
  EXPECT_EQ(second.unchanged, 1);
  EXPECT_EQ(second.playlists[0].status, MirrorStatus::kUnchanged);
  struct stat after = Stat(path);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtime, before.st_mtime);
  EXPECT_EQ(second.owned.size(), 1u);
}

TEST_F(MirrorTest, ChangedPlaylistIsReplacedByANewFile) {
  MirrorResult first = Mirror({Playlist("p1", "Workout", {"a.mp3"})}, {}, options_);
  std::string path = out_ + "/Workout (Spotify).m3u";
  ::chmod(path.c_str(), 0640);
  struct stat before = Stat(path);
  MirrorResult second =
      Mirror({Playlist("p1", "Workout", {"b.mp3", "a.mp3"})}, first.owned, options_);
  EXPECT_EQ(second.written, 1);
  EXPECT_NE(Stat(path).st_ino, before.st_ino);  // renamed into place, never edited in place
  EXPECT_EQ(Stat(path).st_mode & 0777, 0640u);  // the person's mode is kept
  EXPECT_EQ(Read(path),
            "#EXTM3U\n#SPOTIFY-EXTRACT:playlist=p1\n#EXTINF:180,Artist - b.mp3\nb.mp3\n"
            "#EXTINF:180,Artist - a.mp3\na.mp3\n");
  EXPECT_EQ(Listing(), std::set<std::string>{"Workout (Spotify).m3u"});  // no temporaries left
}

TEST_F(MirrorTest, EditedFileIsRegenerated) {
  MirrorResult first = Mirror({Playlist("p1", "Workout", {"a.mp3"})}, {}, options_);
  std::string path = out_ + "/Workout (Spotify).m3u";
  std::string original = Read(path);
  Write(path, "#EXTM3U\nsomething else\n");
  MirrorResult second = Mirror({Playlist("p1", "Workout", {"a.mp3"})}, first.owned, options_);
  EXPECT_EQ(second.written, 1);
  EXPECT_EQ(Read(path), original);
}

TEST_F(MirrorTest, DeletedOwnedFileIsWrittenAgain) {
  MirrorResult first = Mirror({Playlist("p1", "Workout", {"a.mp3"})}, {}, options_);
  fs::remove(out_ + "/Workout (Spotify).m3u");
  MirrorResult second = Mirror({Playlist("p1", "Workout", {"a.mp3"})}, first.owned, options_);
  EXPECT_EQ(second.written, 1);
  EXPECT_TRUE(fs::exists(out_ + "/Workout (Spotify).m3u"));
}

TEST_F(MirrorTest, RenamedOrDeletedOnSpotifyLosesItsOldFile) {
  MirrorResult first = Mirror(
      {Playlist("p1", "Workout", {"a.mp3"}), Playlist("p2", "Chill", {"b.mp3"})}, {}, options_);
  Write(out_ + "/Mine.m3u", "#EXTM3U\nmine.mp3\n");
  MirrorResult second = Mirror({Playlist("p1", "Gym", {"a.mp3"})}, first.owned, options_);
  EXPECT_EQ(second.written, 1);
  EXPECT_EQ(second.removed, 2);
  EXPECT_EQ(Listing(), (std::set<std::string>{"Gym (Spotify).m3u", "Mine.m3u"}));
  ASSERT_EQ(second.owned.size(), 1u);
  EXPECT_EQ(second.owned[0].path, out_ + "/Gym (Spotify).m3u");
}

TEST_F(MirrorTest, APlaylistWithNoPlayableEntryKeepsItsFileUntilItIsDeleted) {
  MirrorResult first = Mirror({Playlist("p3", "Party", {"c.mp3"})}, {}, options_);
  std::string path = out_ + "/Party (Spotify).m3u";
  std::string content = Read(path);
  // Its items left the library (or its entries are no longer readable): the file stays.
  MirrorPlaylist emptied{"p3", "Party", {MirrorEntry::Missing("A", "c", "spotify:track:c")}};
  MirrorResult second = Mirror({emptied}, first.owned, options_);
  EXPECT_EQ(second.kept, 1);
  EXPECT_EQ(second.removed, 0);
  EXPECT_EQ(second.playlists[0].status, MirrorStatus::kKept);
  EXPECT_EQ(second.playlists[0].path, path);
  EXPECT_NE(second.playlists[0].message.find("kept"), std::string::npos);
  EXPECT_EQ(Read(path), content);
  ASSERT_EQ(second.owned.size(), 1u);
  EXPECT_EQ(second.owned[0].content_hash, first.owned[0].content_hash);
  // Deleted on Spotify (no longer given): now it goes.
  MirrorResult third = Mirror({}, second.owned, options_);
  EXPECT_EQ(third.removed, 1);
  EXPECT_TRUE(Listing().empty());
}

TEST_F(MirrorTest, EveryFileCarriesItsPlaylistIdAsMarker) {
  MirrorResult result = Mirror({Playlist("3cEYpjA9oz9GiPac4AsH4n", "Workout", {"a.mp3"}),
                                Playlist(kLikedSongsId, kLikedSongsName, {"b.mp3"})},
                               {}, options_);
  EXPECT_EQ(MarkerPlaylistId(Read(result.playlists[0].path)), "3cEYpjA9oz9GiPac4AsH4n");
  EXPECT_EQ(MarkerPlaylistId(Read(result.playlists[1].path)), kLikedSongsId);
  EXPECT_EQ(MarkerPlaylistId("#EXTM3U\n#EXTINF:1,a\na.mp3\n"), std::nullopt);
  EXPECT_EQ(MarkerPlaylistId("#EXTM3U\r\n#SPOTIFY-EXTRACT:playlist=x\r\n"), "x");
}

TEST_F(MirrorTest, OwnFilesAreRecognisedByTheirMarkerWhenTheRecordIsLost) {
  auto a = Playlist("AAAAAAAAAA1", "Mix", {"a.mp3"});
  auto b = Playlist("BBBBBBBBBB2", "mix", {"b.mp3"});
  auto c = Playlist("CCCCCCCCCC3", "Workout", {"c.mp3"});
  MirrorResult first = Mirror({a, b, c}, {}, options_);
  std::set<std::string> files = Listing();
  ASSERT_EQ(files.size(), 3u);
  Age(out_ + "/Workout (Spotify).m3u");
  struct stat before = Stat(out_ + "/Workout (Spotify).m3u");
  // The state database is gone: the same files are found again, by their marker, in
  // another order too; none is duplicated, none rewritten.
  MirrorResult again = Mirror({b, c, a}, {}, options_);
  EXPECT_EQ(again.unchanged, 3);
  EXPECT_EQ(again.written, 0);
  EXPECT_TRUE(again.warnings.empty());
  EXPECT_EQ(Listing(), files);
  EXPECT_EQ(Stat(out_ + "/Workout (Spotify).m3u").st_mtime, before.st_mtime);
  EXPECT_EQ(again.owned.size(), 3u);
  // Changed content replaces our own file in place of a duplicate.
  MirrorResult changed = Mirror({Playlist("CCCCCCCCCC3", "Workout", {"d.mp3"})}, {}, options_);
  EXPECT_EQ(changed.written, 1);
  EXPECT_EQ(changed.playlists[0].path, out_ + "/Workout (Spotify).m3u");
  // A file marked for another playlist is someone else's: never touched.
  MirrorResult other = Mirror({Playlist("DDDDDDDDDD4", "Workout", {"e.mp3"})}, {}, options_);
  EXPECT_EQ(other.playlists[0].path, out_ + "/Workout (Spotify) [DDDDDD].m3u");
  EXPECT_NE(Read(out_ + "/Workout (Spotify).m3u").find("d.mp3"), std::string::npos);
}

TEST_F(MirrorTest, FilesInTheOldFolderAreLeftThereAndNamed) {
  MirrorResult first = Mirror(
      {Playlist("p1", "Workout", {"a.mp3"}), Playlist("p2", "Gone", {"b.mp3"})}, {}, options_);
  std::string old_folder = out_;
  options_.playlist_dir = root_ + "/moved";
  out_ = options_.playlist_dir;
  MirrorResult moved = Mirror({Playlist("p1", "Workout", {"a.mp3"})}, first.owned, options_);
  EXPECT_EQ(moved.written, 1);
  EXPECT_EQ(moved.removed, 0);
  EXPECT_TRUE(fs::exists(old_folder + "/Workout (Spotify).m3u"));
  EXPECT_TRUE(fs::exists(old_folder + "/Gone (Spotify).m3u"));
  ASSERT_EQ(moved.warnings.size(), 1u);
  EXPECT_NE(moved.warnings[0].find(old_folder), std::string::npos);
  EXPECT_NE(moved.warnings[0].find("2 playlist file(s)"), std::string::npos);
  ASSERT_EQ(moved.owned.size(), 1u);  // forgotten: the warning is said once
  EXPECT_EQ(moved.owned[0].path, out_ + "/Workout (Spotify).m3u");
  EXPECT_TRUE(
      Mirror({Playlist("p1", "Workout", {"a.mp3"})}, moved.owned, options_).warnings.empty());
}

TEST_F(MirrorTest, NamesThatCollideOrSanitiseToNothingNeverShareAFile) {
  options_.name_template = "{name}";
  std::vector<MirrorPlaylist> playlists;
  int n = 0;
  for (const char* name : {"🔥", "💔", "Chill", "chill", "..", ".", "~", ""}) {
    playlists.push_back(Playlist("id" + std::to_string(n++) + "xyzzy", name, {"a.mp3"}));
  }
  MirrorResult result = Mirror(playlists, {}, options_);
  EXPECT_EQ(result.written, 8);
  std::set<std::string> keys;
  for (const std::string& name : Listing()) keys.insert(FileNameKey(name));
  EXPECT_EQ(keys.size(), 8u);
  EXPECT_EQ(result.playlists[3].path, out_ + "/chill [id3xyz].m3u");
  EXPECT_NE(result.playlists[3].message.find("same file name as the playlist 'Chill'"),
            std::string::npos);
  EXPECT_EQ(result.playlists[4].path, out_ + "/Untitled [id4xyz].m3u");
  EXPECT_EQ(result.playlists[5].path, out_ + "/Untitled [id5xyz].m3u");
  EXPECT_EQ(result.playlists[7].path, out_ + "/Untitled [id7xyz].m3u");
  EXPECT_EQ(Mirror(playlists, result.owned, options_).unchanged, 8);
}

TEST_F(MirrorTest, ForeignFileWithTheSameNameIsNeverTouched) {
  fs::create_directories(out_);
  std::string foreign = out_ + "/Workout (Spotify).m3u";
  Write(foreign, "#EXTM3U\nhand/made.mp3\n");
  Age(foreign);
  struct stat before = Stat(foreign);
  MirrorResult result =
      Mirror({Playlist("3cEYpjA9oz9GiPac4AsH4n", "Workout", {"a.mp3"})}, {}, options_);
  EXPECT_EQ(result.written, 1);
  EXPECT_EQ(Read(foreign), "#EXTM3U\nhand/made.mp3\n");
  EXPECT_EQ(Stat(foreign).st_mtime, before.st_mtime);
  EXPECT_EQ(result.playlists[0].path, out_ + "/Workout (Spotify) [3cEYpj].m3u");
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("not written by beets-spotify-extract"), std::string::npos);
  // And it is not removed when the plugin forgets every playlist.
  MirrorResult none = Mirror({}, result.owned, options_);
  EXPECT_EQ(none.removed, 1);
  EXPECT_EQ(Listing(), std::set<std::string>{"Workout (Spotify).m3u"});
}

TEST_F(MirrorTest, SkipsWhenEveryNameIsForeign) {
  fs::create_directories(out_);
  for (const char* name : {"/X (Spotify).m3u", "/X (Spotify) [abc].m3u"}) {
    Write(out_ + name, "foreign");
  }
  MirrorResult result = Mirror({Playlist("abc", "X", {"a.mp3"})}, {}, options_);
  EXPECT_EQ(result.skipped, 1);
  EXPECT_EQ(result.written, 0);
  EXPECT_TRUE(result.owned.empty());
  EXPECT_EQ(Read(out_ + "/X (Spotify).m3u"), "foreign");
}

TEST_F(MirrorTest, SameNamesNeverOverwriteEachOtherAndStayStable) {
  auto a = Playlist("AAAAAAAAAA1", "Mix", {"a.mp3"});
  auto b = Playlist("BBBBBBBBBB2", "mix", {"b.mp3"});   // collides on SMB/macOS
  auto c = Playlist("CCCCCCCCCC3", "Mix/", {"c.mp3"});  // sanitises to "Mix_": no collision
  MirrorResult first = Mirror({a, b, c}, {}, options_);
  EXPECT_EQ(first.written, 3);
  EXPECT_EQ(Listing(), (std::set<std::string>{"Mix (Spotify).m3u", "mix (Spotify) [BBBBBB].m3u",
                                              "Mix_ (Spotify).m3u"}));
  // Another order on the next run: nobody changes file.
  MirrorResult second = Mirror({c, b, a}, first.owned, options_);
  EXPECT_EQ(second.unchanged, 3);
  EXPECT_EQ(second.written, 0);
  EXPECT_EQ(second.removed, 0);
  EXPECT_EQ(Read(out_ + "/Mix (Spotify).m3u").find("a.mp3") != std::string::npos, true);
}

TEST_F(MirrorTest, HostileNamesStayInsideTheFolder) {
  MirrorResult result =
      Mirror({Playlist("p1", "../../escape", {"a.mp3"}), Playlist("p2", "CON", {"a.mp3"}),
              Playlist("p3", std::string("nul\0\n", 5), {"a.mp3"}), Playlist("p4", "", {"a.mp3"})},
             {}, options_);
  EXPECT_EQ(result.written, 4);
  EXPECT_EQ(Listing(), (std::set<std::string>{"_.._.._escape (Spotify).m3u", "CON (Spotify).m3u",
                                              "nul__ (Spotify).m3u", "(Spotify).m3u"}));
  EXPECT_FALSE(fs::exists(root_ + "/escape (Spotify).m3u"));
  options_.name_template = "{name}";
  MirrorResult bare = Mirror({Playlist("p2", "CON", {"a.mp3"})}, {}, options_);
  EXPECT_EQ(bare.playlists[0].path, out_ + "/_CON.m3u");
}

TEST_F(MirrorTest, LongNamesAreCappedWithRoomForTheSuffix) {
  std::string name(400, 'x');
  MirrorResult result = Mirror({Playlist("p1", name, {"a.mp3"})}, {}, options_);
  std::string file = fs::path(result.playlists[0].path).filename().string();
  EXPECT_LE(file.size(), kDefaultMaxNameBytes + 4);
  fs::create_directories(out_);
  EXPECT_LE(PlaylistFileName(Playlist("p1", name, {}), options_, 1).size(),
            kDefaultMaxNameBytes + 4);
}

TEST_F(MirrorTest, DryRunChangesNothing) {
  MirrorResult first = Mirror({Playlist("p1", "Old", {"a.mp3"})}, {}, options_);
  options_.dry_run = true;
  MirrorResult dry = Mirror({Playlist("p2", "New", {"a.mp3"})}, first.owned, options_);
  EXPECT_EQ(dry.written, 1);
  EXPECT_EQ(dry.removed, 1);
  EXPECT_EQ(Listing(), std::set<std::string>{"Old (Spotify).m3u"});
}

TEST_F(MirrorTest, CreatesTheFolderAndCleansStaleTemporaries) {
  options_.playlist_dir = out_ + "/deep/er";
  fs::create_directories(options_.playlist_dir);
  Write(options_.playlist_dir + "/.spotify-extract-abc123.tmp", "half");
  Write(options_.playlist_dir + "/.spotify-extract-notours.tmp.keep", "keep");
  Mirror({Playlist("p1", "Workout", {"a.mp3"})}, {}, options_);
  EXPECT_FALSE(fs::exists(options_.playlist_dir + "/.spotify-extract-abc123.tmp"));
  EXPECT_TRUE(fs::exists(options_.playlist_dir + "/.spotify-extract-notours.tmp.keep"));
  EXPECT_TRUE(fs::exists(options_.playlist_dir + "/Workout (Spotify).m3u"));
  options_.playlist_dir = out_ + "/brand/new";
  Mirror({Playlist("p1", "Workout", {"a.mp3"})}, {}, options_);
  EXPECT_TRUE(fs::exists(options_.playlist_dir + "/Workout (Spotify).m3u"));
}

TEST_F(MirrorTest, OwnedPathThatBecameADirectoryIsLeftAlone) {
  MirrorResult first = Mirror({Playlist("p1", "Workout", {"a.mp3"})}, {}, options_);
  std::string path = out_ + "/Workout (Spotify).m3u";
  fs::remove(path);
  fs::create_directories(path);
  MirrorResult second = Mirror({Playlist("p1", "Workout", {"b.mp3"})}, first.owned, options_);
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_EQ(second.playlists[0].path, out_ + "/Workout (Spotify) [p1].m3u");
}

TEST_F(MirrorTest, FullDiskChangesNothingAndSaysWhy) {
  MirrorResult first =
      Mirror({Playlist("p1", "One", {"a.mp3"}), Playlist("p2", "Two", {"b.mp3"})}, {}, options_);
  std::string one = Read(out_ + "/One (Spotify).m3u");
  std::string two = Read(out_ + "/Two (Spotify).m3u");
  int calls = 0;
  options_.write_function = [&calls](int fd, const void* data, size_t size) -> ssize_t {
    if (++calls == 2) {
      errno = ENOSPC;
      return -1;
    }
    return ::write(fd, data, size);
  };
  try {
    Mirror({Playlist("p1", "One", {"c.mp3"}), Playlist("p2", "Two", {"d.mp3"}),
            Playlist("p3", "Three", {"e.mp3"})},
           first.owned, options_);
    FAIL() << "no MirrorError";
  } catch (const MirrorError& error) {
    EXPECT_NE(std::string(error.what()).find("No space left on device"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("'Two'"), std::string::npos) << error.what();
    EXPECT_EQ(error.owned().size(), 2u);
  }
  EXPECT_EQ(Read(out_ + "/One (Spotify).m3u"), one);  // not even the first one changed
  EXPECT_EQ(Read(out_ + "/Two (Spotify).m3u"), two);
  EXPECT_EQ(Listing(), (std::set<std::string>{"One (Spotify).m3u", "Two (Spotify).m3u"}));
}

TEST_F(MirrorTest, ShortWritesAreCompleted) {
  options_.write_function = [](int fd, const void* data, size_t size) -> ssize_t {
    return ::write(fd, data, std::min<size_t>(size, 3));
  };
  Mirror({Playlist("p1", "One", {"a.mp3", "b.mp3"})}, {}, options_);
  EXPECT_EQ(Read(out_ + "/One (Spotify).m3u"),
            "#EXTM3U\n#SPOTIFY-EXTRACT:playlist=p1\n#EXTINF:180,Artist - a.mp3\na.mp3\n"
            "#EXTINF:180,Artist - b.mp3\nb.mp3\n");
}

// Runs `body` in a child process without the right to write into read-only folders (as
// `nobody` when the tests run as root, who may write anywhere); returns what it reports.
std::string RunUnprivileged(const std::function<std::string()>& body) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::geteuid() == 0) {
      struct passwd* nobody = ::getpwnam("nobody");
      if (nobody == nullptr || ::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0) {
        ::_exit(3);
      }
    }
    std::string message = body();
    (void)!::write(pipe_fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buffer, sizeof(buffer))) > 0) message.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "child failed";
  return message;
}

TEST_F(MirrorTest, ReadOnlyFolderChangesNothingAndSaysWhy) {
  MirrorResult first = Mirror({Playlist("p1", "One", {"a.mp3"})}, {}, options_);
  std::string path = out_ + "/One (Spotify).m3u";
  std::string before = Read(path);
  ASSERT_EQ(::chmod(out_.c_str(), 0555), 0);
  std::string message = RunUnprivileged([&] {
    try {
      Mirror({Playlist("p1", "One", {"b.mp3"})}, first.owned, options_);
    } catch (const MirrorError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  });
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  EXPECT_NE(message.find("no playlist was changed"), std::string::npos) << message;
  EXPECT_EQ(Read(path), before);
}

TEST_F(MirrorTest, FileThatCannotBeRemovedStaysOwnedForTheNextRun) {
  MirrorResult first = Mirror({Playlist("p1", "One", {"a.mp3"})}, {}, options_);
  ASSERT_EQ(::chmod(out_.c_str(), 0555), 0);
  std::string message = RunUnprivileged([&] {
    MirrorResult result = Mirror({}, first.owned, options_);
    std::string report = std::to_string(result.removed) + "|" +
                         std::to_string(result.owned.size()) + "|" +
                         (result.warnings.empty() ? "" : result.warnings[0]);
    return report;
  });
  EXPECT_EQ(message.substr(0, 4), "0|1|") << message;
  EXPECT_NE(message.find("cannot remove the old playlist"), std::string::npos) << message;
  EXPECT_TRUE(fs::exists(out_ + "/One (Spotify).m3u"));
}

}  // namespace
}  // namespace spotify_extract
