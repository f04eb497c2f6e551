#include "library/library_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kDelimiter[] = "\\\xE2\x90\x80";

// --- helpers -------------------------------------------------------------------------

// Owning copies of what ReadLibrary stored, so expectations compare whole fields.
std::vector<LibraryItem> ReadOwned(const std::string& path, const LibraryReadOptions& options) {
  std::vector<LibraryItem> owned;
  for (LibraryItemView item : ReadLibrary(path, options)) owned.push_back(item.ToItem());
  return owned;
}

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() /
            ("library_reader_test-" + std::to_string(getpid()) + "-" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A read-write connection for building databases and holding locks.
class Writer {
 public:
  explicit Writer(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
  }
  ~Writer() { sqlite3_close_v2(db_); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(message + " in: " + sql);
    }
  }

  // Inserts one row; a value is bound as a BLOB when `blobs` names its column.
  void Insert(const std::string& table, const std::vector<std::string>& columns,
              const std::vector<std::string>& values, const std::vector<std::string>& blobs = {}) {
    std::string sql = "INSERT INTO " + table + " (";
    std::string marks;
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + columns[i];
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES (" + marks + ")";
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    for (size_t i = 0; i < values.size(); ++i) {
      const bool blob = std::find(blobs.begin(), blobs.end(), columns[i]) != blobs.end();
      if (blob) {
        sqlite3_bind_blob(statement, static_cast<int>(i + 1), values[i].data(),
                          static_cast<int>(values[i].size()), SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_text(statement, static_cast<int>(i + 1), values[i].data(),
                          static_cast<int>(values[i].size()), SQLITE_TRANSIENT);
      }
    }
    const int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
};

// The smallest schema beets 2.x could have written, for the lock and WAL tests.
void MakeSmallLibrary(const std::string& path, int items) {
  Writer writer(path);
  writer.Exec(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, title TEXT, artist TEXT);"
      "CREATE TABLE item_attributes (id INTEGER PRIMARY KEY, entity_id INTEGER, key TEXT, "
      "value TEXT, UNIQUE(entity_id, key) ON CONFLICT REPLACE);");
  writer.Exec("BEGIN");
  for (int i = 1; i <= items; ++i) {
    writer.Insert("items", {"id", "path", "title", "artist"},
                  {std::to_string(i), "a/" + std::to_string(i) + ".mp3",
                   "Title " + std::to_string(i), "Artist"},
                  {"path"});
  }
  writer.Exec("COMMIT");
}

std::string ReadFile(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string FromHex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return bytes;
}

// Expects ReadLibrary to fail with one line naming the file and containing `reason`.
void ExpectLibraryError(const std::string& path, const std::string& reason,
                        const LibraryReadOptions& options = {}) {
  try {
    ReadLibrary(path, options);
    FAIL() << "no error for " << path;
  } catch (const LibraryError& error) {
    const std::string message = error.what();
    EXPECT_THAT(message, HasSubstr(path));
    EXPECT_THAT(message, HasSubstr(reason));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// --- pure functions ------------------------------------------------------------------

TEST(SplitMultiValueTest, SplitsOnBeetsDelimiter) {
  EXPECT_EQ(SplitMultiValue(std::string("A") + kDelimiter + "B"),
            (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(SplitMultiValue(std::string("A") + kDelimiter + "B; C" + kDelimiter + "D"),
            (std::vector<std::string>{"A", "B; C", "D"}));
  EXPECT_EQ(SplitMultiValue("A; B"), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(SplitMultiValue("Только одна"), (std::vector<std::string>{"Только одна"}));
  EXPECT_TRUE(SplitMultiValue("").empty());
  EXPECT_EQ(SplitMultiValue(std::string("A") + kDelimiter), (std::vector<std::string>{"A"}));
}

TEST(SplitMultiValueTest, IntoReusesAndClearsTheVector) {
  std::vector<std::string> parts = {"old"};
  SplitMultiValueInto("x", parts);
  EXPECT_EQ(parts, (std::vector<std::string>{"x"}));
  SplitMultiValueInto("", parts);
  EXPECT_TRUE(parts.empty());
}

TEST(ResolveLibraryPathTest, RelativeJoinsMusicDirAbsoluteStays) {
  EXPECT_EQ(ResolveLibraryPath("a/b.mp3", "/music"), "/music/a/b.mp3");
  EXPECT_EQ(ResolveLibraryPath("a/b.mp3", "/music/"), "/music/a/b.mp3");
  EXPECT_EQ(ResolveLibraryPath("/x/b.mp3", "/music"), "/x/b.mp3");
  EXPECT_EQ(ResolveLibraryPath("a/b.mp3", ""), "a/b.mp3");
  EXPECT_EQ(ResolveLibraryPath("", "/music"), "");
}

TEST(ResolveLibraryPathTest, NormalisesDotSegmentsLikeBeets) {
  EXPECT_EQ(ResolveLibraryPath("a/./b.mp3", "/music"), "/music/a/b.mp3");
  EXPECT_EQ(ResolveLibraryPath("../other/b.mp3", "/music"), "/other/b.mp3");
  EXPECT_EQ(ResolveLibraryPath("a//b.mp3", "/music"), "/music/a/b.mp3");
}

TEST(ResolveLibraryPathTest, KeepsNonUtf8Bytes) {
  const std::string stored = "Caf\xe9/\xff\xfe.mp3";
  EXPECT_EQ(ResolveLibraryPath(stored, "/m\xfc"), "/m\xfc/" + stored);
}

// --- a library made by the installed beets (tests/fixtures/samplelib.py) -------------

class SampleLibraryTest : public ::testing::Test {
 protected:
  // Loaded once per process; failures here are test failures (a failing
  // SetUpTestSuite would only skip the tests, which ctest counts as passed).
  void SetUp() override {
    if (manifest_ == nullptr) {
      const fs::path dir = fs::path(SPOTIFY_EXTRACT_LIBRARY_FIXTURES) / "samplelib";
      db_path_ = new std::string((dir / "library.db").string());
      music_dir_ = new std::string((dir / "music").string());
      manifest_ = new nlohmann::json(nlohmann::json::array());
      std::ifstream lines(dir / "items.jsonl");
      for (std::string line; std::getline(lines, line);) {
        manifest_->push_back(nlohmann::json::parse(line));
      }
    }
    ASSERT_TRUE(fs::exists(*db_path_))
        << *db_path_ << " is missing: run the ctest fixture library_fixture_samplelib";
    ASSERT_FALSE(manifest_->empty());
  }

  static std::vector<LibraryItem> Read() {
    LibraryReadOptions options;
    options.music_dir = *music_dir_;
    return ReadOwned(*db_path_, options);
  }

  // What beets stored in items.path, bytes as they are.
  static std::vector<std::string> StoredPaths() {
    std::vector<std::string> paths;
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_path_->c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "SELECT path FROM items ORDER BY id", -1, &statement, nullptr);
    while (sqlite3_step(statement) == SQLITE_ROW) {
      paths.emplace_back(static_cast<const char*>(sqlite3_column_blob(statement, 0)),
                         sqlite3_column_bytes(statement, 0));
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return paths;
  }

  static std::string ManifestPath(const nlohmann::json& entry) {
    if (entry.contains("path_hex")) return FromHex(entry["path_hex"].get<std::string>());
    return entry["path"].get<std::string>();
  }

  static inline std::string* db_path_ = nullptr;
  static inline std::string* music_dir_ = nullptr;
  static inline nlohmann::json* manifest_ = nullptr;
};

TEST_F(SampleLibraryTest, ReadsEveryItemWithEveryField) {
  const std::vector<LibraryItem> items = Read();
  ASSERT_EQ(items.size(), manifest_->size());
  for (size_t i = 0; i < items.size(); ++i) {
    const LibraryItem& item = items[i];
    const nlohmann::json& expected = (*manifest_)[i];
    SCOPED_TRACE("item " + std::to_string(item.id));
    EXPECT_EQ(item.id, expected["id"].get<int64_t>());
    EXPECT_EQ(item.path, ManifestPath(expected));
    EXPECT_EQ(item.title, expected["title"].get<std::string>());
    EXPECT_EQ(item.artist, expected["artist"].get<std::string>());
    EXPECT_EQ(item.artists, expected["artists"].get<std::vector<std::string>>());
    EXPECT_EQ(item.album, expected["album"].get<std::string>());
    EXPECT_EQ(item.albumartist, expected["albumartist"].get<std::string>());
    EXPECT_NEAR(item.length, expected["length"].get<double>(), 1e-6);
    EXPECT_EQ(item.track, expected["track"].get<int>());
    EXPECT_EQ(item.disc, expected["disc"].get<int>());
    EXPECT_EQ(item.year, expected["year"].get<int>());
    EXPECT_EQ(item.isrc, expected["isrc"].get<std::string>());
    EXPECT_EQ(item.mb_trackid, expected["mb_trackid"].get<std::string>());
    EXPECT_EQ(item.bpm, expected["bpm"].get<int>());
    EXPECT_EQ(item.initial_key, expected["initial_key"].get<std::string>());
    EXPECT_DOUBLE_EQ(item.mtime, expected["mtime"].get<double>());
    EXPECT_EQ(item.spotify_track_id, expected["spotify_track_id"].get<std::string>());
    EXPECT_EQ(item.data_source, expected["data_source"].get<std::string>());
  }
}

TEST_F(SampleLibraryTest, StreamingGivesTheSameItemsInIdOrder) {
  const std::vector<LibraryItem> items = Read();
  LibraryReadOptions options;
  options.music_dir = *music_dir_;
  size_t index = 0;
  ForEachLibraryItem(*db_path_, options, [&](LibraryItem& item) {
    ASSERT_LT(index, items.size());
    EXPECT_EQ(item.id, items[index].id);
    EXPECT_EQ(item.path, items[index].path);
    EXPECT_EQ(item.artists, items[index].artists);
    EXPECT_EQ(item.spotify_track_id, items[index].spotify_track_id);
    EXPECT_EQ(item.data_source, items[index].data_source);
    LibraryItem taken = std::move(item);  // a sink may keep the item
    EXPECT_EQ(taken.title, items[index].title);
    ++index;
  });
  EXPECT_EQ(index, items.size());
}

TEST_F(SampleLibraryTest, MatchColumnsReadWhatTheMatcherIndexesAndNothingElse) {
  const std::vector<LibraryItem> items = Read();
  LibraryReadOptions options;
  options.music_dir = *music_dir_;
  options.columns = LibraryColumns::kMatch;
  size_t index = 0;
  ForEachLibraryItem(*db_path_, options, [&](LibraryItem& item) {
    ASSERT_LT(index, items.size());
    const LibraryItem& full = items[index++];
    SCOPED_TRACE("item " + std::to_string(item.id));
    EXPECT_EQ(item.id, full.id);
    EXPECT_EQ(item.title, full.title);
    EXPECT_EQ(item.artist, full.artist);
    EXPECT_EQ(item.artists, full.artists);
    EXPECT_EQ(item.album, full.album);
    EXPECT_DOUBLE_EQ(item.length, full.length);
    EXPECT_EQ(item.isrc, full.isrc);
    EXPECT_EQ(item.mb_trackid, full.mb_trackid);
    EXPECT_EQ(item.spotify_track_id, full.spotify_track_id);
    EXPECT_EQ(item.data_source, full.data_source);
    EXPECT_EQ(item.path, "");
    EXPECT_EQ(item.albumartist, "");
    EXPECT_EQ(item.year, 0);
  });
  EXPECT_EQ(index, items.size());
}

TEST_F(SampleLibraryTest, HoldsTheCasesTheOtherTestsRelyOn) {
  const std::vector<LibraryItem> items = Read();
  int multi_artist = 0, non_latin = 0, from_spotify = 0, with_isrc = 0;
  for (const LibraryItem& item : items) {
    multi_artist += item.artists.size() > 1;
    non_latin += item.title.find("\xE3") != std::string::npos ||  // kana / CJK
                 item.title.find("\xD0") != std::string::npos;    // Cyrillic
    from_spotify += item.data_source == "Spotify" && item.mb_trackid == item.spotify_track_id;
    with_isrc += !item.isrc.empty();
  }
  EXPECT_GT(multi_artist, 0);
  EXPECT_GT(non_latin, 0);
  EXPECT_GT(from_spotify, 0);
  EXPECT_GT(with_isrc, 0);
}

TEST_F(SampleLibraryTest, RelativePathsJoinTheMusicDirAbsoluteOnesStay) {
  const std::vector<std::string> stored = StoredPaths();
  const std::vector<LibraryItem> items = Read();
  ASSERT_EQ(stored.size(), items.size());
  int relative = 0, absolute = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (stored[i].starts_with('/')) {
      ++absolute;  // outside the music directory: beets keeps it absolute
      EXPECT_EQ(items[i].path, stored[i]);
      EXPECT_FALSE(items[i].path.starts_with(*music_dir_ + "/"));
    } else {
      ++relative;  // beets >= 2.10: relative to the music directory, with '/'
      EXPECT_EQ(items[i].path, *music_dir_ + "/" + stored[i]);
    }
  }
  EXPECT_GT(relative, 0) << "the installed beets should store relative paths";
  EXPECT_GT(absolute, 0) << "the fixture should hold files outside the music directory";
}

TEST_F(SampleLibraryTest, NonUtf8PathBytesAreKeptExactly) {
  const std::vector<LibraryItem> items = Read();
  int odd = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const nlohmann::json& expected = (*manifest_)[i];
    if (!expected.contains("path_hex")) continue;
    ++odd;
    EXPECT_EQ(items[i].path, FromHex(expected["path_hex"].get<std::string>()));
    EXPECT_NE(items[i].path.find('\xff'), std::string::npos);
  }
  EXPECT_GT(odd, 0) << "the fixture was made with --odd-paths";
}

TEST_F(SampleLibraryTest, WithoutAMusicDirRelativePathsStayRelative) {
  const std::vector<LibraryItem> items = ReadOwned(*db_path_, {});
  const std::vector<std::string> stored = StoredPaths();
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i].path, stored[i]);
}

TEST_F(SampleLibraryTest, NeverWritesTheDatabase) {
  const std::string before = ReadFile(*db_path_);
  const auto modified = fs::last_write_time(*db_path_);
  Read();
  EXPECT_EQ(ReadFile(*db_path_), before);
  EXPECT_EQ(fs::last_write_time(*db_path_), modified);
  EXPECT_FALSE(fs::exists(*db_path_ + "-journal"));
  EXPECT_FALSE(fs::exists(*db_path_ + "-wal"));
}

// --- older beets schemas -------------------------------------------------------------

TEST(LegacySchemaTest, ReadsByColumnNameWithLegacyAndMissingColumns) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  {
    Writer writer(db_path);
    // Like a beets 2.0-2.6 library: `genre` and `composer` (legacy single-valued), no
    // `artists`, `bpm`, `initial_key` or `isrc` columns, columns in another order, absolute
    // paths (some stored as TEXT, as hand-edited or very old rows are), no flex table.
    writer.Exec(
        "CREATE TABLE items (title TEXT, genre TEXT, id INTEGER PRIMARY KEY, composer TEXT, "
        "year INTEGER, artist TEXT, album_id INTEGER, length REAL, path BLOB, album TEXT, "
        "track INTEGER, mb_trackid TEXT, disc INTEGER, albumartist TEXT, mtime REAL)");
    writer.Insert("items",
                  {"id", "title", "genre", "artist", "path", "album", "length", "year", "track",
                   "disc", "mb_trackid", "albumartist", "mtime"},
                  {"3", "Кукушка", "Rock", "Кино", "/music/Кино/Кукушка.mp3", "Звезда", "401.5",
                   "1990", "2", "1", "mbid-3", "Кино", "1600000000.5"},
                  {"path"});
    writer.Insert("items", {"id", "title", "artist", "path"},
                  {"1", "Jóga", "Björk", "/music/Bj\xc3\xb6rk/J\xf3ga.mp3"});  // TEXT, Latin-1
    writer.Insert("items", {"id", "title", "path"}, {"2", "No Artist", "relative/x.flac"},
                  {"path"});
  }
  LibraryReadOptions options;
  options.music_dir = "/music";
  const std::vector<LibraryItem> items = ReadOwned(db_path, options);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].id, 1);  // sorted by id, whatever the insert order
  EXPECT_EQ(items[0].path, "/music/Bj\xc3\xb6rk/J\xf3ga.mp3");
  EXPECT_EQ(items[0].artist, "Björk");
  EXPECT_TRUE(items[0].artists.empty());  // no `artists` column in old beets
  EXPECT_EQ(items[1].path, "/music/relative/x.flac");
  EXPECT_TRUE(items[1].artist.empty());
  const LibraryItem& kino = items[2];
  EXPECT_EQ(kino.id, 3);
  EXPECT_EQ(kino.title, "Кукушка");
  EXPECT_EQ(kino.artist, "Кино");
  EXPECT_EQ(kino.album, "Звезда");
  EXPECT_EQ(kino.albumartist, "Кино");
  EXPECT_EQ(kino.path, "/music/Кино/Кукушка.mp3");
  EXPECT_DOUBLE_EQ(kino.length, 401.5);
  EXPECT_EQ(kino.year, 1990);
  EXPECT_EQ(kino.track, 2);
  EXPECT_EQ(kino.disc, 1);
  EXPECT_EQ(kino.mb_trackid, "mbid-3");
  EXPECT_DOUBLE_EQ(kino.mtime, 1600000000.5);
  EXPECT_TRUE(kino.isrc.empty());
  EXPECT_EQ(kino.bpm, 0);
  EXPECT_TRUE(kino.initial_key.empty());
  EXPECT_TRUE(kino.spotify_track_id.empty());
}

