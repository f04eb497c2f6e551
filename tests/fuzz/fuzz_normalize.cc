// The matching normaliser and matcher: any bytes in a title, artist credit, album or ISRC
// (from Spotify, an export file or a beets tag) must fold to valid UTF-8 without crashing,
// scores must stay in [0, 1], and the matcher must survive a library and a track built
// from the same hostile strings.
//
// Input: fields separated by 0x1F (unit separator); missing fields are empty.

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "library/library_item.h"
#include "match/matcher.h"
#include "match/normalize.h"
#include "playlist/file_name.h"
#include "spotify/model.h"

namespace se = spotify_extract;
namespace norm = spotify_extract::norm;

namespace {

std::vector<std::string> Fields(const uint8_t* data, size_t size) {
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0x1F) {
      fields.emplace_back();
    } else {
      fields.back().push_back(static_cast<char>(data[i]));
    }
  }
  while (fields.size() < 4) fields.emplace_back();
  return fields;
}

void CheckScore(double score) { FUZZ_CHECK(std::isfinite(score) && score >= 0 && score <= 1); }

void CheckText(std::string_view text) {
  std::string copy(text);
  FUZZ_CHECK(se::IsValidUtf8(copy));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // longer inputs only slow the search down
  const std::vector<std::string> f = Fields(data, size);
  const std::string& title = f[0];
  const std::string& artist = f[1];
  const std::string& album = f[2];
  const std::string& isrc = f[3];

  for (bool fold_accents : {true, false}) {
    const std::string folded = norm::FoldText(title, fold_accents);
    CheckText(folded);
    FUZZ_CHECK(folded.empty() || (folded.front() != ' ' && folded.back() != ' '));
    for (std::string_view word : norm::Words(folded)) FUZZ_CHECK(!word.empty());
  }
  CheckText(norm::CanonicalLower(title));

  const norm::ParsedTitle parsed = norm::ParseTitle(title);
  CheckText(parsed.core);
  CheckText(parsed.core_unfolded);
  CheckText(parsed.main);
  CheckText(parsed.remixer);
  for (const std::string& name : parsed.featured) CheckText(name);
  CheckText(norm::VersionFlagNames(parsed.flags));

  for (const std::string& name : norm::SplitArtists(artist)) {
    CheckText(norm::ArtistKey(name));
  }
  const norm::ParsedAlbum parsed_album = norm::ParseAlbum(album);
  CheckText(parsed_album.key);

  const std::string canonical_isrc = norm::CanonicalIsrc(isrc);
  FUZZ_CHECK(canonical_isrc.empty() || canonical_isrc.size() == 12);

  const int distance = norm::BoundedLevenshtein(title, artist, 8);
  FUZZ_CHECK(distance >= 0 && distance <= 9);
  FUZZ_CHECK(norm::BoundedLevenshtein(title, title, 0) == 0);
  CheckScore(norm::Similarity(title, artist));
  CheckScore(norm::TokenSortSimilarity(norm::FoldText(title), norm::FoldText(artist)));
  FUZZ_CHECK(norm::Similarity(title, title) == 1.0);

  // A library of items made from the same strings, and tracks to match against it.
  std::vector<se::LibraryItem> items;
  for (int i = 0; i < 3; ++i) {
    se::LibraryItem item;
    item.id = i + 1;
    item.path = "/music/" + std::to_string(i) + ".flac";
    item.title = f[i % f.size()];
    item.artist = f[(i + 1) % f.size()];
    item.artists = norm::SplitArtists(item.artist);
    item.album = album;
    item.albumartist = artist;
    item.length = 180 + i;
    item.isrc = isrc;
    item.spotify_track_id = i == 2 ? title : "";
    item.data_source = i == 2 ? "Spotify" : "";
    item.mb_trackid = i == 1 ? title : "";
    items.push_back(std::move(item));
  }
  se::MatchOptions options;
  options.threads = 1;
  const se::Matcher matcher = se::Matcher::Build(se::LibraryItems(items), options);
  se::Track track;
  track.id = title;
  track.name = title;
  track.artists.push_back({"", artist});
  track.album_name = album;
  track.album_artists.push_back({"", f.size() > 4 ? f[4] : artist});
  track.isrc = isrc;
  track.duration_ms = 180000;
  const se::MatchResult result = matcher.Match(track);
  CheckScore(result.confidence);
  FUZZ_CHECK(result.item_id >= 0 && result.item_id <= 3);
  for (const se::MatchCandidate& candidate : result.runners_up) {
    FUZZ_CHECK(candidate.item_id != result.item_id);
  }
  return 0;
}
