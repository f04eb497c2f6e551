#include "store/playlist_write_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "store/state_store.h"

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

class PlaylistWriteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("playlist_write_store_test_" + std::to_string(random()));
    fs::create_directories(dir_);
    path_ = (dir_ / kStateDatabaseName).string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
};

TEST_F(PlaylistWriteStoreTest, AWriteIsCheckpointedAcrossReopeningAndFinishes) {
  {
    StateStore store(path_);
    PlaylistWriteStore& writes = store.writes();
    EXPECT_FALSE(writes.CreatedFor("master:M").has_value());
    PlaylistWrite begun = writes.BeginWrite("master:M", "", "tag1", "digest1", 250);
    EXPECT_EQ(begun.playlist_id, "");
    EXPECT_EQ(begun.item_count, 250);
    writes.RecordCreated("P1", "master:M", "M", "s0");
    writes.Checkpoint("master:M", 100, "s1", true);
    writes.Checkpoint("master:M", 200, "s2", true);
  }
  // A new process (after kill -9) sees where the write stood.
  StateStore store(path_);
  PlaylistWriteStore& writes = store.writes();
  std::optional<PlaylistWrite> write = writes.GetWrite("master:M");
  ASSERT_TRUE(write.has_value());
  EXPECT_EQ(write->playlist_id, "P1");
  EXPECT_EQ(write->create_tag, "tag1");
  EXPECT_EQ(write->items_digest, "digest1");
  EXPECT_EQ(write->batches_done, 2);
  EXPECT_EQ(write->items_done, 200);
  EXPECT_EQ(write->snapshot_id, "s2");
  EXPECT_TRUE(writes.IsCreated("P1"));
  EXPECT_FALSE(writes.IsCreated("P2"));

  writes.Checkpoint("master:M", 250, "s3", true);
  writes.FinishWrite("master:M", "s3");
  EXPECT_FALSE(writes.GetWrite("master:M").has_value());
  std::optional<CreatedPlaylist> created = writes.CreatedFor("master:M");
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->playlist_id, "P1");
  EXPECT_EQ(created->item_count, 250);
  EXPECT_EQ(created->items_digest, "digest1");
  EXPECT_EQ(created->snapshot_id, "s3");
}

TEST_F(PlaylistWriteStoreTest, AGonePlaylistIsNoLongerTheTargetsButStaysKnownAsOurs) {
  StateStore store(path_);
  PlaylistWriteStore& writes = store.writes();
  writes.RecordCreated("P1", "push:Gym", "Gym", "s");
  writes.MarkGone("P1");
  EXPECT_FALSE(writes.CreatedFor("push:Gym").has_value());
  EXPECT_TRUE(writes.IsCreated("P1"));
  writes.RecordCreated("P2", "push:Gym", "Gym", "t");
  EXPECT_EQ(writes.CreatedFor("push:Gym")->playlist_id, "P2");
  EXPECT_EQ(writes.ListCreated().size(), 2u);
  // A restarted write forgets the old checkpoint.
  writes.BeginWrite("push:Gym", "P2", "a", "d1", 10);
  writes.Checkpoint("push:Gym", 10, "u", true);
  PlaylistWrite again = writes.BeginWrite("push:Gym", "P2", "b", "d2", 5);
  EXPECT_EQ(again.items_done, 0);
  EXPECT_EQ(again.items_digest, "d2");
}

}  // namespace
}  // namespace spotify_extract
