#include "extract/coverage.h"

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

class CoverageTest : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("coverage_test_" + std::to_string(random()));
    fs::create_directories(dir_);
    library_ = (dir_ / "library.db").string();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(library_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, title TEXT, "
                           "artist TEXT, album TEXT, length REAL);"
                           "INSERT INTO items VALUES (1, CAST('/m/a.mp3' AS BLOB), 'Song A', "
                           "'Artist A', 'Album of Song A', 200);"
                           "INSERT INTO items VALUES (2, CAST('/m/c.mp3' AS BLOB), 'Song C', "
                           "'Artist C', 'Album of Song C', 200);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string library_;
};

TEST_F(CoverageTest, OneResultPerTrackInOrder) {
  std::vector<Track> tracks = {MakeTrack("tb", "Glory Box", "Portishead"),
                               MakeTrack("ta", "Song A", "Artist A")};
  std::vector<MatchResult> results = MatchCoverage(nullptr, library_, {}, {}, tracks);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, MatchStatus::kUnmatched);
  EXPECT_EQ(results[1].status, MatchStatus::kMatched);
  EXPECT_EQ(results[1].item_id, 1);
  EXPECT_TRUE(MatchCoverage(nullptr, library_, {}, {}, {}).empty());
}

TEST_F(CoverageTest, TheReviewDecisionsWin) {
  StateStore store((dir_ / "state.db").string());
  store.matches().Reject("ta", 0);       // "not in my library"
  store.matches().SetOverride("tx", 2);  // this odd title is Song C
  std::vector<Track> tracks = {MakeTrack("ta", "Song A", "Artist A"),
                               MakeTrack("tx", "Something Else", "Nobody")};
  std::vector<MatchResult> results = MatchCoverage(&store, library_, {}, {}, tracks);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, MatchStatus::kUnmatched);
  EXPECT_EQ(results[1].status, MatchStatus::kMatched);
  EXPECT_EQ(results[1].item_id, 2);
}

}  // namespace
}  // namespace spotify_extract
