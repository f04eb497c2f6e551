#pragma once

#include <map>
#include <string>

#include "store/rows.h"

// The numbers a run ends with, read across every part of the state database.

namespace spotify_extract {

struct SummaryCounts {
  int tracks = 0;  // distinct tracks wanted (live playlists + Liked Songs)
  int matched = 0;
  int review = 0;   // waiting for --review
  int missing = 0;  // neither matched nor waiting for review
  std::map<std::string, int> matched_by_method;
  int playlists = 0;  // not removed
  int playlists_readable = 0;
  int playlists_not_shared = 0;
  int playlists_unavailable = 0;
  int playlist_entries = 0;
  int liked = 0;
  int saved_albums = 0;
  int followed_artists = 0;
  int audio_features = 0;
  int local_files = 0;
  int episodes = 0;
  // The missing tracks by the status of their wishlist entry ("" when they have none yet):
  // the parts of `missing`.
  std::map<std::string, int> missing_by_status;
  int wishlist_pending = 0;  // missing tracks pending on the wishlist
  // Entries still wanted (not imported or dismissed) for tracks no playlist wants: the
  // ones added with `beet wishlist add`.
  int wishlist_others = 0;
};

SummaryCounts ReadSummary(SharedConnection shared);

}  // namespace spotify_extract
