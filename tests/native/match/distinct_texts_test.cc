#include "match/distinct_texts.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>

namespace spotify_extract {
namespace {

// Adds `text` unless present, as GroupedLibrary does; returns its number.
uint32_t Number(DistinctTexts& texts, std::deque<std::string>& storage, const std::string& text) {
  const uint64_t hash = DistinctTexts::Hash(text);
  uint32_t found = texts.Find(text, hash);
  if (found != DistinctTexts::kAbsent) return found;
  return texts.Add(storage.emplace_back(text), hash);
}

TEST(DistinctTexts, NumbersInFirstSeenOrderAcrossGrowth) {
  DistinctTexts texts;
  std::deque<std::string> storage;  // stable addresses, as an arena's
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 5000; ++i) {
      ASSERT_EQ(Number(texts, storage, "text " + std::to_string(i)), static_cast<uint32_t>(i));
    }
  }
  EXPECT_EQ(texts.size(), 5000u);
  EXPECT_EQ(texts[4321], "text 4321");
  EXPECT_EQ(texts.Find("text 5000", DistinctTexts::Hash("text 5000")), DistinctTexts::kAbsent);
}

TEST(DistinctTexts, TheEmptyStringIsATextLikeAnyOther) {
  DistinctTexts texts;
  std::deque<std::string> storage;
  EXPECT_EQ(Number(texts, storage, ""), 0u);
  EXPECT_EQ(Number(texts, storage, "a"), 1u);
  EXPECT_EQ(Number(texts, storage, ""), 0u);
}

TEST(DistinctTexts, EqualHashesStillCompareTheText) {
  DistinctTexts texts;
  std::deque<std::string> storage;
  // Two texts under one forced hash: they share a probe chain and a tag.
  const uint64_t hash = 42;
  ASSERT_EQ(texts.Find("a", hash), DistinctTexts::kAbsent);
  EXPECT_EQ(texts.Add(storage.emplace_back("a"), hash), 0u);
  ASSERT_EQ(texts.Find("b", hash), DistinctTexts::kAbsent);
  EXPECT_EQ(texts.Add(storage.emplace_back("b"), hash), 1u);
  EXPECT_EQ(texts.Find("a", hash), 0u);
  EXPECT_EQ(texts.Find("b", hash), 1u);
}

TEST(DistinctTexts, TextsStayReadableAfterTheTableIsDropped) {
  DistinctTexts texts;
  std::deque<std::string> storage;
  texts.Reserve(100);
  Number(texts, storage, "kept");
  texts.DropTable();
  EXPECT_EQ(texts.texts().size(), 1u);
  EXPECT_EQ(texts[0], "kept");
  EXPECT_EQ(texts.Find("kept", DistinctTexts::Hash("kept")), DistinctTexts::kAbsent);
}

}  // namespace
}  // namespace spotify_extract