TEST(LegacySchemaTest, SemicolonListsAndOrphanedAttributes) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  {
    Writer writer(db_path);
    writer.Exec(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, artists TEXT);"
        "CREATE TABLE item_attributes (id INTEGER PRIMARY KEY, entity_id INTEGER, key TEXT, "
        "value TEXT, UNIQUE(entity_id, key) ON CONFLICT REPLACE);");
    writer.Insert("items", {"id", "path", "artists"}, {"5", "/a.mp3", "A; B"}, {"path"});
    writer.Insert("item_attributes", {"entity_id", "key", "value"},
                  {"5", "spotify_track_id", "4uLU6hMCjMI75M1A2tKUQC"});
    writer.Insert("item_attributes", {"entity_id", "key", "value"},
                  {"5", "data_source", "Spotify"});
    writer.Insert("item_attributes", {"entity_id", "key", "value"}, {"5", "other", "x"});
    writer.Insert("item_attributes", {"entity_id", "key", "value"},
                  {"99", "spotify_track_id", "orphan"});  // the item was removed
  }
  const std::vector<LibraryItem> items = ReadOwned(db_path, {});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].artists, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(items[0].spotify_track_id, "4uLU6hMCjMI75M1A2tKUQC");
  EXPECT_EQ(items[0].data_source, "Spotify");
}

