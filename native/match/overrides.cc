#include "match/overrides.h"

namespace spotify_extract {

MatchOverrides OverridesFromStore(const std::vector<Override>& stored) {
  MatchOverrides overrides;
  for (const auto& decision : stored) {
    if (decision.spotify_track_id.empty()) continue;
    MatchOverride converted;
    converted.action =
        decision.rejected ? MatchOverride::Action::kReject : MatchOverride::Action::kAccept;
    converted.item_id = decision.item_id;
    if (!decision.rejected && decision.item_id == 0) continue;  // nothing to accept
    overrides[decision.spotify_track_id].push_back(converted);
  }
  return overrides;
}

}  // namespace spotify_extract
