#include "match/normalize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spotify_extract::norm {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(FoldText, CaseAccentsPunctuationAndWhitespace) {
  EXPECT_EQ(FoldText("  Héllo,   WORLD!  "), "hello world");
  EXPECT_EQ(FoldText("Beyoncé"), "beyonce");
  EXPECT_EQ(FoldText("Motörhead"), "motorhead");
  EXPECT_EQ(FoldText("Sigur Rós"), "sigur ros");
  EXPECT_EQ(FoldText("Mötley Crüe"), "motley crue");
  EXPECT_EQ(FoldText("Straße"), "strasse");
  EXPECT_EQ(FoldText("Røyksopp"), "royksopp");
  EXPECT_EQ(FoldText("Ænima"), "aenima");
}

TEST(FoldText, KeepsAccentsWhenAsked) {
  EXPECT_EQ(FoldText("Beyoncé", false), "beyoncé");
  EXPECT_EQ(FoldText("Papá", false), "papá");
  EXPECT_NE(FoldText("Papá", false), FoldText("Papa", false));
  EXPECT_EQ(FoldText("Papá"), FoldText("Papa"));
}

TEST(FoldText, SmartQuotesAndApostrophes) {
  EXPECT_EQ(FoldText("Don\xE2\x80\x99t Stop Me Now"), "dont stop me now");
  EXPECT_EQ(FoldText("Don't Stop Me Now"), "dont stop me now");
  EXPECT_EQ(FoldText("\xE2\x80\x9CHeroes\xE2\x80\x9D"), "heroes");
  EXPECT_EQ(FoldText("Rock & Roll"), "rock and roll");
  EXPECT_EQ(FoldText("Rock&Roll"), "rock and roll");
}

TEST(FoldText, CompatibilityForms) {
  EXPECT_EQ(FoldText("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3"), "abc");  // full-width ABC
  EXPECT_EQ(FoldText("ﬁne"), "fine");                                  // ligature
  EXPECT_EQ(FoldText("e\xCC\x81t\xC3\xA9"), "ete");                    // NFD and NFC
}

TEST(FoldText, NonLatinScriptsAreKept) {
  EXPECT_EQ(FoldText("夜に駆ける"), "夜に駆ける");
  EXPECT_EQ(FoldText("ガ"), "ガ");  // the dakuten is not an accent to fold
  EXPECT_NE(FoldText("ガ"), FoldText("カ"));
  EXPECT_EQ(FoldText("Кино"), "кино");
  EXPECT_EQ(FoldText("Группа крови"), "группа крови");
  EXPECT_EQ(FoldText("방탄소년단"), "방탄소년단");
  EXPECT_EQ(FoldText("Ελληνικά"), "ελληνικα");
  EXPECT_EQ(FoldText("مرحبا"), "مرحبا");
  EXPECT_FALSE(FoldText("नमस्ते").empty());
}

TEST(FoldText, NeverEmptyForSymbols) {
  EXPECT_EQ(FoldText("!!!"), "!!!");
  EXPECT_FALSE(FoldText("\xF0\x9F\x94\xA5").empty());  // an emoji
  EXPECT_EQ(FoldText(""), "");
}

TEST(FoldText, InvalidUtf8DoesNotThrow) {
  EXPECT_EQ(FoldText("ab\xFF\xFE"
                     "cd"),
            "abcd");
  EXPECT_EQ(FoldText("caf\xC3"), "caf");
}

TEST(ParseTitle, BracketedVersionTags) {
  auto live = ParseTitle("Song (Live)");
  EXPECT_EQ(live.core, "song");
  EXPECT_EQ(live.flags, kLive);

  auto remix = ParseTitle("Titanium (David Guetta Remix)");
  EXPECT_EQ(remix.core, "titanium");
  EXPECT_EQ(remix.flags, kRemix);
  EXPECT_EQ(remix.remixer, "david guetta");

  auto bare_remix = ParseTitle("Song [Remix]");
  EXPECT_EQ(bare_remix.flags, kRemix);
  EXPECT_EQ(bare_remix.remixer, "");

  EXPECT_EQ(ParseTitle("Song (Acoustic Version)").flags, kAcoustic);
  EXPECT_EQ(ParseTitle("Song (Instrumental)").flags, kInstrumental);
  EXPECT_EQ(ParseTitle("Song (Demo)").flags, kDemo);
  EXPECT_EQ(ParseTitle("Song (Radio Edit)").flags, kEdit);
  EXPECT_EQ(ParseTitle("Song (Mono)").flags, kMono);
  EXPECT_EQ(ParseTitle("Song (Extended Mix)").flags, kExtended);
  EXPECT_EQ(ParseTitle("Song (Original Mix)").flags, 0u);
  EXPECT_EQ(ParseTitle("Song (Slowed + Reverb)").flags, kSlowed);
  EXPECT_EQ(ParseTitle("Song (Sped Up)").flags, kSpedUp);
  EXPECT_EQ(ParseTitle("Song (Karaoke Version)").flags, kKaraoke);
  EXPECT_EQ(ParseTitle("Love Story (Taylor's Version)").flags, kRerecorded);
  EXPECT_EQ(ParseTitle("Song (Unplugged)").flags, kLive | kAcoustic);
}

