// The Spotify client's JSON -> model parsing: any bytes as a response body must parse to
// model structs (or be refused as JSON) without crashing, with the documented guarantees:
// missing or wrongly typed fields are empty/0, page totals >= -1, offsets >= 0.
//
// Input: a response body. Every parser is applied to the document, to each item of a
// paging object and to the values nested one level down, since the Web API nests the
// same objects in many places (item.track, album.artists, ...).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_check.h"
#include "spotify/parse.h"

namespace se = spotify_extract;
using nlohmann::json;

namespace {

void ParseAll(const json& value) {
  const se::Track track = se::ParseTrack(value);
  FUZZ_CHECK(track.duration_ms >= 0);
  se::ParsePlaylistEntry(value);
  se::ParsePlaylist(value);
  se::ParseSavedTrack(value);
  se::ParseAlbum(value);
  se::ParseSavedAlbum(value);
  se::ParseArtist(value);
  se::ParseAudioFeatures(value);
  se::ParseUserProfile(value);
  se::ErrorMessage(value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const json document = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return 0;
  const se::RawPage page = se::ParsePage(document);
  FUZZ_CHECK(page.total >= -1);
  FUZZ_CHECK(page.offset >= 0 && page.limit >= 0);
  ParseAll(document);
  for (const json* item : page.items) ParseAll(*item);
  if (document.is_object() || document.is_array()) {
    for (const json& child : document) {
      ParseAll(child);
      if (child.is_object() || child.is_array()) {
        for (const json& grandchild : child) ParseAll(grandchild);
      }
    }
  }
  return 0;
}
