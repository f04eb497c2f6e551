#pragma once

#include <vector>

#include "match/matcher.h"
#include "store/state_store.h"

namespace spotify_extract {

// The person's decisions as the state database keeps them (from --review) -> the
// matcher's overrides: accepted item -> Accept; rejected item -> Reject that item;
// rejected with item 0 -> "not in my library" (the track stays unmatched).
MatchOverrides OverridesFromStore(const std::vector<Override>& stored);

}  // namespace spotify_extract
