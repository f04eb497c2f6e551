#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "spotify/model.h"
#include "store/sqlite_db.h"

// What the extract use-case tests share: a temporary folder with a beets library.db of a
// few items (the columns the native reader needs), and Spotify tracks that match them.

namespace spotify_extract {

// The track a Spotify listing gives for `name` by `artist`; it matches a SmallLibrary item
// of the same title and artist.
inline Track MakeTrack(const std::string& id, const std::string& name, const std::string& artist) {
  Track track;
  track.id = id;
  track.name = name;
  track.artists = {{"", artist}};
  track.album_name = "Album of " + name;
  track.duration_ms = 200000;
  return track;
}

struct SmallLibraryItem {
  int64_t id;
  std::string title;
  std::string artist;
};

// A new temporary folder holding library.db with `items` (album "Album of <title>", 200 s
// long); the folder goes with the object.
class SmallLibrary {
 public:
  SmallLibrary(const std::string& name, const std::vector<SmallLibraryItem>& items) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "library.db").string();
    sql::Connection db(path_, std::chrono::milliseconds(1000));
    db.Exec(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, title TEXT, artist TEXT, "
        "album TEXT, length REAL)");
    sql::Statement insert = db.Prepare("INSERT INTO items VALUES (?, ?, ?, ?, ?, 200)");
    for (const SmallLibraryItem& item : items) {
      std::string file = "/m/" + std::to_string(item.id) + ".mp3";
      insert.Bind(item.id, sql::Blob{file}, item.title, item.artist, "Album of " + item.title)
          .Run();
    }
  }
  SmallLibrary(const SmallLibrary&) = delete;
  SmallLibrary& operator=(const SmallLibrary&) = delete;
  ~SmallLibrary() { std::filesystem::remove_all(dir_); }

  const std::filesystem::path& dir() const { return dir_; }
  // library.db, for the use cases' library_db argument.
  const std::string& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace spotify_extract
