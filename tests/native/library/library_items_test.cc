#include "library/library_items.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace spotify_extract {
namespace {

LibraryItem Item(int64_t id, std::string artist, std::string title, std::string album) {
  LibraryItem item;
  item.id = id;
  item.path = "/music/" + artist + "/" + album + "/" + title + ".flac";
  item.title = std::move(title);
  item.artist = std::move(artist);
  item.album = std::move(album);
  item.albumartist = item.artist;
  item.length = 201.5;
  item.track = static_cast<int>(id);
  item.disc = 1;
  item.year = 1999;
  item.isrc = "GBAYE0601498";
  item.mb_trackid = "mb-" + std::to_string(id);
  item.bpm = 120;
  item.initial_key = "Am";
  item.mtime = 1700000000.25;
  item.spotify_track_id = "sp" + std::to_string(id);
  item.data_source = "MusicBrainz";
  return item;
}

TEST(TextArenaTest, KeepsEveryStringAndItsViewsAcrossBlocks) {
  TextArena arena(64);  // tiny blocks: most strings start a new one
  std::vector<TextArena::Ref> refs;
  std::vector<std::string> texts;
  for (int i = 0; i < 500; ++i) {
    texts.push_back(std::string(static_cast<size_t>(i % 97), static_cast<char>('a' + i % 26)));
    refs.push_back(arena.Add(texts.back()));
  }
  std::string_view first = arena.Get(refs[1]);
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(arena.Get(refs[i]), texts[i]) << i;
  EXPECT_EQ(first.data(), arena.Get(refs[1]).data());  // growing never moves text
  EXPECT_EQ(sizeof(TextArena::Ref), 8u);
}

TEST(TextArenaTest, KeepsBytesThatAreNotUtf8OrContainNul) {
  TextArena arena;
  std::string bytes("a\0b\xff\xfe", 5);
  EXPECT_EQ(arena.Get(arena.Add(bytes)), bytes);
  EXPECT_EQ(arena.Get(arena.Add("")), "");
}

TEST(TextArenaTest, RejectsTextOverTheLimit) {
  TextArena arena;
  std::string huge(TextArena::kMaxTextSize + 1, 'x');
  EXPECT_THROW(arena.Add(huge), std::length_error);
  huge.pop_back();
  EXPECT_EQ(arena.Get(arena.Add(huge)).size(), TextArena::kMaxTextSize);
}

TEST(LibraryItemsTest, RoundTripsEveryField) {
  LibraryItem item = Item(7, "Björk", "Jóga", "Homogenic");
  item.artists = {"Björk", "Guest"};
  item.path = "/music/\xff\xfe.mp3";
  LibraryItems items;
  items.Add(item);
  ASSERT_EQ(items.size(), 1u);
  LibraryItem back = items[0].ToItem();
  EXPECT_EQ(back.id, item.id);
  EXPECT_EQ(back.path, item.path);
  EXPECT_EQ(back.title, item.title);
  EXPECT_EQ(back.artist, item.artist);
  EXPECT_EQ(back.artists, item.artists);
  EXPECT_EQ(back.album, item.album);
  EXPECT_EQ(back.albumartist, item.albumartist);
  EXPECT_EQ(back.length, item.length);
  EXPECT_EQ(back.track, item.track);
  EXPECT_EQ(back.disc, item.disc);
  EXPECT_EQ(back.year, item.year);
  EXPECT_EQ(back.isrc, item.isrc);
  EXPECT_EQ(back.mb_trackid, item.mb_trackid);
  EXPECT_EQ(back.bpm, item.bpm);
  EXPECT_EQ(back.initial_key, item.initial_key);
  EXPECT_EQ(back.mtime, item.mtime);
  EXPECT_EQ(back.spotify_track_id, item.spotify_track_id);
  EXPECT_EQ(back.data_source, item.data_source);
}

TEST(LibraryItemsTest, StoresTheAlbumOfConsecutiveTracksOnce) {
  LibraryItems items;
  items.Add(Item(1, "Artist", "One", "Album"));
  items.Add(Item(2, "Artist", "Two", "Album"));
  items.Add(Item(3, "Other", "Three", "Elsewhere"));
  EXPECT_EQ(items[0].album.data(), items[1].album.data());
  EXPECT_EQ(items[0].artist.data(), items[1].artist.data());
  EXPECT_NE(items[1].album.data(), items[2].album.data());
  EXPECT_EQ(items[2].album, "Elsewhere");
  EXPECT_EQ(items[1].title, "Two");
}

TEST(LibraryItemsTest, KeepsIdOrderWhateverTheOrderOfAdding) {
  LibraryItems items(std::vector<LibraryItem>{Item(5, "A", "e", "x"), Item(2, "B", "b", "y"),
                                              Item(9, "C", "i", "z"), Item(1, "D", "a", "w")});
  std::vector<int64_t> ids;
  std::vector<std::string> titles;
  for (LibraryItemView item : items) {
    ids.push_back(item.id);
    titles.emplace_back(item.title);
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 5, 9}));
  EXPECT_EQ(titles, (std::vector<std::string>{"a", "b", "e", "i"}));
  EXPECT_EQ(items.Find(5), 2);
  EXPECT_EQ(items.Find(1), 0);
  EXPECT_EQ(items.Find(3), -1);
  EXPECT_EQ(items.Find(10), -1);
  EXPECT_EQ(LibraryItems().Find(1), -1);

  // Added one at a time, out of order: each lands in its place.
  LibraryItems added;
  for (int64_t id : {5, 2, 9, 1, 7}) added.Add(Item(id, "A", std::to_string(id), "x"));
  ids.clear();
  for (LibraryItemView item : added) {
    ids.push_back(item.id);
    EXPECT_EQ(item.title, std::to_string(item.id));
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 5, 7, 9}));
  EXPECT_EQ(added.Find(7), 3);
}

TEST(LibraryItemsTest, RecordsStayCompact) {
  LibraryItems items;
  items.Reserve(1000);
  for (int i = 1; i <= 1000; ++i)
    items.Add(Item(i, "Artist", "Title " + std::to_string(i), "Album"));
  // 128-byte records plus the text (one 1 MiB arena block here).
  EXPECT_LE(items.MemoryBytes(), 1000u * 128u + (1u << 20));
  EXPECT_EQ(items[999].title, "Title 1000");
  EXPECT_EQ(items[999].artists.size(), 0u);
}

}  // namespace
}  // namespace spotify_extract
