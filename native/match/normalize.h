#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match/text.h"

// Text normalisation for matching Spotify tracks against beets items: version tags and
// featured credits pulled out of titles, artist credits split into sets (the Unicode
// folding and string similarity under them: match/text.h). Every function is pure and
// thread-safe.

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

}  // namespace spotify_extract::norm
