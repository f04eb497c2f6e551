#include "extract/release_sync.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>

namespace spotify_extract {
namespace {

ArtistRelease Release(const std::string& artist, const std::string& name) {
  ArtistRelease release;
  release.album.id = "id";
  release.album.name = name;
  release.album.artists = {{"artist_id", artist}};
  return release;
}

TEST(LibraryAlbumsTest, EditionsAreTheSameAlbumLiveAlbumsAreNot) {
  LibraryAlbums library;
  library.Add("The Beatles", "Abbey Road");
  EXPECT_TRUE(library.Has(Release("The Beatles", "Abbey Road")));
  EXPECT_TRUE(library.Has(Release("Beatles", "Abbey Road (Deluxe Edition)")));
  EXPECT_TRUE(library.Has(Release("The Beatles", "ABBEY ROAD (2019 Remaster)")));
  EXPECT_FALSE(library.Has(Release("The Beatles", "Abbey Road - Live at Wembley")));
  EXPECT_FALSE(library.Has(Release("The Beatles", "Let It Be")));
  EXPECT_FALSE(library.Has(Release("The Rolling Stones", "Abbey Road")));
}

TEST(LibraryAlbumsTest, ALiveAlbumInTheLibraryIsNotTheStudioOne) {
  LibraryAlbums library;
  library.Add("Nirvana", "MTV Unplugged in New York");
  EXPECT_TRUE(library.Has(Release("Nirvana", "MTV Unplugged In New York")));
  EXPECT_FALSE(library.Has(Release("Nirvana", "Nevermind")));
}

TEST(LibraryAlbumsTest, EachNameOfAJointCreditCounts) {
  LibraryAlbums library;
  library.Add("Jay-Z & Kanye West", "Watch the Throne");
  EXPECT_TRUE(library.Has(Release("Kanye West", "Watch the Throne")));
  EXPECT_TRUE(library.Has(Release("JAY-Z", "Watch The Throne (Deluxe)")));
  EXPECT_EQ(library.size(), 3u);  // the whole credit and both names
}

// beets' items table with only the columns the reader needs; the album artist falls back
// to the artist for items that have none (singletons, older imports).
TEST(LibraryAlbumsTest, ReadsTheAlbumsOfALibraryFile) {
  namespace fs = std::filesystem;
  std::random_device random;
  fs::path path = fs::temp_directory_path() / ("library_albums_" + std::to_string(random()));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, artist TEXT, "
                   "albumartist TEXT, album TEXT);"
                   "INSERT INTO items VALUES (1, 'a', 'Radiohead', 'Radiohead', 'OK Computer'),"
                   "(2, 'b', 'Radiohead', 'Radiohead', 'OK Computer'),"
                   "(3, 'c', 'Björk', '', 'Homogenic'),"
                   "(4, 'd', 'Solo', '', '')",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  LibraryAlbums library = LibraryAlbums::Read(path.string(), {});
  fs::remove(path);
  EXPECT_FALSE(library.Has(Release("Radiohead", "Kid A")));
  EXPECT_TRUE(library.Has(Release("Radiohead", "OK Computer (Collector's Edition)")));
  EXPECT_TRUE(library.Has(Release("Bjork", "Homogenic")));
  EXPECT_EQ(library.size(), 2u);
}

}  // namespace
}  // namespace spotify_extract
