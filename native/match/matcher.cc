#include "match/matcher.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "match/features.h"
#include "match/index.h"
#include "match/normalize.h"
#include "match/parallel.h"
#include "match/score.h"

namespace spotify_extract {

using match_internal::IndexData;
using match_internal::Scored;
using match_internal::View;

namespace {

// Artists and title words this common are not worth gathering candidates from: a larger
// artist catalogue is searched by title words instead, and a title word this common
// must be paired with another (the word-pair postings).
constexpr size_t kMaxCreditPostings = 5000;
constexpr size_t kMaxTokenPostings = 8000;
constexpr size_t kMaxRarestPairPostings = kMaxTokenPostings * 4;

// Fuzzy candidates of the best song within this margin of its score are copies of it
// (the best copy wins); another song within it makes the best one less sure by
// kIndecisivePenalty.
constexpr double kSameSongMargin = 0.03;
constexpr double kIndecisivePenalty = 0.05;

// The identifiers that decide a match on their own.
constexpr double kIdentifierConfidence = 1.0;
// Tracks matched per turn of a MatchAll thread.
constexpr size_t kMatchGrain = 64;
constexpr double kOverrideConfidence = 1.0;

// One track through the cascade. Each stage returns true when it decided the result:
// the person's overrides, the Spotify id, the ISRC, the exact normalised title, and the
// fuzzy score of indexed candidates.
class MatchRun {
 public:
  MatchRun(const IndexData& index, const MatchOptions& options, const MatchOverrides& overrides,
           const Track& track)
      : index_(index), options_(options), overrides_(overrides), features_(track) {
    q_ = features_.AsView();
    result_.track_id = track.id;
  }

  MatchResult Run() {
    if (ByOverride() || ByIdentifier(index_.spotify_ids, q_.spotify_id, MatchMethod::kSpotifyId) ||
        ByIdentifier(index_.isrcs, q_.isrc, MatchMethod::kIsrc) || ByExactTitle()) {
      return std::move(result_);
    }
    ByFuzzyScore();
    return std::move(result_);
  }

 private:
  // An accepted item wins; rejected items leave the candidates; rejecting item 0 keeps
  // the track unmatched.
  bool ByOverride() {
    if (q_.spotify_id.empty()) return false;
    auto found = overrides_.find(result_.track_id);
    if (found == overrides_.end()) return false;
    for (const auto& decision : found->second) {
      if (decision.action == MatchOverride::Action::kAccept &&
          index_.FindIndex(decision.item_id) >= 0) {
        result_.item_id = decision.item_id;
        result_.method = MatchMethod::kOverride;
        result_.status = MatchStatus::kMatched;
        result_.confidence = kOverrideConfidence;
        return true;
      }
      if (decision.action == MatchOverride::Action::kReject) {
        if (decision.item_id == 0) {
          result_.method = MatchMethod::kOverride;
          result_.status = MatchStatus::kUnmatched;
          return true;
        }
        rejected_.push_back(decision.item_id);
      }
    }
    return false;
  }

  // Copies of one recording, decided by an identifier: best copy first. A wrong ISRC in
  // a tag happens, so the item must at least look like the same song.
  bool ByIdentifier(const match_internal::PostingList& list, std::string_view key,
                    MatchMethod method) {
    if (key.empty()) return false;
    auto [begin, end] = match_internal::Lookup(list, match_internal::Key(key));
    std::vector<Scored> ranked;
    for (auto p = begin; p != end; ++p) {
      if (IsRejected(p->item)) continue;
      View it = index_.ItemView(p->item);
      if ((method == MatchMethod::kIsrc ? it.isrc : it.spotify_id) != key) continue;
      if (method == MatchMethod::kIsrc && !match_internal::LooksLikeTheSameSong(q_, it)) continue;
      ranked.push_back(Describe(p->item, kIdentifierConfidence));
    }
    if (ranked.empty()) return false;
    std::sort(ranked.begin(), ranked.end(), match_internal::BetterCopy);
    Finish(ranked, method);
    return true;
  }

  // Same normalised title and a shared credit; versions and duration agree.
  bool ByExactTitle() {
    std::vector<uint32_t> seen;
    std::vector<Scored> ranked;
    const uint64_t title_hash = match_internal::Hash(q_.core);
    for (std::string_view credit : q_.credits) {
      auto [begin, end] =
          match_internal::Lookup(index_.exact, match_internal::ExactKey(title_hash, credit));
      for (auto p = begin; p != end; ++p) {
        if (std::find(seen.begin(), seen.end(), p->item) != seen.end()) continue;
        seen.push_back(p->item);
        if (IsRejected(p->item)) continue;
        View it = index_.ItemView(p->item);
        auto exact = match_internal::ScoreExact(q_, it);
        if (!exact) continue;
        ranked.push_back(Describe(p->item, exact->confidence));
        ranked.back().version_penalty = exact->version_penalty;
        ranked.back().agreement = match_internal::ExactAgreement(q_, it);
      }
    }
    if (ranked.empty()) return false;
    std::sort(ranked.begin(), ranked.end(), match_internal::ByExactAgreement);
    Finish(ranked, MatchMethod::kExact);
    return true;
  }

