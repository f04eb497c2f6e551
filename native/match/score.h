#pragma once

// How a library item compares with a Spotify track: the guards that rule a candidate out
// (durations, versions, part numbers), the confidences of the exact tier and the fuzzy
// score, and the order among equally good copies of one recording. Every threshold and
// weight is a named constant here.

#include <cstdint>
#include <optional>

#include "match/features.h"

namespace spotify_extract::match_internal {

// Confidences: the exact tier, the highest a fuzzy score reaches, and the cap of a fuzzy
// candidate that is plausible but never certain (at best "needs review" with the
// default min_confidence of 0.85).
constexpr double kExactConfidence = 0.95;
constexpr double kFuzzyCap = 0.94;
constexpr double kUnsureCap = 0.80;

// Below these similarities a title rules a candidate out, an artist name cannot lift the
// artist score to kArtistMinimum, and an album counts as different: FarApart may skip
// computing them.
constexpr double kTitleFloor = 0.75;
constexpr double kArtistFloor = 0.8;
constexpr double kAlbumFloor = 0.85;

// Durations: a candidate further apart than max(kDurationWindowSeconds,
// kDurationWindowShare x the longer) is another recording; one further apart than
// kSureDurationGap seconds or kSureDurationShare of the shorter is capped at kUnsureCap
// (another cut or recording as often as not).
constexpr double kDurationWindowSeconds = 20.0;
constexpr double kDurationWindowShare = 0.1;
constexpr double kSureDurationGap = 20.0;
constexpr double kSureDurationShare = 0.15;

// The exact tier takes copies within this many seconds; further apart goes to fuzzy.
constexpr double kExactDurationTolerance = 10.0;

// An ISRC in a tag can be wrong: the item must look like the song by title or artist.
constexpr double kIsrcSanityFloor = 0.6;

// A scored candidate, with what orders equally good copies of one recording.
struct Scored {
  static constexpr double kUnknownDurationDiff = 1e6;  // seconds: after every known one

  uint32_t item = 0;
  double score = 0.0;
  bool same_album = false;
  bool same_version = false;  // remastered (and when) on both sides or on neither
  bool same_edition = false;  // the album names agree, edition tags included
  double duration_diff = 1e9;
  double version_penalty = 0.0;  // exact tier: a copy of the very version comes first
  double agreement = 0.0;        // exact tier: artist credits and remixer agreeing
};

// Orders equally good copies of one recording: same album, the title's remaster tag as
// given ("Coração" before "Coração (Remastered 2009)"), the same album edition, closest
// duration, lowest id.
bool BetterCopy(const Scored& a, const Scored& b);
// Best score first, then BetterCopy.
bool ByScore(const Scored& a, const Scored& b);
// Exact tier: the very version first, then the best agreeing credits, then BetterCopy.
bool ByExactAgreement(const Scored& a, const Scored& b);

// Seconds between the two durations, or -1 when either is unknown.
double DurationDiff(const View& a, const View& b);
// False when durations (seconds, 0 = unknown) are too far apart to be one recording.
bool InDurationWindow(double a, double b);

// A hard version tag (live, remix, acoustic ...) on one side only, or two remixers.
bool VersionsConflict(const View& a, const View& b);
// An edit (radio edit, single version) or mono/stereo beside the full track.
double SoftVersionPenalty(const View& a, const View& b);
// How well the credits agree, in [0, 1].
double ArtistScore(const View& q, const View& it);

// Plausibly the song an identifier (ISRC) claims: the title or the artist resembles it.
bool LooksLikeTheSameSong(const View& q, const View& it);
// An exact-tier candidate (same normalised title, lead artist credited, versions and
// durations agreeing): its confidence and the soft version penalty in it.
struct ExactScore {
  double confidence = 0.0;
  double version_penalty = 0.0;
};
std::optional<ExactScore> ScoreExact(const View& q, const View& it);
// Artist credits plus the remixer agreeing: orders exact-tier candidates.
double ExactAgreement(const View& q, const View& it);

// The fuzzy score of a candidate, or a negative value when it is ruled out.
double FuzzyScore(const View& q, const View& it);

}  // namespace spotify_extract::match_internal
