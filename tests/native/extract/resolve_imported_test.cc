#include "extract/resolve_imported.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

class ResolveImportedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("resolve_imported_test_" + std::to_string(random()));
    fs::create_directories(dir_);
    library_ = (dir_ / "library.db").string();
    // Item 1 was in the library before; items 2 and 3 are the new ones.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(library_.c_str(), &db), SQLITE_OK);
    const char* sql =
        "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, title TEXT, artist TEXT, "
        "album TEXT, length REAL, isrc TEXT);"
        "INSERT INTO items VALUES (1, CAST('/m/a.mp3' AS BLOB), 'Song A', 'Artist A', "
        "'Album of Song A', 200, '');"
        "INSERT INTO items VALUES (2, CAST('/m/b.mp3' AS BLOB), 'Song B', 'Artist B', "
        "'Album of Song B', 200, '');"
        "INSERT INTO items VALUES (3, CAST('/m/x.mp3' AS BLOB), 'Other', 'Somebody', '', 100, '');"
        "CREATE TABLE item_attributes (id INTEGER PRIMARY KEY, entity_id INTEGER, key TEXT, "
        "value TEXT);"
        "INSERT INTO item_attributes (entity_id, key, value) VALUES (1, 'spotify_track_id', "
        "'tb'), (3, 'spotify_track_id', 'tc');";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);

    store_ = std::make_unique<StateStore>((dir_ / "state.db").string());
    int64_t snapshot = store_->snapshots().Begin("api", false).id;
    Playlist playlist;
    playlist.id = "p1";
    playlist.name = "Road";
    playlist.owner_id = "me";
    playlist.snapshot_id = "v1";
    playlist.total_entries = 2;
    store_->catalog().SavePlaylistPage(snapshot, {playlist}, 0, -1, 1);
    store_->catalog().FinishPlaylistListing(snapshot);
    std::vector<PlaylistEntry> entries;
    for (const char* id : {"ta", "tb"}) {
      std::string letter(1, static_cast<char>(std::toupper(id[1])));
      PlaylistEntry entry;
      entry.track.id = id;
      entry.track.name = "Song " + letter;
      entry.track.artists = {{"a" + letter, "Artist " + letter}};
      entry.track.album_name = "Album of Song " + letter;
      entry.track.duration_ms = 200000;
      entries.push_back(entry);
    }
    store_->catalog().StageEntries("playlist:p1", "v1", 0, entries, -1, 2);
    store_->catalog().CommitPlaylistEntries(snapshot, "p1", "v1");
    store_->matches().Save(
        snapshot, {{"ta", 0, MatchMethod::kNone, 0, "[]", false, MatchStatus::kUnmatched},
                   {"tb", 0, MatchMethod::kNone, 0, "[]", false, MatchStatus::kUnmatched}});
    store_->wishlist().Sync(snapshot);
    store_->snapshots().Finish(snapshot, SnapshotStatus::kComplete, "");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::string library_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(ResolveImportedTest, OnlyTheNewItemsCloseEntriesAndTheirPlaylistsAreNamed) {
  ResolveResult result = ResolveImportedItems(*store_, library_, {}, {}, {2, 3});
  EXPECT_EQ(result.closed, std::vector<std::string>{"tb"});
  EXPECT_EQ(result.playlists, std::vector<std::string>{"p1"});
  EXPECT_EQ(store_->wishlist().Get("tb")->status, WishlistStatus::kImported);
  EXPECT_EQ(store_->wishlist().Get("tb")->item_id, 2);
  EXPECT_EQ(store_->matches().Get("tb")->item_id, 2);
  EXPECT_EQ(store_->matches().Get("tb")->method,
            MatchMethod::kExact);  // item 1, tagged tb, is not new
  // Item 1 matches ta too, but it was not imported now: ta stays wanted.
  EXPECT_EQ(store_->wishlist().Get("ta")->status, WishlistStatus::kPending);
  // Again: nothing left for these items to close.
  EXPECT_TRUE(ResolveImportedItems(*store_, library_, {}, {}, {2, 3}).closed.empty());
  EXPECT_TRUE(ResolveImportedItems(*store_, library_, {}, {}, {}).closed.empty());
}

TEST_F(ResolveImportedTest, AMissingLibraryIsAnError) {
  EXPECT_THROW(ResolveImportedItems(*store_, (dir_ / "nope.db").string(), {}, {}, {1}),
               LibraryError);
}

}  // namespace
}  // namespace spotify_extract
