#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/rows.h"

// How every wanted track matched the beets library, and the person's own decisions
// (the matches and overrides tables).

namespace spotify_extract {

struct MatchRecord {
  std::string spotify_track_id;
  int64_t item_id = 0;                      // 0 = no match
  MatchMethod method = MatchMethod::kNone;  // stored as kNone when item_id is 0
  double confidence = 0;
  std::string runners_up_json = "[]";  // [{"item_id": 1, "confidence": 0.8}, ...]
  bool overridden = false;
  // kReview: a candidate below min_confidence, waiting for --review (neither in the
  // playlists nor on the wishlist). Stored as kMatched whenever item_id is set.
  MatchStatus status = MatchStatus::kUnmatched;
};

struct Override {
  std::string spotify_track_id;
  int64_t item_id = 0;  // accepted item; or the rejected item (0 = "not in my library")
  bool rejected = false;
  std::string decided_at;
};

class MatchStore {
 public:
  explicit MatchStore(SharedConnection shared) : shared_(shared) {}

  // Stores the results (one row per track; item 0 = unmatched), recording newly matched
  // and lost matches as changes of `snapshot`.
  void Save(int64_t snapshot, const std::vector<MatchRecord>& matches);
  std::optional<MatchRecord> Get(const std::string& spotify_track_id);
  std::map<std::string, MatchRecord> All();

  std::optional<Override> GetOverride(const std::string& spotify_track_id);
  std::vector<Override> ListOverrides();
  void SetOverride(const std::string& spotify_track_id, int64_t item_id);
  // The person says: not this item (item_id), or not in my library at all (0).
  void Reject(const std::string& spotify_track_id, int64_t item_id = 0);
  void ClearOverride(const std::string& spotify_track_id);

 private:
  SharedConnection shared_;
};

}  // namespace spotify_extract