TEST(LegacySchemaTest, AttributesMergeByIdWithGapsAndOrphans) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  {
    Writer writer(db_path);
    writer.Exec(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB);"
        "CREATE TABLE item_attributes (id INTEGER PRIMARY KEY, entity_id INTEGER, key TEXT, "
        "value TEXT, UNIQUE(entity_id, key) ON CONFLICT REPLACE);");
    for (const char* id : {"2", "5", "9"}) {
      writer.Insert("items", {"id", "path"}, {id, std::string("/") + id}, {"path"});
    }
    // Inserted out of order; 1, 3 and 7 are orphans (their items were removed).
    for (const auto& [entity, key, value] :
         std::vector<std::array<std::string, 3>>{{"9", "data_source", "Spotify"},
                                                 {"7", "spotify_track_id", "gone7"},
                                                 {"2", "spotify_track_id", "id2"},
                                                 {"1", "data_source", "gone1"},
                                                 {"9", "spotify_track_id", "id9"},
                                                 {"3", "spotify_track_id", "gone3"},
                                                 {"5", "genre_flex", "ignored"}}) {
      writer.Insert("item_attributes", {"entity_id", "key", "value"}, {entity, key, value});
    }
  }
  std::vector<std::array<std::string, 2>> streamed;
  size_t expected = 0;
  const size_t count = ForEachLibraryItem(
      db_path, {},
      [&](LibraryItem& item) {
        streamed.push_back({item.spotify_track_id, item.data_source});
      },
      &expected);
  EXPECT_EQ(count, 3u);
  EXPECT_EQ(expected, 3u);
  EXPECT_EQ(streamed,
            (std::vector<std::array<std::string, 2>>{{"id2", ""}, {"", ""}, {"id9", "Spotify"}}));
  // Only some items (what an import just added): their own attributes, nobody else's.
  LibraryReadOptions only;
  only.only_ids = {9, 5, 42};
  streamed.clear();
  EXPECT_EQ(
      ForEachLibraryItem(db_path, only,
                         [&](LibraryItem& item) {
                           streamed.push_back({std::to_string(item.id), item.spotify_track_id});
                         }),
      2u);
  EXPECT_EQ(streamed, (std::vector<std::array<std::string, 2>>{{"5", ""}, {"9", "id9"}}));
  const std::vector<LibraryItem> items = ReadOwned(db_path, {});
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].spotify_track_id, "id2");
  EXPECT_TRUE(items[1].spotify_track_id.empty());
  EXPECT_EQ(items[2].data_source, "Spotify");
}

