#include "playlist/file_name.h"

#include <gtest/gtest.h>

#include <string>

namespace spotify_extract {
namespace {

struct HostileName {
  std::string input;
  std::string expected;
};

class SanitizeTest : public ::testing::TestWithParam<HostileName> {};

TEST_P(SanitizeTest, GivesASafeStem) {
  EXPECT_EQ(SanitizeFileStem(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    HostileNames, SanitizeTest,
    ::testing::Values(
        HostileName{"Workout", "Workout"}, HostileName{"Rock/Pop", "Rock_Pop"},
        HostileName{"../../etc/passwd", "_.._.._etc_passwd"}, HostileName{"..", "Untitled"},
        HostileName{".", "Untitled"},
        HostileName{"...And Justice for All", "_...And Justice for All"},
        HostileName{".hidden", "_.hidden"}, HostileName{"a\\b", "a_b"},
        HostileName{"C:\\Windows", "C__Windows"}, HostileName{"<>:\"|?*", "_______"},
        HostileName{"line\nbreak\rtab\t", "line_break_tab_"},
        HostileName{std::string("nul\0byte", 8), "nul_byte"}, HostileName{"del\x7f", "del_"},
        HostileName{"c1\xc2\x85", "c1_"}, HostileName{"sep\xe2\x80\xa8", "sep_"},
        HostileName{"CON", "_CON"}, HostileName{"con", "_con"}, HostileName{"Nul.txt", "_Nul.txt"},
        HostileName{"COM1", "_COM1"}, HostileName{"lpt9", "_lpt9"},
        HostileName{"COM\xc2\xb9", "_COM\xc2\xb9"}, HostileName{"CONSOLE", "CONSOLE"},
        HostileName{"COM10", "COM10"}, HostileName{"trailing dots...", "trailing dots"},
        HostileName{"trailing spaces   ", "trailing spaces"}, HostileName{"   leading", "leading"},
        HostileName{"", "Untitled"}, HostileName{"   ", "Untitled"}, HostileName{"///", "___"},
        HostileName{"bad \xff\xfe utf8", "bad __ utf8"}, HostileName{"trunc \xe2\x82", "trunc _"},
        HostileName{"bidi \xe2\x80\xaegnp.exe", "bidi gnp.exe"},
        HostileName{"\xef\xbb\xbf"
                    "bom",
                    "bom"},
        // NFD "é" (e + combining acute) becomes NFC.
        HostileName{"Cafe\xcc\x81", "Caf\xc3\xa9"},
        HostileName{"Кино — Группа крови", "Кино — Группа крови"},
        HostileName{"日本語のプレイリスト", "日本語のプレイリスト"},
        HostileName{"Emoji 🎧🔥", "Emoji 🎧🔥"}));

TEST(SanitizeFileStem, CutsLongNamesOnACharacterBoundary) {
  std::string name;
  for (int i = 0; i < 200; ++i) name += "é";  // 2 bytes each
  std::string stem = SanitizeFileStem(name, 101);
  EXPECT_EQ(stem.size(), 100u);
  EXPECT_TRUE(IsValidUtf8(stem));
}

TEST(SanitizeFileStem, CutsOnAGraphemeBoundary) {
  // An emoji family is one grapheme cluster joined by ZWJs: never cut inside it.
  std::string family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
  std::string name = "ab" + family + family;
  std::string stem = SanitizeFileStem(name, 2 + family.size() + 3);
  EXPECT_EQ(stem, "ab" + family);
}

TEST(SanitizeFileStem, CutNeverLeavesTrailingDotsOrSpaces) {
  std::string stem = SanitizeFileStem("abc .   xyz", 6);
  EXPECT_EQ(stem, "abc");
}

TEST(SanitizeFileStem, DefaultCapIsInBytes) {
  std::string stem = SanitizeFileStem(std::string(1000, 'x'));
  EXPECT_EQ(stem.size(), kDefaultMaxNameBytes);
  std::string cjk;
  for (int i = 0; i < 200; ++i) cjk += "語";  // 3 bytes each
  stem = SanitizeFileStem(cjk);
  EXPECT_LE(stem.size(), kDefaultMaxNameBytes);
  EXPECT_EQ(stem.size() % 3, 0u);
  EXPECT_TRUE(IsValidUtf8(stem));
}

TEST(SanitizeFileStem, ResultIsAlwaysValidUtf8WithoutSeparators) {
  // Every byte value, alone and in pairs: the result never holds '/', '\\' or a NUL.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; b += 17) {
      std::string input = {static_cast<char>(a), static_cast<char>(b), 'x'};
      std::string stem = SanitizeFileStem(input);
      ASSERT_TRUE(IsValidUtf8(stem)) << a << " " << b;
      ASSERT_EQ(stem.find_first_of(std::string("/\\\0", 3)), std::string::npos);
      ASSERT_FALSE(stem.empty());
      ASSERT_NE(stem[0], '.');
    }
  }
}

TEST(FileNameKey, FoldsCaseAndNormalisation) {
  EXPECT_EQ(FileNameKey("Workout.m3u"), FileNameKey("WORKOUT.M3U"));
  EXPECT_EQ(FileNameKey("Caf\xc3\xa9"), FileNameKey("CAFE\xcc\x81"));
  EXPECT_NE(FileNameKey("Workout"), FileNameKey("Workout 2"));
}

TEST(ExpandNameTemplate, ReplacesNameAndId) {
  EXPECT_EQ(ExpandNameTemplate("{name} (Spotify)", "Chill", "abc"), "Chill (Spotify)");
  EXPECT_EQ(ExpandNameTemplate("Spotify - {name} {id}", "Chill", "abc"), "Spotify - Chill abc");
  EXPECT_EQ(ExpandNameTemplate("{{name}} {nope}", "Chill", "abc"), "{name} {nope}");
  // A name holding "{id}" is not expanded again.
  EXPECT_EQ(ExpandNameTemplate("{name}", "{id}", "abc"), "{id}");
}

TEST(CleanLineText, RemovesLineBreaksAndBadBytes) {
  EXPECT_EQ(CleanLineText("a\nb\rc"), "a b c");
  EXPECT_EQ(CleanLineText("x\xffy"), "x\xef\xbf\xbdy");
  EXPECT_EQ(CleanLineText("Björk"), "Björk");
}

}  // namespace
}  // namespace spotify_extract