TEST(ParseTitle, DashSeparatedTags) {
  auto remaster = ParseTitle("Here Comes the Sun - Remastered 2009");
  EXPECT_EQ(remaster.core, "here comes the sun");
  EXPECT_EQ(remaster.flags, kRemaster);
  EXPECT_EQ(remaster.remaster_year, 2009);

  auto year_first = ParseTitle("Bohemian Rhapsody – 2011 Remaster");  // en dash
  EXPECT_EQ(year_first.core, "bohemian rhapsody");
  EXPECT_EQ(year_first.remaster_year, 2011);

  auto live = ParseTitle("Wish You Were Here - Live at Knebworth 1990");
  EXPECT_EQ(live.core, "wish you were here");
  EXPECT_EQ(live.flags, kLive);

  EXPECT_EQ(ParseTitle("Song - Radio Edit").flags, kEdit);
  EXPECT_EQ(ParseTitle("Song - From \"The Movie\" Soundtrack").core, "song");
  EXPECT_EQ(ParseTitle("Song - Mono Version").flags, kMono);
}

TEST(ParseTitle, FeaturedCreditsLeaveTheTitle) {
  auto bracketed = ParseTitle("Empire State of Mind (feat. Alicia Keys)");
  EXPECT_EQ(bracketed.core, "empire state of mind");
  EXPECT_THAT(bracketed.featured, ElementsAre("alicia keys"));

  auto plain = ParseTitle("Song ft. A & B");
  EXPECT_EQ(plain.core, "song");
  EXPECT_THAT(plain.featured, ElementsAre("a", "b"));

  auto with = ParseTitle("Song (with Someone)");
  EXPECT_EQ(with.core, "song");
  EXPECT_THAT(with.featured, ElementsAre("someone"));

  auto both = ParseTitle("Song [feat. X] - Remix");
  EXPECT_EQ(both.core, "song");
  EXPECT_EQ(both.flags, kRemix);
  EXPECT_THAT(both.featured, ElementsAre("x"));
}

TEST(ParseTitle, TitleBracketsAreKept) {
  auto satisfaction = ParseTitle("(I Can't Get No) Satisfaction");
  EXPECT_EQ(satisfaction.core, "satisfaction i cant get no");
  EXPECT_EQ(satisfaction.main, "satisfaction");
  EXPECT_EQ(satisfaction.flags, 0u);

  auto part = ParseTitle("Song (Part 2)");
  EXPECT_NE(part.core, ParseTitle("Song").core);

  auto only_tag = ParseTitle("(Intro)");
  EXPECT_EQ(only_tag.core, "intro");
}

TEST(ParseTitle, NonLatinTitles) {
  auto japanese = ParseTitle("夜に駆ける (Live)");
  EXPECT_EQ(japanese.core, "夜に駆ける");
  EXPECT_EQ(japanese.flags, kLive);
  EXPECT_EQ(ParseTitle("Кукушка").core, "кукушка");
}