TEST(LegacySchemaTest, EmptyLibraryGivesNoItems) {
  TempDir dir;
  MakeSmallLibrary(dir.File("library.db"), 0);
  EXPECT_TRUE(ReadLibrary(dir.File("library.db"), {}).empty());
}

// --- bad files: one clear error naming the path ---------------------------------------

TEST(LibraryErrorTest, MissingFile) {
  TempDir dir;
  ExpectLibraryError(dir.File("nowhere/library.db"), "not found");
}

TEST(LibraryErrorTest, Directory) {
  TempDir dir;
  ExpectLibraryError(dir.path().string(), "not a file");
}

TEST(LibraryErrorTest, EmptyFile) {
  TempDir dir;
  WriteFile(dir.File("library.db"), "");
  ExpectLibraryError(dir.File("library.db"), "empty");
}

TEST(LibraryErrorTest, NotAnSqliteFile) {
  TempDir dir;
  std::string garbage(8192, '\0');
  std::mt19937 random(42);
  for (char& c : garbage) c = static_cast<char>(random());
  WriteFile(dir.File("library.db"), garbage);
  ExpectLibraryError(dir.File("library.db"), "not an SQLite database");
}

TEST(LibraryErrorTest, CorruptSqliteFile) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  MakeSmallLibrary(db_path, 2000);
  // Keep the header, overwrite the pages after the schema with garbage.
  std::string bytes = ReadFile(db_path);
  ASSERT_GT(bytes.size(), 3 * 4096u);
  for (size_t i = 2 * 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  WriteFile(db_path, bytes);
  ExpectLibraryError(db_path, "corrupt");
}

