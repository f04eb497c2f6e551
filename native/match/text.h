#pragma once

#include <string>
#include <string_view>
#include <vector>

// The text layer under the matcher's parsers and scores: Unicode folding into comparable
// keys, ISRCs, and edit-distance similarity. Every function is pure and thread-safe.

namespace spotify_extract::norm {

// Whether every byte is ASCII (the fast paths).
bool IsAscii(std::string_view text);

// Whether a code point is a letter or a number (Unicode categories L* and N*).
bool IsLetterOrNumber(char32_t code_point);

// NFKC, case fold, smart quotes and dashes lumped, apostrophes dropped ("don't" ->
// "dont"), "&" -> "and", every other punctuation or symbol -> one space, whitespace
// collapsed and trimmed. With `fold_accents`, combining marks on Latin, Greek and
// Cyrillic letters are removed (é -> e, й -> и) and ø/æ/œ/ß/ł/đ/þ spelled out; marks of
// other scripts (Devanagari vowel signs, Japanese dakuten) are kept. A string made only
// of symbols (emoji) keeps them rather than becoming empty.
std::string FoldText(std::string_view text, bool fold_accents = true);

// NFKC + case fold + lumped quotes/dashes, punctuation kept: the input of the parsers.
std::string CanonicalLower(std::string_view text);

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
