#include "library/library_reader.h"

#include <gtest/gtest.h>

namespace spotify_extract {
namespace {

TEST(SplitMultiValueTest, SplitsOnBeetsDelimiter) {
  EXPECT_EQ(SplitMultiValue("A\\\xE2\x90\x80"
                            "B"),
            (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(SplitMultiValue("A; B"), (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(SplitMultiValue("").empty());
}

TEST(ResolveLibraryPathTest, RelativeJoinsMusicDirAbsoluteStays) {
  EXPECT_EQ(ResolveLibraryPath("a/b.mp3", "/music"), "/music/a/b.mp3");
  EXPECT_EQ(ResolveLibraryPath("/x/b.mp3", "/music"), "/x/b.mp3");
}

}  // namespace
}  // namespace spotify_extract