  // Candidates from the artist and title-word indexes, never the whole library: the
  // artist's items first; items sharing title words only when that found nothing
  // plausible (an artist spelled differently).
  void ByFuzzyScore() {
    Score(ArtistCandidates());
    if (!HasPlausible()) Score(TitleWordCandidates());
    if (ranked_.empty()) return;
    std::sort(ranked_.begin(), ranked_.end(), match_internal::ByScore);
    PreferBestCopy();
    Finish(ranked_, MatchMethod::kFuzzy);
  }

  std::vector<uint32_t> ArtistCandidates() const {
    std::vector<uint32_t> candidates;
    for (std::string_view credit : q_.credits) {
      auto range = match_internal::Lookup(index_.credits, match_internal::Key(credit));
      if (static_cast<size_t>(range.second - range.first) > kMaxCreditPostings) continue;
      AddInWindow(range, candidates);
    }
    return candidates;
  }

  // Items holding the title's rarest known word, or its two rarest (a typo in one word
  // leaves others).
  std::vector<uint32_t> TitleWordCandidates() const {
    std::vector<uint32_t> candidates;
    // (postings, word) of the title's words the library knows, rarest first.
    std::vector<std::pair<size_t, std::string_view>> known;
    for (auto word : norm::Words(q_.core)) {
      size_t count = match_internal::CountPostings(index_.tokens, match_internal::Key(word));
      if (count > 0) known.emplace_back(count, word);
    }
    std::sort(known.begin(), known.end());
    known.erase(std::unique(known.begin(), known.end()), known.end());
    if (known.size() == 1 && known[0].first <= kMaxTokenPostings) {
      AddInWindow(match_internal::Lookup(index_.tokens, match_internal::Key(known[0].second)),
                  candidates);
    } else if (known.size() >= 2 && known[0].first <= kMaxRarestPairPostings) {
      AddInWindow(match_internal::Lookup(index_.word_pairs,
                                         match_internal::PairKey(known[0].second, known[1].second)),
                  candidates);
    }
    return candidates;
  }

  void AddInWindow(match_internal::PostingRange range, std::vector<uint32_t>& candidates) const {
    for (auto p = range.first; p != range.second; ++p) {
      if (match_internal::InDurationWindow(q_.duration, index_.durations[p->item])) {
        candidates.push_back(p->item);
      }
    }
  }

  // Scores the candidates not scored before.
  void Score(std::vector<uint32_t> candidates) {
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (uint32_t item : candidates) {
      if (std::binary_search(scored_.begin(), scored_.end(), item) || IsRejected(item)) continue;
      // Cheap checks on the record first: titles too far apart to be similar enough,
      // unless their main parts are equal (the title similarity's other way to pass).
      const match_internal::TitleEntry& title = index_.Title(item);
      if (match_internal::FarApart(q_.core.size(), q_.core_mask, title.core.size, title.core_mask,
                                   match_internal::kTitleFloor) &&
          index_.Main(item) != q_.main) {
        continue;
      }
      double score = match_internal::FuzzyScore(q_, index_.ItemView(item));
      if (score >= 0) ranked_.push_back(Describe(item, score));
    }
    std::vector<uint32_t> merged;
    std::merge(scored_.begin(), scored_.end(), candidates.begin(), candidates.end(),
               std::back_inserter(merged));
    scored_.swap(merged);
  }

  bool HasPlausible() const {
    return std::any_of(ranked_.begin(), ranked_.end(),
                       [&](const Scored& s) { return s.score >= options_.review_confidence; });
  }

  // Copies of the best recording within a hair of its score: the best copy wins, with
  // the best score among them. Another song almost as good: not decisive.
  void PreferBestCopy() {
    std::string_view best_core = index_.ItemView(ranked_[0].item).core;
    size_t same = 1;
    while (same < ranked_.size() && ranked_[same].score >= ranked_[0].score - kSameSongMargin &&
           index_.ItemView(ranked_[same].item).core == best_core) {
      ++same;
    }
    std::sort(ranked_.begin(), ranked_.begin() + static_cast<std::ptrdiff_t>(same),
              match_internal::BetterCopy);
    double top = ranked_[0].score;
    for (size_t i = 1; i < same; ++i) top = std::max(top, ranked_[i].score);
    ranked_[0].score = top;
    if (same < ranked_.size() && ranked_[same].score >= top - kSameSongMargin &&
        index_.ItemView(ranked_[same].item).core != best_core) {
      ranked_[0].score = top - kIndecisivePenalty;
    }
  }

