#include "match/features.h"

#include <algorithm>
#include <array>

namespace spotify_extract::match_internal {

uint64_t CharMask(std::string_view text) {
  static constexpr auto kBits = [] {
    std::array<uint8_t, 256> bits{};
    for (int c = 0; c < 256; ++c) {
      bits[c] = c >= 'a' && c <= 'z'   ? static_cast<uint8_t>(c - 'a')
                : c >= '0' && c <= '9' ? static_cast<uint8_t>(26 + c - '0')
                                       : static_cast<uint8_t>(36 + c % 28);
    }
    return bits;
  }();
  uint64_t mask = 0;
  for (char c : text) {
    if (c != ' ') mask |= uint64_t{1} << kBits[static_cast<unsigned char>(c)];
  }
  return mask;
}

void AddCredit(std::vector<std::string>& credits, std::string key) {
  if (key.empty() || credits.size() >= kMaxCredits) return;
  if (std::find(credits.begin(), credits.end(), key) != credits.end()) return;
  credits.push_back(std::move(key));
}

ArtistFeatures ItemArtistFeatures(std::string_view artist, const MultiValueView& artists) {
  ArtistFeatures a;
  a.joined = norm::ArtistKey(artist);
  // `artists` usually repeats `artist` (one credited artist): fold that name once.
  auto key = [&](std::string_view name) {
    return name == artist ? a.joined : norm::ArtistKey(name);
  };
  std::vector<std::string> parts = norm::SplitArtists(artist);
  if (!artists.empty()) {
    a.primary = key(artists[0]);
  } else if (!parts.empty()) {
    a.primary = norm::ArtistKey(parts[0]);
  }
  AddCredit(a.credits, a.joined);
  for (std::string_view name : artists) AddCredit(a.credits, key(name));
  for (const auto& part : parts) AddCredit(a.credits, norm::ArtistKey(part));
  if (a.primary.empty()) a.primary = a.joined;
  a.artist_credit_count = a.credits.size();
  return a;
}

TrackFeatures::TrackFeatures(const Track& track) {
  std::string joined;
  std::vector<std::string_view> names;
  for (const auto& artist : track.artists) {
    if (artist.name.empty()) continue;
    if (!joined.empty()) joined += ", ";
    joined += artist.name;
    names.push_back(artist.name);
  }
  artists.joined = norm::ArtistKey(joined);
  // Spotify lists artists one by one: their names are not split further, except a
  // single credit string (data exports) that names several.
  for (auto name : names) AddCredit(artists.credits, norm::ArtistKey(name));
  if (names.size() == 1) {
    for (const auto& part : norm::SplitArtists(names[0])) {
      AddCredit(artists.credits, norm::ArtistKey(part));
    }
  }
  artists.primary = names.empty() ? std::string() : norm::ArtistKey(names[0]);
  artists.artist_credit_count = artists.credits.size();
  album = norm::ParseAlbum(track.album_name);
  title = norm::ParseTitle(track.name);
  for (const auto& name : title.featured) AddCredit(artists.credits, norm::ArtistKey(name));
  isrc = norm::CanonicalIsrc(track.isrc);
  spotify_id = track.id;
  duration = track.duration_ms > 0 ? track.duration_ms / 1000.0 : 0.0;
  credit_views.assign(artists.credits.begin(), artists.credits.end());
}

View TrackFeatures::AsView() const {
  View v;
  v.core = title.core;
  v.unfolded = title.core_unfolded;
  v.main = title.main;
  v.remixer = title.remixer;
  v.album = album.key;
  v.album_full = album.full;
  v.joined = artists.joined;
  v.primary = artists.primary;
  v.isrc = isrc;
  v.spotify_id = spotify_id;
  v.credits = credit_views;
  v.artist_credit_count = artists.artist_credit_count;
  v.flags = title.flags | album.flags;
  v.remaster_year = title.remaster_year;
  v.duration = duration;
  v.core_mask = CharMask(v.core);
  v.album_mask = CharMask(v.album);
  v.joined_mask = CharMask(v.joined);
  v.primary_mask = CharMask(v.primary);
  return v;
}

}  // namespace spotify_extract::match_internal
