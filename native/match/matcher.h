#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "library/library_items.h"
#include "match/grouped_library.h"
#include "spotify/model.h"

namespace spotify_extract {

// Raised for invalid matcher options; the message names the option.
class MatchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MatchCandidate {
  int64_t item_id = 0;
  double score = 0.0;
};

struct MatchResult {
  std::string track_id;
  // The matched item (kMatched), the proposed one (kReview), or 0.
  int64_t item_id = 0;
  MatchMethod method = MatchMethod::kNone;
  MatchStatus status = MatchStatus::kUnmatched;
  double confidence = 0.0;
  // Other plausible items, best first, without `item_id`.
  std::vector<MatchCandidate> runners_up;
};

// A manual decision, keyed by Spotify track id. Accept forces `item_id`; Reject removes
// `item_id` from the candidates of that track (item_id 0: "not in my library", the
// track stays unmatched). Overrides always win over the cascade.
struct MatchOverride {
  enum class Action { kAccept, kReject };
  Action action = Action::kAccept;
  int64_t item_id = 0;
};
using MatchOverrides = std::unordered_map<std::string, std::vector<MatchOverride>>;

struct MatchOptions {
  double min_confidence = 0.85;     // matched at or above
  double review_confidence = 0.60;  // needs review at or above, unmatched below
  int threads = 2;                  // for Build and MatchAll; results do not depend on it
  int max_runners_up = 5;
  void Validate() const;  // throws MatchError
};

// Matches Spotify tracks against a beets library. Build once (indexes the library),
// then Match/MatchAll from any number of threads: const methods are thread-safe.
class Matcher {
 public:
  // Indexes the library; the matcher keeps no reference to it. ReadGroupedLibrary streams
  // library.db into a GroupedLibrary without holding every item.
  static Matcher Build(const GroupedLibrary& library, MatchOptions options = {});
  static Matcher Build(const LibraryItems& items, MatchOptions options = {});

  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  ~Matcher();

  // Replaces the manual decisions (keyed by Spotify track id).
  void SetOverrides(MatchOverrides overrides);
  const MatchOverrides& overrides() const { return overrides_; }

  MatchResult Match(const Track& track) const;
  // One result per track, in input order; identical for any thread count.
  std::vector<MatchResult> MatchAll(const std::vector<Track>& tracks) const;

  const MatchOptions& options() const { return options_; }
  size_t size() const;

 private:
  struct Index;
  Matcher(std::unique_ptr<Index> index, MatchOptions options);

  std::unique_ptr<Index> index_;
  MatchOptions options_;
  MatchOverrides overrides_;
};

}  // namespace spotify_extract