  bool IsRejected(uint32_t item) const {
    return !rejected_.empty() &&
           std::find(rejected_.begin(), rejected_.end(), index_.items[item].id) != rejected_.end();
  }

  Scored Describe(uint32_t item, double score) const {
    Scored s;
    s.item = item;
    s.score = score;
    View it = index_.ItemView(item);
    s.same_album = !q_.album.empty() && q_.album == it.album;
    s.same_edition = s.same_album && q_.album_full == it.album_full;
    s.same_version =
        ((q_.flags ^ it.flags) & norm::kRemaster) == 0 && q_.remaster_year == it.remaster_year;
    double diff = match_internal::DurationDiff(q_, it);
    s.duration_diff = diff < 0 ? Scored::kUnknownDurationDiff : diff;
    return s;
  }

  // The best of `ranked` becomes the result (its status by the confidence thresholds),
  // the others its runners-up.
  void Finish(const std::vector<Scored>& ranked, MatchMethod method) {
    const Scored& best = ranked.front();
    result_.item_id = index_.items[best.item].id;
    result_.method = method;
    result_.confidence = std::clamp(best.score, 0.0, 1.0);
    result_.status = result_.confidence >= options_.min_confidence      ? MatchStatus::kMatched
                     : result_.confidence >= options_.review_confidence ? MatchStatus::kReview
                                                                        : MatchStatus::kUnmatched;
    if (result_.status == MatchStatus::kUnmatched) result_.item_id = 0;
    const auto max_runners_up = static_cast<size_t>(options_.max_runners_up);
    for (size_t i = result_.status == MatchStatus::kUnmatched ? 0 : 1;
         i < ranked.size() && result_.runners_up.size() < max_runners_up; ++i) {
      result_.runners_up.push_back({index_.items[ranked[i].item].id, ranked[i].score});
    }
  }

  const IndexData& index_;
  const MatchOptions& options_;
  const MatchOverrides& overrides_;
  const match_internal::TrackFeatures features_;
  View q_;
  MatchResult result_;
  std::vector<int64_t> rejected_;  // beets ids the person rejected for this track
  std::vector<uint32_t> scored_;   // fuzzy candidates scored so far, sorted
  std::vector<Scored> ranked_;     // fuzzy candidates not ruled out
};

}  // namespace

void MatchOptions::Validate() const {
  if (!(min_confidence > 0.0 && min_confidence <= 1.0)) {
    throw MatchError("min_confidence must be in (0, 1], got " + std::to_string(min_confidence));
  }
  if (!(review_confidence >= 0.0 && review_confidence <= min_confidence)) {
    throw MatchError("review_confidence must be in [0, min_confidence], got " +
                     std::to_string(review_confidence));
  }
  if (threads < 1 || threads > 256) {
    throw MatchError("threads must be between 1 and 256, got " + std::to_string(threads));
  }
  if (max_runners_up < 0 || max_runners_up > 100) {
    throw MatchError("max_runners_up must be between 0 and 100");
  }
}

struct Matcher::Index : IndexData {};

Matcher::Matcher(std::unique_ptr<Index> index, MatchOptions options)
    : index_(std::move(index)), options_(options) {}
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

size_t Matcher::size() const { return index_->items.size(); }

void Matcher::SetOverrides(MatchOverrides overrides) { overrides_ = std::move(overrides); }

Matcher Matcher::Build(const GroupedLibrary& library, MatchOptions options) {
  options.Validate();
  if (library.size() >= match_internal::kMaxIndexedItems) {
    throw MatchError("library too large to index");
  }
  auto index = std::make_unique<Index>();
  match_internal::BuildIndex(library, options.threads, *index);
  return Matcher(std::move(index), options);
}

Matcher Matcher::Build(const LibraryItems& items, MatchOptions options) {
  options.Validate();
  return Build(GroupLibrary(items), options);
}

MatchResult Matcher::Match(const Track& track) const {
  return MatchRun(*index_, options_, overrides_, track).Run();
}

std::vector<MatchResult> Matcher::MatchAll(const std::vector<Track>& tracks) const {
  std::vector<MatchResult> results(tracks.size());
  match_internal::ParallelFor(tracks.size(), options_.threads, kMatchGrain,
                              [&](size_t i) { results[i] = Match(tracks[i]); });
  return results;
}

}  // namespace spotify_extract
