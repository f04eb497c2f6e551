#include "extract/coverage.h"

#include <gtest/gtest.h>

#include "small_library.h"

namespace spotify_extract {
namespace {

class CoverageTest : public testing::Test {
 protected:
  SmallLibrary library_dir_{"coverage_test",
                            {{1, "Song A", "Artist A"}, {2, "Song C", "Artist C"}}};
  const std::string& library_ = library_dir_.path();
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
  StateStore store((library_dir_.dir() / "state.db").string());
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