// Scripts without spaces write their version words glued to the title or to Latin words.
TEST(ParseTitle, VersionWordsOfCjkScripts) {
  EXPECT_EQ(ParseTitle("海 - Live").flags, kLive);
  EXPECT_EQ(ParseTitle("海 - Live").core, "海");
  EXPECT_EQ(ParseTitle("夜に駆ける (ライブ)").flags, kLive);
  EXPECT_EQ(ParseTitle("夜に駆ける (ライブ)").core, "夜に駆ける");
  EXPECT_EQ(ParseTitle("晴天 (Live版)").flags, kLive);
  EXPECT_EQ(ParseTitle("晴天 (Live版)").core, "晴天");
  EXPECT_EQ(ParseTitle("晴天 - 現場版").flags, kLive);
  EXPECT_EQ(ParseTitle("晴天 (现场)").flags, kLive);
  EXPECT_EQ(ParseTitle("봄날 (라이브)").flags, kLive);
  EXPECT_EQ(ParseTitle("海 (ライブ・バージョン)").flags, kLive);
  EXPECT_EQ(ParseTitle("海 (伴奏)").flags, kInstrumental);
  EXPECT_EQ(ParseTitle("海 (リミックス)").flags, kRemix);
  // A bracket that is part of the title stays in it.
  EXPECT_EQ(ParseTitle("海 (夏の日)").flags, 0u);
  EXPECT_EQ(ParseTitle("海 (夏の日)").core, "海 夏の日");
  EXPECT_EQ(ParseAlbum("2019 演唱会").flags, kLive);
}

// Spotify abbreviates series markers, MusicBrainz spells them out; numbers are identity.
TEST(ParseTitle, SeriesNumbersAreWrittenOneWay) {
  const std::string part2 = ParseTitle("Suite, Part 2").core;
  EXPECT_EQ(part2, "suite part 2");
  EXPECT_EQ(ParseTitle("Suite Pt. 2").core, part2);
  EXPECT_EQ(ParseTitle("Suite, Pt. II").core, part2);
  EXPECT_EQ(ParseTitle("Suite, Part Two").core, part2);
  EXPECT_EQ(ParseTitle("Suite, Part 02").core, part2);
  EXPECT_NE(ParseTitle("Suite, Pt. 3").core, part2);
  EXPECT_NE(ParseTitle("Suite, Part III").core, part2);
  EXPECT_EQ(ParseTitle("Tubular Bells - Pt. I").core, ParseTitle("Tubular Bells, Part One").core);
  EXPECT_EQ(ParseTitle("Hits, Vol. 3").core, ParseTitle("Hits, Volume Three").core);
  EXPECT_EQ(ParseTitle("Symphony No. 5").core, ParseTitle("Symphony Number 5").core);
  // Plural markers take a list or a range; "op." is opus.
  const std::string one_to_five = ParseTitle("Shine On You Crazy Diamond, Parts I–V").core;
  EXPECT_EQ(one_to_five, "shine on you crazy diamond parts 1 5");
  EXPECT_EQ(ParseTitle("Shine On You Crazy Diamond (Pts. 1-5)").core, one_to_five);
  EXPECT_NE(ParseTitle("Shine On You Crazy Diamond (Pts. 6-9)").core, one_to_five);
  EXPECT_EQ(ParseTitle("Suite, Pts. 1 & 2").core, ParseTitle("Suite, Parts One and Two").core);
  EXPECT_EQ(ParseTitle("Symphony No. 5, Op. 67").core,
            ParseTitle("Symphony Number 5, Opus 67").core);
  EXPECT_EQ(ParseTitle("Op Art").core, "op art");
  // Only a marker followed by a number changes: titles keep their words.
  EXPECT_EQ(ParseTitle("No One").core, "no one");
  EXPECT_EQ(ParseTitle("One Part of Me").core, "one part of me");
  EXPECT_EQ(ParseTitle("Part of Me").core, "part of me");
  EXPECT_EQ(ParseTitle("I Will Always Love You").core, "i will always love you");
}