TEST(LibraryErrorTest, TruncatedSqliteFile) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  MakeSmallLibrary(db_path, 2000);
  fs::resize_file(db_path, 4096 + 100);
  try {
    ReadLibrary(db_path, {});
    FAIL() << "no error";
  } catch (const LibraryError& error) {
    EXPECT_THAT(error.what(), HasSubstr(db_path));
  }
}

TEST(LibraryErrorTest, SqliteButNotBeets) {
  TempDir dir;
  const std::string db_path = dir.File("other.db");
  Writer(db_path).Exec("CREATE TABLE songs (id INTEGER PRIMARY KEY)");
  ExpectLibraryError(db_path, "not a beets library");
  Writer(dir.File("nopath.db")).Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT)");
  ExpectLibraryError(dir.File("nopath.db"), "no path column");
}

TEST(LibraryErrorTest, PathWithUriCharacters) {
  TempDir dir;
  const std::string db_path = dir.File("my ?#% library.db");
  MakeSmallLibrary(db_path, 3);
  EXPECT_EQ(ReadLibrary(db_path, {}).size(), 3u);
}

// --- concurrent writers ----------------------------------------------------------------

TEST(LockedLibraryTest, ExclusiveLockWaitsTheBusyTimeoutThenFailsClearly) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  MakeSmallLibrary(db_path, 10);
  Writer beets(db_path);
  beets.Exec("BEGIN EXCLUSIVE");
  beets.Exec("INSERT INTO items (path) VALUES (x'2f6e65772e6d7033')");
  LibraryReadOptions options;
  options.busy_timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  ExpectLibraryError(db_path, "locked", options);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(250));
  beets.Exec("ROLLBACK");
  EXPECT_EQ(ReadLibrary(db_path, options).size(), 10u);
}

