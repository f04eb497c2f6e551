#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spotify_extract {

// One row of beets' `items` table, with the fields the matcher and the mirror need.
// Strings are UTF-8 as beets stores them; `path` holds the raw bytes of the resolved,
// absolute file path (it may not be valid UTF-8).
struct LibraryItem {
  int64_t id = 0;
  std::string path;
  std::string title;
  std::string artist;
  std::vector<std::string> artists;  // beets' multi-valued `artists`, split
  std::string album;
  std::string albumartist;
  double length = 0.0;  // seconds
  int track = 0;
  int disc = 0;
  int year = 0;
  std::string isrc;
  std::string mb_trackid;
  int bpm = 0;
  std::string initial_key;
  double mtime = 0.0;
  std::string spotify_track_id;  // flexible attribute
  std::string data_source;       // flexible attribute
};

}  // namespace spotify_extract