TEST(SplitArtists, Separators) {
  EXPECT_THAT(SplitArtists("Simon & Garfunkel"), ElementsAre("simon", "garfunkel"));
  EXPECT_THAT(SplitArtists("A, B and C"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(SplitArtists("A feat. B"), ElementsAre("a", "b"));
  EXPECT_THAT(SplitArtists("A x B; C / D"), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(SplitArtists("Beatles, The"), ElementsAre("beatles"));
  EXPECT_THAT(SplitArtists("Lil Nas X"), ElementsAre("lil nas x"));
}

TEST(ArtistKey, TheAndAmpersand) {
  EXPECT_EQ(ArtistKey("The Beatles"), "beatles");
  EXPECT_EQ(ArtistKey("Beatles, The"), "beatles");
  EXPECT_EQ(ArtistKey("Simon & Garfunkel"), ArtistKey("Simon and Garfunkel"));
  EXPECT_EQ(ArtistKey("The The"), "the");
  EXPECT_EQ(ArtistKey("Beyoncé"), "beyonce");
  EXPECT_EQ(ArtistKey("Florence + the Machine"), ArtistKey("Florence and the Machine"));
  EXPECT_EQ(ArtistKey("Florence + the Machine"), ArtistKey("Florence & the Machine"));
  EXPECT_EQ(ArtistKey("+44"), "44");
  EXPECT_NE(ArtistKey("1+1"), ArtistKey("1 and 1"));
}

TEST(ParseAlbum, EditionsAndLive) {
  EXPECT_EQ(ParseAlbum("Abbey Road (Remastered)").key, "abbey road");
  EXPECT_EQ(ParseAlbum("Rumours (Super Deluxe Edition)").key, "rumours");
  EXPECT_EQ(ParseAlbum("Live at Leeds").flags, kLive);
  EXPECT_EQ(ParseAlbum("MTV Unplugged in New York").flags, kLive | kAcoustic);
  EXPECT_EQ(ParseAlbum("Live Through This").flags, 0u);
  EXPECT_EQ(ParseAlbum("Alive").flags, 0u);
}

TEST(CanonicalIsrc, Forms) {
  EXPECT_EQ(CanonicalIsrc("gb-aye-65-00001"), "GBAYE6500001");
  EXPECT_EQ(CanonicalIsrc("USRC17607839"), "USRC17607839");
  EXPECT_EQ(CanonicalIsrc("bad"), "");
  EXPECT_EQ(CanonicalIsrc(""), "");
}

TEST(Similarity, Basics) {
  EXPECT_DOUBLE_EQ(Similarity("abc", "abc"), 1.0);
  EXPECT_DOUBLE_EQ(Similarity("", ""), 1.0);
  EXPECT_NEAR(Similarity("bohemian rhapsody", "bohemian rapsody"), 1.0 - 1.0 / 17, 1e-9);
  EXPECT_DOUBLE_EQ(TokenSortSimilarity("b a", "a b"), 1.0);
  EXPECT_DOUBLE_EQ(SimilarityAtLeast("bohemian rhapsody", "bohemian rapsody", 0.75),
                   Similarity("bohemian rhapsody", "bohemian rapsody"));
  EXPECT_LT(SimilarityAtLeast("abcdef", "uvwxyz", 0.75), 0.75);
  EXPECT_LT(SimilarityAtLeast("abc", "abcdefghij", 0.75), 0.75);
  EXPECT_EQ(BoundedLevenshtein("kitten", "sitting", 10), 3);
  EXPECT_EQ(BoundedLevenshtein("kitten", "sitting", 1), 2);
  EXPECT_EQ(BoundedLevenshtein("dancign", "dancing", 5), 1);  // a swap is one edit
  EXPECT_EQ(BoundedLevenshtein("abc", "", 5), 3);
}

TEST(VersionFlagNames, Lists) {
  EXPECT_EQ(VersionFlagNames(kLive | kRemix), "live,remix");
  EXPECT_EQ(VersionFlagNames(0), "");
}

TEST(SongKey, WhatAPersonTypesTwiceIsOneSong) {
  EXPECT_EQ(SongKey("ABBA", "Dancing Queen"), SongKey("abba", "Dancing  Queen!"));
  EXPECT_EQ(SongKey("Beyoncé", "Halo (feat. X)"), SongKey("Beyonce", "Halo"));
  EXPECT_EQ(SongKey("Massive Attack feat. Elizabeth Fraser", "Teardrop - 2019 Remaster"),
            SongKey("Massive Attack", "Teardrop"));
  EXPECT_NE(SongKey("ABBA", "Dancing Queen"), SongKey("ABBA", "Waterloo"));
  EXPECT_NE(SongKey("ABBA", "Dancing Queen - Live"), SongKey("ABBA", "Dancing Queen"));
  EXPECT_NE(SongKey("AB", "BA Song"), SongKey("AB BA", "Song"));
  // Other scripts are kept, never folded to nothing.
  EXPECT_EQ(SongKey("坂本龍一", "戦場のメリークリスマス"),
            SongKey("坂本龍一", "戦場のメリークリスマス"));
  EXPECT_NE(SongKey("坂本龍一", "戦場のメリークリスマス"), SongKey("坂本龍一", "Energy Flow"));
  EXPECT_NE(SongKey("Кино", "Группа крови"), SongKey("Кино", ""));
}

}  // namespace
}  // namespace spotify_extract::norm