TEST(LockedLibraryTest, ALockReleasedWithinTheTimeoutIsWaitedFor) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  MakeSmallLibrary(db_path, 10);
  Writer beets(db_path);
  beets.Exec("BEGIN EXCLUSIVE");
  beets.Exec("INSERT INTO items (path) VALUES (x'2f6e65772e6d7033')");
  std::thread committer([&beets] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    beets.Exec("COMMIT");
  });
  LibraryReadOptions options;
  options.busy_timeout = std::chrono::milliseconds(10000);
  const std::vector<LibraryItem> items = ReadOwned(db_path, options);
  committer.join();
  EXPECT_EQ(items.size(), 11u);
}

TEST(LockedLibraryTest, ReadsTheCommittedStateWhileAWriteIsPending) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  MakeSmallLibrary(db_path, 10);
  Writer beets(db_path);
  beets.Exec("BEGIN IMMEDIATE");  // beets holds a RESERVED lock while it imports
  beets.Exec("INSERT INTO items (path) VALUES (x'2f6e65772e6d7033')");
  LibraryReadOptions options;
  options.busy_timeout = std::chrono::milliseconds(300);
  EXPECT_EQ(ReadLibrary(db_path, options).size(), 10u);
  beets.Exec("COMMIT");
  EXPECT_EQ(ReadLibrary(db_path, options).size(), 11u);
}

TEST(WalLibraryTest, ReadsAWalDatabaseWithAndWithoutAnOpenWriter) {
  TempDir dir;
  const std::string db_path = dir.File("library.db");
  MakeSmallLibrary(db_path, 10);
  {
    Writer beets(db_path);
    beets.Exec("PRAGMA journal_mode=WAL");
    beets.Exec("INSERT INTO items (path) VALUES (x'2f6e65772e6d7033')");  // in the WAL
    EXPECT_EQ(ReadLibrary(db_path, {}).size(), 11u);
    beets.Exec("BEGIN IMMEDIATE");
    beets.Exec("INSERT INTO items (path) VALUES (x'2f6e65772e6d7033')");
    EXPECT_EQ(ReadLibrary(db_path, {}).size(), 11u);  // not committed yet
    beets.Exec("COMMIT");
  }
  EXPECT_EQ(ReadLibrary(db_path, {}).size(), 12u);  // no writer open: WAL checkpointed
}

}  // namespace
}  // namespace spotify_extract
