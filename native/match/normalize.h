#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Text normalisation for matching Spotify tracks against beets items: Unicode folding,
// version tags and featured credits pulled out of titles, artist credits split into sets.
// Every function is pure and thread-safe.

namespace spotify_extract::norm {

// Version tags found in a title (or, for live recordings, in an album name).
enum VersionFlag : uint32_t {
  kLive = 1u << 0,
  kRemix = 1u << 1,
  kAcoustic = 1u << 2,
  kInstrumental = 1u << 3,
  kDemo = 1u << 4,
  kEdit = 1u << 5,  // radio edit, single edit, short version
  kRemaster = 1u << 6,
  kMono = 1u << 7,
  kStereo = 1u << 8,
  kExtended = 1u << 9,
  kSlowed = 1u << 10,  // slowed, slowed + reverb
  kSpedUp = 1u << 11,  // sped up, nightcore
  kCover = 1u << 12,
  kKaraoke = 1u << 13,
  kRerecorded = 1u << 14,  // "Taylor's Version", re-recorded
  kAcappella = 1u << 15,
};

// A different recording when only one side has it: never matched across.
constexpr uint32_t kHardVersionFlags = kLive | kRemix | kAcoustic | kInstrumental | kDemo |
                                       kExtended | kSlowed | kSpedUp | kCover | kKaraoke |
                                       kRerecorded | kAcappella;
// Usually the same recording, cut or mixed differently: a small penalty only.
constexpr uint32_t kSoftVersionFlags = kEdit | kMono | kStereo;
// kRemaster is the same recording: ignored by the guards.

// Names of the flags set in `flags`, e.g. "live,remix" (for messages and tests).
std::string VersionFlagNames(uint32_t flags);

// NFKC, case fold, smart quotes and dashes lumped, apostrophes dropped ("don't" ->
// "dont"), "&" -> "and", every other punctuation or symbol -> one space, whitespace
// collapsed and trimmed. With `fold_accents`, combining marks on Latin, Greek and
// Cyrillic letters are removed (é -> e, й -> и) and ø/æ/œ/ß/ł/đ/þ spelled out; marks of
// other scripts (Devanagari vowel signs, Japanese dakuten) are kept. A string made only
// of symbols (emoji) keeps them rather than becoming empty.
std::string FoldText(std::string_view text, bool fold_accents = true);

// NFKC + case fold + lumped quotes/dashes, punctuation kept: the input of the parsers.
std::string CanonicalLower(std::string_view text);

struct ParsedTitle {
  // The title without version tags and featured credits, folded (accent-free).
  std::string core;
  // The same without accent folding (keeps é, ß ... case-folded): the non-folded key.
  std::string core_unfolded;
  // Only the text outside any bracket or dash suffix, folded ("(I Can't Get No)
  // Satisfaction" -> "satisfaction"); equal to `core` when nothing was bracketed.
  std::string main;
  uint32_t flags = 0;
  std::string remixer;                // folded artist key of "(X Remix)", empty when unnamed
  int remaster_year = 0;              // "2011 Remaster" -> 2011
  std::vector<std::string> featured;  // raw names from feat./ft./featuring/with
};

ParsedTitle ParseTitle(std::string_view title);

// Splits one credit string into artist names on &, and, x, ",", ";", /, +, vs, feat.,
// ft., featuring, with. "Beatles, The" stays one name. Names are returned trimmed but
// otherwise as given.
std::vector<std::string> SplitArtists(std::string_view credit);

// The comparison key of one artist name: folded, "&" -> "and", a leading "the " or a
// trailing ", the" removed ("The Beatles" == "Beatles, The" == "beatles").
std::string ArtistKey(std::string_view name);

// The identity of a song a person typed as "Artist - Title" (a manual wishlist entry): the
// first credited artist's key, the title's core and its version tags that make another
// recording (live, remix ...), NUL-separated, so case, accents, punctuation, "(feat. X)"
// and a remaster tag do not make two songs of one.
std::string SongKey(std::string_view artist, std::string_view title);

struct ParsedAlbum {
  std::string key;     // folded, edition/remaster tags removed
  std::string full;    // folded, editions kept: tells "X" from "X (2009 Remaster)"
  uint32_t flags = 0;  // kLive for "Live at ...", "(Live)", "Unplugged", "in Concert"
};

ParsedAlbum ParseAlbum(std::string_view album);

// ISRC in canonical form: upper case, hyphens and spaces removed; empty when malformed.
std::string CanonicalIsrc(std::string_view isrc);

// Edit distance in bytes (UTF-8) where swapping two adjacent bytes counts as one edit
// (optimal string alignment), stopping early once above `max_distance` (returns
// max_distance + 1 then).
int BoundedLevenshtein(std::string_view a, std::string_view b, int max_distance);

// 1 - distance / longer length, in [0, 1]; 1 for two empty strings.
double Similarity(std::string_view a, std::string_view b);

// Like Similarity, but only exact at or above `floor`: below it, some value < floor
// that is still an upper bound (cheaper: the edit distance stops early).
double SimilarityAtLeast(std::string_view a, std::string_view b, double floor);

// Similarity of the sorted word sets (word order ignored); exact at or above `floor`.
double TokenSortSimilarity(std::string_view a, std::string_view b, double floor = 0.0);

// Space-separated words of a folded string.
std::vector<std::string_view> Words(std::string_view folded);

}  // namespace spotify_extract::norm
