#include "match/score.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "match/normalize.h"

namespace spotify_extract::match_internal {
namespace {

// Two remixers of one song whose names are less similar than this are two remixes.
constexpr double kRemixerFloor = 0.8;

// Soft versions: an edit within kEditSameLength seconds of the full track is most likely
// the same cut; mono or stereo beside the other costs little.
constexpr double kEditSameLength = 3.0;
constexpr double kEditPenalty = 0.12;
constexpr double kEditSameLengthPenalty = 0.04;
constexpr double kMonoStereoPenalty = 0.02;

// The exact tier: accents differing, or durations over kExactCloseDuration apart, cost
// a little confidence each.
constexpr double kExactAccentPenalty = 0.02;
constexpr double kExactCloseDuration = 3.0;
constexpr double kExactDurationPenalty = 0.02;
constexpr double kRemixerAgreement = 1.0;

// Artist score levels, strongest first.
constexpr double kArtistSame = 1.0;
constexpr double kLeadCreditedWithOthersMissing = 0.95;  // the track's lead on the item
constexpr double kItemLeadAmongTrackArtists = 0.84;      // "Summer" by A feat. B vs B's
constexpr double kSomeCreditShared = 0.8;
// Artist names compared as text: similar from kSimilarArtistName up, weighted by
// kSimilarNameWeight; less similar ones by kDissimilarNameWeight.
constexpr double kSimilarArtistName = 0.85;
constexpr double kSimilarNameWeight = 0.95;
constexpr double kDissimilarNameWeight = 0.6;
// Below it a candidate is ruled out; below kSureArtist it is capped at kUnsureCap.
constexpr double kArtistMinimum = 0.5;
constexpr double kSureArtist = 0.85;

// Title similarity: word order counts up to kTokenSortCeiling; equal text outside
// brackets and dash tags gives kMainTitleSimilarity; below equal, kNearlyEqualTitle at
// most. At or above kTitleExact the title scores full; each missing share of similarity
// costs kTitleErrorWeight times its share.
constexpr double kTokenSortCeiling = 0.9;
constexpr double kMainTitleSimilarity = 0.9;
constexpr double kNearlyEqualTitle = 0.99;
constexpr double kTitleExact = 0.999;
constexpr double kTitleErrorWeight = 2.5;
// A word of one title with no word at least this similar in the other is foreign.
constexpr double kSimilarWord = 0.75;

// The duration part of the fuzzy score: up to `seconds` apart scores `score`.
struct DurationLevel {
  double seconds;
  double score;
};
constexpr std::array<DurationLevel, 5> kDurationLevels = {
    {{1.5, 1.0}, {3, 0.97}, {6, 0.9}, {10, 0.75}, {15, 0.6}}};
constexpr double kDurationFarScore = 0.4;      // within the window, beyond the levels
constexpr double kDurationUnknownScore = 0.8;  // either side has none

// The album part: equal, similar (its similarity), unknown on a side, or different.
constexpr double kAlbumSame = 1.0;
constexpr double kAlbumUnknown = 0.5;
constexpr double kAlbumDifferent = 0.3;

// The weights of the fuzzy score (sum 1).
constexpr double kTitleWeight = 0.45;
constexpr double kArtistWeight = 0.30;
constexpr double kDurationWeight = 0.15;
constexpr double kAlbumWeight = 0.10;

bool IsNumberWord(std::string_view word) {
  if (word.empty()) return false;
  if (std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return true;
  }
  return word == "ii" || word == "iii" || word == "iv" || word == "vi" || word == "vii" ||
         word == "viii" || word == "ix" || word == "xi" || word == "xii";
}

// "Song 2" and "Song 3", "Part II" and "Part III" are different songs, however similar.
bool NumbersDiffer(std::string_view a, std::string_view b) {
  std::vector<std::string_view> na, nb;
  for (auto w : norm::Words(a)) {
    if (IsNumberWord(w)) na.push_back(w);
  }
  for (auto w : norm::Words(b)) {
    if (IsNumberWord(w)) nb.push_back(w);
  }
  std::sort(na.begin(), na.end());
  std::sort(nb.begin(), nb.end());
  return na != nb;
}

// Raw title similarity in [0, 1]; 1 only for equal normalised titles.
double TitleSimilarity(const View& q, const View& it) {
  if (q.core == it.core) return 1.0;
  // Below kTitleFloor a candidate is ruled out, so the exact value does not matter there.
  double t = norm::SimilarityAtLeast(q.core, it.core, kTitleFloor);
  if (t < kTokenSortCeiling) {
    t = std::max(
        t, std::min(kTokenSortCeiling, norm::TokenSortSimilarity(q.core, it.core, kTitleFloor)));
  }
  if ((q.main != q.core || it.main != it.core) && q.main == it.main) {
    t = std::max(t, kMainTitleSimilarity);
  }
  return std::min(t, kNearlyEqualTitle);
}

// The title part of the fuzzy score.
double TitleScore(double t) {
  return t >= kTitleExact ? 1.0 : std::max(0.0, 1.0 - (1.0 - t) * kTitleErrorWeight);
}

// True when some word of one title has no similar word in the other ("sweet" against
// "secret"): another song rather than a typo.
bool HasForeignWord(std::string_view a, std::string_view b) {
  std::vector<std::string_view> wa = norm::Words(a), wb = norm::Words(b);
  if (wa.size() > wb.size()) std::swap(wa, wb);
  for (auto x : wa) {
    double best = 0.0;
    for (auto y : wb) {
      bool rhyme =
          x.size() == y.size() && x.size() > 1 && x[0] != y[0] && x.substr(1) == y.substr(1);
      best = std::max(best, x == y ? 1.0 : rhyme ? 0.0 : norm::Similarity(x, y));
      if (best >= kSimilarWord) break;
    }
    if (best < kSimilarWord) return true;
  }
  return false;
}

double DurationScore(double diff) {
  if (diff < 0) return kDurationUnknownScore;
  for (const DurationLevel& level : kDurationLevels) {
    if (diff <= level.seconds) return level.score;
  }
  return kDurationFarScore;
}

double AlbumScore(const View& q, const View& it) {
  if (q.album.empty() || it.album.empty()) return kAlbumUnknown;
  if (q.album == it.album) return kAlbumSame;
  if (FarApart(q.album.size(), q.album_mask, it.album.size(), it.album_mask, kAlbumFloor)) {
    return kAlbumDifferent;
  }
  double s = norm::Similarity(q.album, it.album);
  return s >= kAlbumFloor ? s : kAlbumDifferent;
}

// Similarity of two artist names (or credit strings), 0 when they cannot reach
// kArtistFloor.
template <typename Measure>
double NameSimilarity(std::string_view a, uint64_t a_mask, std::string_view b, uint64_t b_mask,
                      Measure&& measure) {
  if (a.empty() || b.empty() || FarApart(a.size(), a_mask, b.size(), b_mask, kArtistFloor)) {
    return 0.0;
  }
  return measure(a, b);
}

}  // namespace

bool BetterCopy(const Scored& a, const Scored& b) {
  if (a.same_album != b.same_album) return a.same_album;
  if (a.same_version != b.same_version) return a.same_version;
  if (a.same_edition != b.same_edition) return a.same_edition;
  if (a.duration_diff != b.duration_diff) return a.duration_diff < b.duration_diff;
  return a.item < b.item;
}

bool ByScore(const Scored& a, const Scored& b) {
  if (a.score != b.score) return a.score > b.score;
  return BetterCopy(a, b);
}

bool ByExactAgreement(const Scored& a, const Scored& b) {
  if (a.version_penalty != b.version_penalty) return a.version_penalty < b.version_penalty;
  if (a.agreement != b.agreement) return a.agreement > b.agreement;
  return BetterCopy(a, b);
}

double DurationDiff(const View& a, const View& b) {
  if (a.duration <= 0 || b.duration <= 0) return -1.0;
  return std::fabs(a.duration - b.duration);
}

bool InDurationWindow(double a, double b) {
  if (a <= 0 || b <= 0) return true;
  double limit = std::max(kDurationWindowSeconds, kDurationWindowShare * std::max(a, b));
  return std::fabs(a - b) <= limit;
}

bool VersionsConflict(const View& a, const View& b) {
  if ((a.flags ^ b.flags) & norm::kHardVersionFlags) return true;
  if ((a.flags & b.flags & norm::kRemix) && !a.remixer.empty() && !b.remixer.empty() &&
      a.remixer != b.remixer && norm::Similarity(a.remixer, b.remixer) < kRemixerFloor) {
    return true;
  }
  return false;
}

double SoftVersionPenalty(const View& a, const View& b) {
  uint32_t differ = a.flags ^ b.flags;
  double penalty = 0.0;
  if (differ & norm::kEdit) {
    // The same recording only when the durations say so.
    double diff = DurationDiff(a, b);
    penalty += (diff < 0 || diff > kEditSameLength) ? kEditPenalty : kEditSameLengthPenalty;
  }
  if (differ & (norm::kMono | norm::kStereo)) penalty += kMonoStereoPenalty;
  return penalty;
}

double ArtistScore(const View& q, const View& it) {
  if (!q.joined.empty() && q.joined == it.joined) return kArtistSame;
  size_t shared = 0;
  for (std::string_view credit : q.credits) {
    if (it.HasCredit(credit)) ++shared;
  }
  // The track's lead artist is credited on the item.
  if (it.HasArtistCredit(q.primary)) {
    return shared == q.credits.size() ? kArtistSame : kLeadCreditedWithOthersMissing;
  }
  // Only the item's lead is among the track's other artists: plausible, not sure
  // ("Summer" by A feat. B against B's own "Summer").
  if (q.HasArtistCredit(it.primary)) return kItemLeadAmongTrackArtists;
  if (shared > 0) return kSomeCreditShared;
  // Names below kArtistFloor give a score under kArtistMinimum however they compare.
  auto plain = [](std::string_view a, std::string_view b) { return norm::Similarity(a, b); };
  double best =
      std::max({NameSimilarity(q.primary, q.primary_mask, it.primary, it.primary_mask, plain),
                NameSimilarity(q.primary, q.primary_mask, it.joined, it.joined_mask, plain),
                NameSimilarity(q.joined, q.joined_mask, it.primary, it.primary_mask, plain),
                NameSimilarity(q.joined, q.joined_mask, it.joined, it.joined_mask, plain)});
  if (best < kSimilarArtistName) {
    best = std::max(best, NameSimilarity(q.joined, q.joined_mask, it.joined, it.joined_mask,
                                         [](std::string_view a, std::string_view b) {
                                           return norm::TokenSortSimilarity(a, b);
                                         }));
  }
  return best >= kSimilarArtistName ? best * kSimilarNameWeight : best * kDissimilarNameWeight;
}

bool LooksLikeTheSameSong(const View& q, const View& it) {
  return norm::Similarity(q.core, it.core) >= kIsrcSanityFloor ||
         ArtistScore(q, it) >= kIsrcSanityFloor;
}

std::optional<ExactScore> ScoreExact(const View& q, const View& it) {
  if (it.core != q.core || VersionsConflict(q, it)) return std::nullopt;
  if (!it.HasArtistCredit(q.primary)) return std::nullopt;
  double diff = DurationDiff(q, it);
  if (diff > kExactDurationTolerance) return std::nullopt;
  ExactScore exact;
  exact.version_penalty = SoftVersionPenalty(q, it);
  exact.confidence = kExactConfidence - exact.version_penalty;
  if (it.unfolded != q.unfolded) exact.confidence -= kExactAccentPenalty;  // accents only
  if (diff > kExactCloseDuration) exact.confidence -= kExactDurationPenalty;
  return exact;
}

double ExactAgreement(const View& q, const View& it) {
  return ArtistScore(q, it) +
         (!q.remixer.empty() && q.remixer == it.remixer ? kRemixerAgreement : 0.0);
}

double FuzzyScore(const View& q, const View& it) {
  double diff = DurationDiff(q, it);
  if (!InDurationWindow(q.duration, it.duration)) return -1.0;
  if (VersionsConflict(q, it)) return -1.0;
  double artist = ArtistScore(q, it);
  if (artist < kArtistMinimum) return -1.0;
  double similarity = TitleSimilarity(q, it);
  if (similarity < kTitleFloor || NumbersDiffer(q.core, it.core)) return -1.0;
  double title = TitleScore(similarity);
  double duration = DurationScore(diff);
  double album = AlbumScore(q, it);
  double score = kTitleWeight * title + kArtistWeight * artist + kDurationWeight * duration +
                 kAlbumWeight * album;
  score -= SoftVersionPenalty(q, it);
  // Only a featured or secondary artist in common, durations far apart, or a different
  // word in the title: plausible, never certain.
  if (artist < kSureArtist) score = std::min(score, kUnsureCap);
  if (diff > kSureDurationGap || diff > kSureDurationShare * std::min(q.duration, it.duration)) {
    score = std::min(score, kUnsureCap);
  }
  if (title < 1.0 && (HasForeignWord(q.core, it.core) ||
                      norm::TokenSortSimilarity(q.core, it.core) >= kTitleExact)) {
    score = std::min(score, kUnsureCap);
  }
  return std::min(score, kFuzzyCap);
}

}  // namespace spotify_extract::match_internal
