#pragma once

// The normalised fields one side of a match offers the scoring: a Spotify track
// (TrackFeatures, owning its strings) or a library item (a View into the index).

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "library/library_items.h"
#include "match/normalize.h"
#include "spotify/model.h"

namespace spotify_extract::match_internal {

// Artist credits kept per side (artist fields first, then featured names).
constexpr size_t kMaxCredits = 8;

// Which characters a folded string holds (letters and digits one bit each, other bytes
// share the rest), spaces ignored. Every edit changes at most two bits, so half the bits
// in which two masks differ bound the edit distance from below: most unrelated strings
// are ruled out without computing it.
uint64_t CharMask(std::string_view text);

// True when two folded strings cannot be `floor` similar (Similarity, or
// TokenSortSimilarity, which keeps lengths and characters): by their lengths, or because
// the edit distance the masks imply exceeds what the floor allows.
inline bool FarApart(size_t a_size, uint64_t a_mask, size_t b_size, uint64_t b_mask, double floor) {
  const size_t longer = std::max(a_size, b_size);
  if (longer == 0) return false;
  const size_t shorter = std::min(a_size, b_size);
  if (static_cast<double>(shorter) < floor * static_cast<double>(longer)) return true;
  const auto min_distance = static_cast<double>((std::popcount(a_mask ^ b_mask) + 1) / 2);
  return min_distance > (1.0 - floor) * static_cast<double>(longer);
}

// A matching side (track or item), as views into its strings.
struct View {
  std::string_view core, unfolded, main, remixer, album, album_full, joined, primary, isrc,
      spotify_id;
  std::span<const std::string_view> credits;
  size_t artist_credit_count = 0;  // credits[0, n) come from the artist fields
  uint32_t flags = 0;
  int remaster_year = 0;
  double duration = 0.0;  // seconds, 0 = unknown
  uint64_t core_mask = 0, album_mask = 0, joined_mask = 0, primary_mask = 0;  // CharMask

  bool HasCredit(std::string_view key) const { return Has(key, credits.size()); }
  // Credited in the artist fields, not only as "feat." in the title.
  bool HasArtistCredit(std::string_view key) const { return Has(key, artist_credit_count); }

 private:
  bool Has(std::string_view key, size_t n) const {
    if (key.empty()) return false;
    for (size_t i = 0; i < n; ++i) {
      if (credits[i] == key) return true;
    }
    return false;
  }
};

// The normalised artist fields of one side.
struct ArtistFeatures {
  std::string joined, primary;
  std::vector<std::string> credits;  // artist credits first, then featured ones
  size_t artist_credit_count = 0;
};

// Artist credit keys, deduplicated, at most kMaxCredits.
void AddCredit(std::vector<std::string>& credits, std::string key);

// The artist fields of a library item (`artist` and the multi-valued `artists`).
ArtistFeatures ItemArtistFeatures(std::string_view artist, const MultiValueView& artists);

// The normalised fields of a Spotify track, owning their strings.
struct TrackFeatures {
  ArtistFeatures artists;
  norm::ParsedTitle title;
  norm::ParsedAlbum album;
  std::string isrc, spotify_id;
  double duration = 0.0;
  std::vector<std::string_view> credit_views;

  explicit TrackFeatures(const Track& track);
  View AsView() const;
};

}  // namespace spotify_extract::match_internal
