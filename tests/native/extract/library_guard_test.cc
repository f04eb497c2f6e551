#include "extract/library_guard.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

class LibraryGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("library_guard_test_" + std::to_string(random()));
    fs::create_directories(dir_);
    store_ = std::make_unique<StateStore>((dir_ / kStateDatabaseName).string());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  // The message of the refusal, or "" when the size is accepted.
  std::string Refusal(size_t items, bool accept = false) {
    try {
      CheckLibrarySize(*store_, "/music/library.db", items, accept);
    } catch (const LibraryShrunkError& error) {
      return error.what();
    }
    return "";
  }

  fs::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(LibraryGuardTest, AnEmptyLibraryOnAFirstRunIsRefusedUntilAccepted) {
  std::string refusal = Refusal(0);
  EXPECT_NE(refusal.find("'/music/library.db' has no items"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("--force"), std::string::npos);
  EXPECT_EQ(Refusal(0, /*accept=*/true), "");
  EXPECT_EQ(Refusal(1), "");
  RecordLibrarySize(*store_, 0);  // accepted once: empty is what the person has
  EXPECT_EQ(Refusal(0), "");
}

TEST_F(LibraryGuardTest, FewerThanHalfOfTheLastRunIsRefused) {
  RecordLibrarySize(*store_, 300);
  EXPECT_EQ(Refusal(150), "");
  EXPECT_EQ(Refusal(1000), "");
  std::string refusal = Refusal(149);
  EXPECT_NE(refusal.find("has 149 items, fewer than half of the 300 at the last run"),
            std::string::npos)
      << refusal;
  EXPECT_NE(Refusal(0).find("has no items (300 at the last run)"), std::string::npos);
  EXPECT_EQ(Refusal(149, /*accept=*/true), "");
}

TEST_F(LibraryGuardTest, TheRerenderComparesOnlyWithARecordedCount) {
  EXPECT_NO_THROW(CheckLibraryNotShrunk(*store_, "/music/library.db", 0));
  RecordLibrarySize(*store_, 10);
  EXPECT_THROW(CheckLibraryNotShrunk(*store_, "/music/library.db", 0), LibraryShrunkError);
  EXPECT_THROW(CheckLibraryNotShrunk(*store_, "/music/library.db", 4), LibraryShrunkError);
  EXPECT_NO_THROW(CheckLibraryNotShrunk(*store_, "/music/library.db", 5));
}

}  // namespace
}  // namespace spotify_extract
