#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "library/library_item.h"
#include "spotify/model.h"

namespace spotify_extract::testing_util {

inline nlohmann::json LoadJson(const std::string& relative) {
  std::ifstream in(std::string(SPOTIFY_EXTRACT_SOURCE_DIR) + "/" + relative);
  return nlohmann::json::parse(in);
}

inline LibraryItem ItemFromJson(const nlohmann::json& j) {
  LibraryItem item;
  item.id = j.at("id").get<int64_t>();
  item.title = j.value("title", "");
  item.artist = j.value("artist", "");
  if (j.contains("artists")) item.artists = j["artists"].get<std::vector<std::string>>();
  item.album = j.value("album", "");
  item.albumartist = j.value("albumartist", "");
  item.length = j.value("length", 0.0);
  item.isrc = j.value("isrc", "");
  item.mb_trackid = j.value("mb_trackid", "");
  item.spotify_track_id = j.value("spotify_track_id", "");
  item.data_source = j.value("data_source", "");
  return item;
}

inline Track TrackFromJson(const nlohmann::json& j) {
  Track track;
  track.id = j.value("id", "");
  track.name = j.value("name", "");
  for (const auto& name : j.value("artists", std::vector<std::string>{})) {
    track.artists.push_back({"", name});
  }
  track.album_name = j.value("album_name", "");
  track.isrc = j.value("isrc", "");
  track.duration_ms = j.value("duration_ms", 0);
  return track;
}

}  // namespace spotify_extract::testing_util
