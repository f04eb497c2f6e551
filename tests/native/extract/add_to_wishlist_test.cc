#include "extract/add_to_wishlist.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

Track MakeTrack(const std::string& id, const std::string& name, const std::string& artist) {
  Track track;
  track.id = id;
  track.name = name;
  track.artists = {{"", artist}};
  track.album_name = "Album of " + name;
  track.duration_ms = 200000;
  return track;
}

TEST(AddToWishlistTest, WhatTheLibraryHasStaysOffAndTheRestIsAddedOnce) {
  std::random_device random;
  fs::path dir = fs::temp_directory_path() / ("add_to_wishlist_test_" + std::to_string(random()));
  fs::create_directories(dir);
  std::string library = (dir / "library.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(library.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, title TEXT, "
                         "artist TEXT, album TEXT, length REAL);"
                         "INSERT INTO items VALUES (1, CAST('/m/a.mp3' AS BLOB), 'Song A', "
                         "'Artist A', 'Album of Song A', 200);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  {
    StateStore store((dir / "state.db").string());
    Track manual = MakeTrack(std::string(kManualKeyPrefix) + "0123", "Glory Box", "Portishead");
    std::vector<Track> asked = {MakeTrack("ta", "Song A", "Artist A"),
                                MakeTrack("tb", "Song B", "Artist B"),
                                MakeTrack("tb", "Song B", "Artist B"), manual};
    AddResult first = AddToWishlist(store, library, {}, {}, asked);
    EXPECT_EQ(first.added, 2);  // tb once, the manual one
    EXPECT_EQ(first.already, 0);
    EXPECT_EQ(first.owned, std::vector<std::string>{"ta"});
    EXPECT_FALSE(store.GetWishlistEntry("ta"));
    std::optional<WishlistEntry> tb = store.GetWishlistEntry("tb");
    ASSERT_TRUE(tb);
    EXPECT_EQ(tb->status, "pending");
    EXPECT_EQ(tb->source, "manual");
    EXPECT_EQ(tb->artist, "Artist B");
    EXPECT_EQ(tb->spotify_url, "https://open.spotify.com/track/tb");
    EXPECT_EQ(store.GetWishlistEntry(manual.id)->spotify_url, "");
    AddResult again = AddToWishlist(store, library, {}, {}, asked);
    EXPECT_EQ(again.added, 0);
    EXPECT_EQ(again.already, 2);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spotify_extract
