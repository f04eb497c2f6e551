#include "match/grouped_library.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace spotify_extract
