#include "store/release_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "store/state_store.h"

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

class ReleaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("release_store_test_" + std::to_string(random()));
    fs::create_directories(dir_);
    store_ = std::make_unique<StateStore>((dir_ / kStateDatabaseName).string());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  static ArtistRelease Release(const std::string& id, const std::string& name,
                               const std::string& date, const std::string& artist = "Artist") {
    ArtistRelease release;
    release.album.id = id;
    release.album.name = name;
    release.album.release_date = date;
    release.album.artists = {{"id_" + artist, artist}};
    release.album_type = "album";
    release.album_group = "album";
    return release;
  }

  ReleaseStore& releases() { return store_->releases(); }

  fs::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(ReleaseStoreTest, MigrationFourIsApplied) {
  EXPECT_GE(store_->SchemaVersion(), 4);
  EXPECT_EQ(store_->SchemaVersion(), StateStore::LatestSchemaVersion());
}

TEST_F(ReleaseStoreTest, AddReleasesCountsOnlyUnknownOnesAndRefreshesKnownOnes) {
  EXPECT_EQ(releases().AddReleases("a1", {Release("r1", "One", "2020-01-01")}, false), 1);
  EXPECT_EQ(
      releases().AddReleases(
          "a1", {Release("r1", "One (renamed)", "2020-01-01"), Release("r2", "Two", "2021-05-01")},
          true),
      1);
  EXPECT_EQ(releases().ReleaseCount("a1"), 2);
  EXPECT_EQ(releases().ReleaseCount("a2"), 0);
  std::vector<ReleaseRecord> all = releases().Releases();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].release.album.id, "r2");  // newest first
  EXPECT_TRUE(all[0].is_new);
  EXPECT_EQ(all[1].release.album.name, "One (renamed)");
  EXPECT_FALSE(all[1].is_new);  // found on the artist's first sync: back catalogue
}

TEST_F(ReleaseStoreTest, AReleaseOfTwoWatchedArtistsIsListedOnceAndFiltersApply) {
  releases().AddReleases("a1", {Release("shared", "Duet", "2022-01-01")}, false);
  releases().AddReleases(
      "a2", {Release("shared", "Duet", "2022-01-01"), Release("solo", "Solo", "2019")}, false);
  EXPECT_EQ(releases().Releases().size(), 2u);
  std::vector<ReleaseRecord> only_a1 = releases().Releases({"a1"});
  ASSERT_EQ(only_a1.size(), 1u);
  EXPECT_EQ(only_a1[0].release.album.id, "shared");
}

TEST_F(ReleaseStoreTest, MarkListedKeepsTheFirstListing) {
  releases().AddReleases("a1", {Release("r1", "One", "2020-01-01")}, false);
  EXPECT_EQ(releases().Releases()[0].listed_at, "");
  releases().MarkListed({"r1"});
  std::string first = releases().Releases()[0].listed_at;
  EXPECT_FALSE(first.empty());
  releases().MarkListed({"r1", "unknown"});
  EXPECT_EQ(releases().Releases()[0].listed_at, first);
}

TEST_F(ReleaseStoreTest, SyncedAtIsEmptyUntilAnArtistIsSynced) {
  EXPECT_EQ(releases().SyncedAt({"a1"})["a1"], "");
  releases().MarkArtistSynced("a1", "Artist", 3);
  EXPECT_NE(ParseUtc(releases().SyncedAt({"a1"})["a1"]), 0);
}

TEST_F(ReleaseStoreTest, ArtworkRecordsRoundTrip) {
  EXPECT_FALSE(releases().GetArtwork("albums", "x").has_value());
  releases().SaveArtwork({"albums", "x", "https://i/1", "/tmp/x.webp", 123, ""});
  releases().SaveArtwork({"albums", "x", "https://i/2", "/tmp/x.webp", 456, ""});
  auto record = releases().GetArtwork("albums", "x");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->url, "https://i/2");
  EXPECT_EQ(record->bytes, 456);
  EXPECT_EQ(releases().Artwork().size(), 1u);
  releases().DeleteArtwork("albums", "x");
  EXPECT_TRUE(releases().Artwork().empty());
}

}  // namespace
}  // namespace spotify_extract
