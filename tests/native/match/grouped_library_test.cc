#include "match/grouped_library.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace spotify_extract {
namespace {

LibraryItem Item(int64_t id, std::string title, std::string artist, std::string album,
                 std::vector<std::string> artists = {}) {
  LibraryItem item;
  item.id = id;
  item.title = std::move(title);
  item.artist = std::move(artist);
  item.album = std::move(album);
  item.artists = std::move(artists);
  item.length = 200.5;
  return item;
}

TEST(GroupedLibrary, EqualValuesShareAGroupWhereverTheyStand) {
  GroupedLibrary library;
  library.Add(Item(1, "Intro", "A", "First"));
  library.Add(Item(2, "Song", "A", "First"));
  library.Add(Item(3, "Intro", "B", "Second"));
  library.Add(Item(4, "Song", "A", "First"));
  library.FinishAdding();

  ASSERT_EQ(library.size(), 4u);
  EXPECT_EQ(library.titles().size(), 2u);
  EXPECT_EQ(library.albums().size(), 2u);
  EXPECT_EQ(library.artist_field_count(), 2u);
  const auto& items = library.items();
  EXPECT_EQ(items[0].title, items[2].title);  // not neighbours
  EXPECT_EQ(items[1].title, items[3].title);
  EXPECT_EQ(items[0].album, items[3].album);
  EXPECT_EQ(items[0].artists, items[3].artists);
  EXPECT_NE(items[0].artists, items[2].artists);
  EXPECT_EQ(library.titles()[items[2].title], "Intro");
  EXPECT_EQ(library.albums()[items[2].album], "Second");
  EXPECT_EQ(library.artist_fields(items[2].artists).artist, "B");
  EXPECT_FLOAT_EQ(items[0].length, 200.5f);
}

TEST(GroupedLibrary, ArtistFieldsAreComparedWholeNotJoined) {
  GroupedLibrary library;
  // Joined without a boundary, both would read "abc".
  library.Add(Item(1, "T", "a", "X", {"bc"}));
  library.Add(Item(2, "T", "ab", "X", {"c"}));
  library.Add(Item(3, "T", "a", "X", {"b", "c"}));
  library.Add(Item(4, "T", "a", "X", {"bc"}));
  ASSERT_EQ(library.artist_field_count(), 3u);
  const auto& items = library.items();
  EXPECT_EQ(items[0].artists, items[3].artists);
  GroupedLibrary::ArtistFields third = library.artist_fields(items[2].artists);
  EXPECT_EQ(third.artist, "a");
  ASSERT_EQ(third.artists.size(), 2u);
  EXPECT_EQ(third.artists[0], "b");
  EXPECT_EQ(third.artists[1], "c");
}

TEST(GroupedLibrary, SpotifyIdComesFromTheAttributeOrFromBeetsSpotifySource) {
  LibraryItem tagged = Item(1, "T", "A", "X");
  tagged.spotify_track_id = "attr";
  tagged.mb_trackid = "mbid";
  LibraryItem from_spotify = Item(2, "T", "A", "X");
  from_spotify.data_source = "Spotify";
  from_spotify.mb_trackid = "spotifyid";
  LibraryItem from_musicbrainz = Item(3, "T", "A", "X");
  from_musicbrainz.data_source = "MusicBrainz";
  from_musicbrainz.mb_trackid = "mbid";
  from_musicbrainz.isrc = "usabc1234567";

  GroupedLibrary library;
  library.Add(tagged);
  library.Add(from_spotify);
  library.Add(from_musicbrainz);
  const auto& items = library.items();
  EXPECT_EQ(library.Text(items[0].spotify_id), "attr");
  EXPECT_EQ(library.Text(items[1].spotify_id), "spotifyid");
  EXPECT_EQ(library.Text(items[2].spotify_id), "");
  EXPECT_EQ(library.Text(items[2].isrc), "usabc1234567");
}

TEST(GroupedLibrary, RefusesItemsOutOfIdOrder) {
  GroupedLibrary library;
  library.Add(Item(5, "T", "A", "X"));
  EXPECT_THROW(library.Add(Item(5, "T", "A", "X")), std::invalid_argument);
  EXPECT_THROW(library.Add(Item(4, "T", "A", "X")), std::invalid_argument);
  library.Add(Item(6, "T", "A", "X"));
  EXPECT_EQ(library.size(), 2u);
}

TEST(GroupedLibrary, GroupsLibraryItemsInIdOrder) {
  LibraryItems items(std::vector<LibraryItem>{Item(9, "B", "A", "X"), Item(2, "A", "A", "X")});
  GroupedLibrary library = GroupLibrary(items);
  ASSERT_EQ(library.size(), 2u);
  EXPECT_EQ(library.items()[0].id, 2);
  EXPECT_EQ(library.titles()[library.items()[1].title], "B");
}

// A library.db of `items` items with 100 distinct titles, removed afterwards.
class GeneratedLibrary {
 public:
  explicit GeneratedLibrary(int items)
      : path_(std::filesystem::temp_directory_path() /
              ("grouped_library_test-" + std::to_string(getpid()) + ".db")) {
    std::filesystem::remove(path_);
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    const std::string sql =
        "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, title TEXT, artist TEXT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
        std::to_string(items) +
        ") INSERT INTO items SELECT i, 'a/' || i || '.mp3', 'Title ' || (i % 100), 'Artist' "
        "FROM n;";
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot make " + path_.string());
  }
  ~GeneratedLibrary() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ReadGroupedLibrary, StreamsEveryItemAndChecksEveryFewThousand) {
  GeneratedLibrary db(10000);
  int checks = 0;
  GroupedLibrary library = ReadGroupedLibrary(db.path(), {}, [&] { ++checks; });
  EXPECT_EQ(library.size(), 10000u);
  EXPECT_EQ(library.titles().size(), 100u);
  EXPECT_EQ(library.artist_field_count(), 1u);
  EXPECT_EQ(checks, 3);  // before items 1, 4097 and 8193
}

TEST(ReadGroupedLibrary, ACheckThatThrowsStopsTheRead) {
  GeneratedLibrary db(10000);
  int checks = 0;
  auto cancel_on_second = [&] {
    if (++checks == 2) throw std::runtime_error("cancelled");
  };
  EXPECT_THROW(ReadGroupedLibrary(db.path(), {}, cancel_on_second), std::runtime_error);
  EXPECT_EQ(checks, 2);
}

}  // namespace
}  // namespace spotify_extract
