// The hand-written hard cases of tests/data/match_hard_cases.json, one test each.
#include <gtest/gtest.h>

#include "match/matcher.h"
#include "match_test_util.h"

namespace spotify_extract {
namespace {

using testing_util::ItemFromJson;
using testing_util::LoadJson;
using testing_util::TrackFromJson;

const nlohmann::json& Data() {
  static const nlohmann::json data = LoadJson("tests/data/match_hard_cases.json");
  return data;
}

const Matcher& SharedMatcher() {
  static const Matcher matcher = [] {
    LibraryItems items;
    for (const auto& j : Data()["library"]) items.Add(ItemFromJson(j));
    return Matcher::Build(items);
  }();
  return matcher;
}

class HardCase : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(HardCase, MatchesTheLabel) {
  const nlohmann::json& c = GetParam();
  MatchResult result = SharedMatcher().Match(TrackFromJson(c["track"]));
  std::string got = std::to_string(result.item_id) + " via " + MatchMethodName(result.method) +
                    " (" + MatchStatusName(result.status) + ", " +
                    std::to_string(result.confidence) + ")";
  if (c["expect"].is_null()) {
    EXPECT_NE(result.status, MatchStatus::kMatched) << "must stay unmatched, got " << got;
  } else {
    EXPECT_EQ(result.status, MatchStatus::kMatched) << got;
    EXPECT_EQ(result.item_id, c["expect"].get<int64_t>()) << got;
    if (c.contains("method")) {
      EXPECT_EQ(MatchMethodName(result.method), c["method"].get<std::string>()) << got;
    }
  }
}

std::vector<nlohmann::json> Cases() {
  std::vector<nlohmann::json> cases;
  for (const auto& c : Data()["cases"]) cases.push_back(c);
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Labelled, HardCase, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<nlohmann::json>& info) {
                           return info.param["name"].get<std::string>();
                         });

}  // namespace
}  // namespace spotify_extract
