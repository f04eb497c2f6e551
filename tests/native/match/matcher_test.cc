#include "match/matcher.h"

#include <gtest/gtest.h>

#include <random>

#include "match/overrides.h"

namespace spotify_extract {
namespace {

Matcher BuildMatcher(const std::vector<LibraryItem>& items, MatchOptions options = {}) {
  return Matcher::Build(LibraryItems(items), options);
}

LibraryItem Item(int64_t id, std::string artist, std::string title, std::string album,
                 double length) {
  LibraryItem item;
  item.id = id;
  item.artist = std::move(artist);
  item.title = std::move(title);
  item.album = std::move(album);
  item.length = length;
  return item;
}

Track MakeTrack(std::string id, std::string artist, std::string title, std::string album,
                int duration_ms) {
  Track track;
  track.id = std::move(id);
  track.artists.push_back({"", std::move(artist)});
  track.name = std::move(title);
  track.album_name = std::move(album);
  track.duration_ms = duration_ms;
  return track;
}

std::vector<LibraryItem> SmallLibrary() {
  return {Item(10, "Artist", "Song", "Album", 200), Item(11, "Artist", "Song", "Best Of", 201),
          Item(12, "Artist", "Other Song", "Album", 180),
          Item(13, "Artist", "Song (Live)", "Live at Home", 230)};
}

TEST(Matcher, ExactMatchPrefersSameAlbumAndListsRunnersUp) {
  Matcher matcher = BuildMatcher(SmallLibrary());
  MatchResult result = matcher.Match(MakeTrack("t1", "Artist", "Song", "Best Of", 200000));
  EXPECT_EQ(result.item_id, 11);
  EXPECT_EQ(result.method, MatchMethod::kExact);
  EXPECT_EQ(result.status, MatchStatus::kMatched);
  EXPECT_DOUBLE_EQ(result.confidence, 0.95);
  ASSERT_EQ(result.runners_up.size(), 1u);
  EXPECT_EQ(result.runners_up[0].item_id, 10);
  EXPECT_EQ(result.track_id, "t1");
}

TEST(Matcher, LowestIdWinsATie) {
  Matcher matcher = BuildMatcher(
      {Item(7, "A", "T", "X", 100), Item(3, "A", "T", "Y", 100), Item(5, "A", "T", "Z", 100)});
  EXPECT_EQ(matcher.Match(MakeTrack("t", "A", "T", "Other", 100000)).item_id, 3);
}

TEST(Matcher, AcceptOverrideWins) {
  Matcher matcher = BuildMatcher(SmallLibrary());
  matcher.SetOverrides({{"t1", {{MatchOverride::Action::kAccept, 12}}}});
  MatchResult result = matcher.Match(MakeTrack("t1", "Artist", "Song", "Album", 200000));
  EXPECT_EQ(result.item_id, 12);
  EXPECT_EQ(result.method, MatchMethod::kOverride);
  EXPECT_EQ(result.status, MatchStatus::kMatched);
  EXPECT_DOUBLE_EQ(result.confidence, 1.0);
}

TEST(Matcher, AcceptOverrideOfAVanishedItemIsIgnored) {
  Matcher matcher = BuildMatcher(SmallLibrary());
  matcher.SetOverrides({{"t1", {{MatchOverride::Action::kAccept, 999}}}});
  EXPECT_EQ(matcher.Match(MakeTrack("t1", "Artist", "Song", "Album", 200000)).item_id, 10);
}

TEST(Matcher, RejectOverrideRemovesTheItem) {
  Matcher matcher = BuildMatcher(SmallLibrary());
  matcher.SetOverrides({{"t1", {{MatchOverride::Action::kReject, 10}}}});
  MatchResult result = matcher.Match(MakeTrack("t1", "Artist", "Song", "Album", 200000));
  EXPECT_EQ(result.item_id, 11);
  matcher.SetOverrides(
      {{"t1", {{MatchOverride::Action::kReject, 10}, {MatchOverride::Action::kReject, 11}}}});
  result = matcher.Match(MakeTrack("t1", "Artist", "Song", "Album", 200000));
  EXPECT_NE(result.status, MatchStatus::kMatched);
  EXPECT_NE(result.item_id, 10);
  EXPECT_NE(result.item_id, 11);
}

TEST(Matcher, RejectNothingKeepsTrackUnmatched) {
  Matcher matcher = BuildMatcher(SmallLibrary());
  matcher.SetOverrides({{"t1", {{MatchOverride::Action::kReject, 0}}}});
  MatchResult result = matcher.Match(MakeTrack("t1", "Artist", "Song", "Album", 200000));
  EXPECT_EQ(result.status, MatchStatus::kUnmatched);
  EXPECT_EQ(result.method, MatchMethod::kOverride);
  EXPECT_EQ(result.item_id, 0);
}

TEST(Matcher, LiveNeverMatchesStudio) {
  Matcher matcher = BuildMatcher(SmallLibrary());
  EXPECT_EQ(matcher.Match(MakeTrack("t", "Artist", "Song - Live", "", 230000)).item_id, 13);
  Matcher studio_only = BuildMatcher({Item(1, "Artist", "Song", "Album", 200)});
  MatchResult result = studio_only.Match(MakeTrack("t", "Artist", "Song - Live", "", 200000));
  EXPECT_EQ(result.status, MatchStatus::kUnmatched);
  EXPECT_EQ(result.item_id, 0);
}

TEST(Matcher, LowConfidenceNeedsReview) {
  // A typo plus no duration and another album: plausible, not certain.
  Matcher matcher = BuildMatcher({Item(1, "Dua Lipa", "Levitating", "Future Nostalgia", 203)});
  MatchResult result = matcher.Match(MakeTrack("t", "Dua Lipa", "Levitatin", "Club Hits", 0));
  EXPECT_EQ(result.status, MatchStatus::kReview);
  EXPECT_EQ(result.item_id, 1);
  EXPECT_EQ(result.method, MatchMethod::kFuzzy);
  EXPECT_LT(result.confidence, 0.85);
  EXPECT_GE(result.confidence, 0.60);

  MatchOptions lenient;
  lenient.min_confidence = 0.7;
  Matcher lenient_matcher =
      BuildMatcher({Item(1, "Dua Lipa", "Levitating", "Future Nostalgia", 203)}, lenient);
  EXPECT_EQ(lenient_matcher.Match(MakeTrack("t", "Dua Lipa", "Levitatin", "Club Hits", 0)).status,
            MatchStatus::kMatched);
}

TEST(Matcher, EmptyLibraryAndEmptyTrack) {
  Matcher empty = BuildMatcher({});
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.Match(MakeTrack("t", "A", "B", "C", 1000)).status, MatchStatus::kUnmatched);
  Matcher matcher = BuildMatcher(SmallLibrary());
  Track nothing;
  EXPECT_EQ(matcher.Match(nothing).status, MatchStatus::kUnmatched);
}

TEST(Matcher, HostileStringsDoNotCrash) {
  std::string huge(1 << 20, 'a');
  std::string invalid = "\xFF\xFE\xC3(\xE2\x82";
  Matcher matcher = BuildMatcher({Item(1, huge, huge, huge, 1e9),
                                  Item(2, invalid, invalid, invalid, -5), Item(3, "", "", "", 0)});
  EXPECT_NO_THROW(matcher.Match(MakeTrack(huge, huge, huge, huge, 2000000000)));
  EXPECT_NO_THROW(matcher.Match(MakeTrack(invalid, invalid, invalid, invalid, -1)));
  EXPECT_NO_THROW(matcher.Match(MakeTrack("", "", "", "", 0)));
}

TEST(OverridesFromStore, Converts) {
  Override accepted{"a", 12, false, ""};
  Override rejected{"b", 10, true, ""};
  Override nothing{"c", 0, true, ""};
  Override empty{"d", 0, false, ""};
  MatchOverrides overrides = OverridesFromStore({accepted, rejected, nothing, empty});
  ASSERT_EQ(overrides.size(), 3u);
  EXPECT_EQ(overrides["a"][0].action, MatchOverride::Action::kAccept);
  EXPECT_EQ(overrides["a"][0].item_id, 12);
  EXPECT_EQ(overrides["b"][0].action, MatchOverride::Action::kReject);
  EXPECT_EQ(overrides["b"][0].item_id, 10);
  EXPECT_EQ(overrides["c"][0].item_id, 0);

  Matcher matcher = BuildMatcher(SmallLibrary());
  matcher.SetOverrides(overrides);
  EXPECT_EQ(matcher.Match(MakeTrack("a", "Artist", "Song", "Album", 200000)).item_id, 12);
  EXPECT_EQ(matcher.Match(MakeTrack("b", "Artist", "Song", "Album", 200000)).item_id, 11);
  EXPECT_EQ(matcher.Match(MakeTrack("c", "Artist", "Song", "Album", 200000)).status,
            MatchStatus::kUnmatched);
}

TEST(MatchOptions, Validation) {
  MatchOptions options;
  options.min_confidence = 1.5;
  EXPECT_THROW(BuildMatcher({}, options), MatchError);
  options = MatchOptions();
  options.review_confidence = 0.9;
  EXPECT_THROW(options.Validate(), MatchError);
  options = MatchOptions();
  options.threads = 0;
  EXPECT_THROW(options.Validate(), MatchError);
}

// Results must not depend on the thread count.
TEST(Matcher, MatchAllIsDeterministicAcrossThreadCounts) {
  std::mt19937 rng(42);
  std::vector<std::string> words = {"love",  "night", "day",  "heart", "fire",  "rain", "blue",
                                    "dream", "song",  "road", "home",  "light", "dark", "sun"};
  auto pick = [&] { return words[rng() % words.size()]; };
  std::vector<LibraryItem> items;
  for (int i = 0; i < 6000; ++i) {
    items.push_back(Item(i + 1, "Artist " + std::to_string(rng() % 300),
                         pick() + " " + pick() + (rng() % 5 == 0 ? " (Live)" : ""),
                         "Album " + std::to_string(rng() % 800), 120 + rng() % 240));
  }
  std::vector<Track> tracks;
  for (int i = 0; i < 3000; ++i) {
    const LibraryItem& source = items[rng() % items.size()];
    std::string title = source.title;
    if (rng() % 4 == 0) title += " - Remastered 2011";
    if (rng() % 6 == 0 && title.size() > 3) title.erase(title.size() / 2, 1);
    tracks.push_back(MakeTrack("t" + std::to_string(i), source.artist, title,
                               rng() % 2 ? source.album : "Hits",
                               static_cast<int>(source.length * 1000) + (rng() % 9000) - 4500));
  }
  std::vector<std::vector<MatchResult>> runs;
  for (int threads : {1, 2, 3}) {
    MatchOptions options;
    options.threads = threads;
    runs.push_back(BuildMatcher(items, options).MatchAll(tracks));
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), tracks.size());
    for (size_t i = 0; i < tracks.size(); ++i) {
      EXPECT_EQ(runs[r][i].track_id, tracks[i].id);
      EXPECT_EQ(runs[r][i].item_id, runs[0][i].item_id) << i;
      EXPECT_EQ(runs[r][i].confidence, runs[0][i].confidence) << i;
      EXPECT_EQ(runs[r][i].method, runs[0][i].method) << i;
      ASSERT_EQ(runs[r][i].runners_up.size(), runs[0][i].runners_up.size()) << i;
      for (size_t k = 0; k < runs[0][i].runners_up.size(); ++k) {
        EXPECT_EQ(runs[r][i].runners_up[k].item_id, runs[0][i].runners_up[k].item_id);
      }
    }
  }
  size_t matched = 0;
  for (const auto& result : runs[0]) matched += result.status == MatchStatus::kMatched;
  EXPECT_GT(matched, tracks.size() / 2);
}

}  // namespace
}  // namespace spotify_extract
