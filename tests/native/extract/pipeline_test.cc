#include "extract/pipeline.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <set>

#include "../emulator/emulator_process.h"
#include "spotify/token_store.h"

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

// A minimal beets library.db: the reader looks columns up by name.
void MakeLibrary(const fs::path& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* sql =
      "CREATE TABLE items (id INTEGER PRIMARY KEY, path BLOB, title TEXT, artist TEXT, "
      "album TEXT, length REAL, isrc TEXT);"
      "INSERT INTO items VALUES (1, CAST('a/one.mp3' AS BLOB), 'One', 'Someone', 'X', 200, '');";
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("pipeline_test_" + std::to_string(random()));
    fs::create_directories(dir_ / "music");
    MakeLibrary(dir_ / "library.db");
    emulator_ = std::make_unique<testing::EmulatorProcess>();
    Token token;
    token.access_token = emulator_->access_token();
    token.refresh_token = emulator_->refresh_token();
    token.expires_at = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() +
                       3600;
    token.client_id = emulator_->client_id();
    TokenStore::InStateDir(dir_).Save(token);
    config_.client_id = emulator_->client_id();
    config_.api_url = emulator_->api_url();
    config_.auth_url = emulator_->auth_url();
    config_.state_dir = dir_.string();
    options_.library_db = (dir_ / "library.db").string();
    options_.music_dir = (dir_ / "music").string();
    options_.mirror_options.playlist_dir = (dir_ / "playlists").string();
    options_.mirror_options.library_root = (dir_ / "music").string();
  }
  void TearDown() override {
    emulator_.reset();
    fs::remove_all(dir_);
  }

  int64_t ApiRequests() { return emulator_->Admin("counters")["api_requests"].get<int64_t>(); }

  fs::path dir_;
  std::unique_ptr<testing::EmulatorProcess> emulator_;
  SpotifyConfig config_;
  PipelineOptions options_;
};

TEST_F(PipelineTest, FirstRunFetchesTheMinimumAndARerunAlmostNothing) {
  StateStore store((dir_ / kStateDatabaseName).string());
  auto client = SpotifyClient::Open(config_);
  std::vector<std::string> phases;
  Pipeline pipeline(store, client.get(), options_, [&](const ProgressEvent& event) {
    if (phases.empty() || phases.back() != event.phase) phases.push_back(event.phase);
  });
  CancelToken cancel;
  PipelineResult first = pipeline.Run(&cancel);
  EXPECT_EQ(first.status, SnapshotStatus::kComplete);
  int64_t minimum =
      emulator_->Admin("minimum_requests", {{"mode", "development"}})["total"].get<int64_t>();
  EXPECT_EQ(ApiRequests(), minimum);
  EXPECT_EQ(first.requests, minimum);
  EXPECT_GT(first.summary.tracks, 0);
  EXPECT_EQ(first.summary.tracks,
            first.summary.matched + first.summary.review + first.summary.missing);
  EXPECT_EQ(first.summary.wishlist_pending, first.summary.missing);
  EXPECT_FALSE(first.not_shared.empty());
  ASSERT_TRUE(first.mirror.has_value());
  std::vector<std::string> expected = {"profile", "playlists", "playlist_items", "liked",
                                       "albums",  "artists",   "audio_features", "match",
                                       "mirror",  "wishlist"};
  EXPECT_EQ(phases, expected);

  emulator_->Admin("reset");
  Pipeline again(store, client.get(), options_);
  PipelineResult second = again.Run(&cancel);
  EXPECT_EQ(second.status, SnapshotStatus::kComplete);
  // /me, the list of 10 playlists, the newest page of Liked Songs and of saved albums (both
  // known), and the 70 followed artists (cursor pages, no timestamps: re-read).
  EXPECT_EQ(ApiRequests(), 1 + 1 + 1 + 1 + 2);
  EXPECT_TRUE(second.changes.empty());
}

// Nothing changed: the files are as written and the library is not read again for them;
// an m3u deleted or edited by hand is written again on the next run.
TEST_F(PipelineTest, ARerunWithNothingChangedDoesNotRenderThePlaylistsAgain) {
  StateStore store((dir_ / kStateDatabaseName).string());
  auto client = SpotifyClient::Open(config_);
  CancelToken cancel;
  Pipeline(store, client.get(), options_).Run(&cancel);
  // The library gets the first track of a readable playlist: that playlist has a file.
  std::optional<Track> track;
  for (const PlaylistRecord& record : store.catalog().ListPlaylists()) {
    for (const StoredEntry& entry : store.catalog().PlaylistEntries(record.playlist.id)) {
      if (!track && !entry.track.isrc.empty() && !entry.track.artists.empty()) {
        track = entry.track;
      }
    }
  }
  ASSERT_TRUE(track.has_value());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "library.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "INSERT INTO items VALUES (2, CAST('b/two.mp3' AS BLOB), ?, ?, ?, "
                               "?, ?)",
                               -1, &insert, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(insert, 1, track->name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(insert, 2, track->artists[0].name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(insert, 3, track->album_name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(insert, 4, track->duration_ms / 1000.0);
  sqlite3_bind_text(insert, 5, track->isrc.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
  sqlite3_finalize(insert);
  sqlite3_close(db);

  PipelineResult written = Pipeline(store, client.get(), options_).Run(&cancel);
  ASSERT_TRUE(written.mirror.has_value());
  ASSERT_GT(written.summary.matched, 0);
  ASSERT_GT(written.mirror->written, 0);
  EXPECT_GT(written.library_items, 0);

  PipelineResult again = Pipeline(store, client.get(), options_).Run(&cancel);
  ASSERT_TRUE(again.mirror.has_value());
  EXPECT_EQ(again.library_items, 0);  // neither matched nor rendered: not read
  EXPECT_EQ(again.mirror->written, 0);
  EXPECT_EQ(again.mirror->unchanged, written.mirror->written + written.mirror->unchanged);
  ASSERT_EQ(again.mirror->playlists.size(), written.mirror->playlists.size());
  std::string path;
  for (size_t i = 0; i < again.mirror->playlists.size(); ++i) {
    const PlaylistOutcome& before = written.mirror->playlists[i];
    EXPECT_EQ(again.mirror->playlists[i].path, before.path);
    EXPECT_EQ(again.mirror->playlists[i].stats.entries, before.stats.entries);
    if (before.status == MirrorStatus::kWritten) path = before.path;
  }
  ASSERT_FALSE(path.empty());

  fs::remove(path);
  PipelineResult rewritten = Pipeline(store, client.get(), options_).Run(&cancel);
  ASSERT_TRUE(rewritten.mirror.has_value());
  EXPECT_EQ(rewritten.mirror->written, 1);
  EXPECT_TRUE(fs::exists(path));
}

TEST_F(PipelineTest, CancelledRunIsRecordedAndTheNextOneResumes) {
  StateStore store((dir_ / kStateDatabaseName).string());
  auto client = SpotifyClient::Open(config_);
  CancelToken cancelled;
  // Cancel as soon as the playlist entries start: the profile and list are kept.
  Pipeline pipeline(store, client.get(), options_, [&](const ProgressEvent& event) {
    if (event.phase == "playlist_items" && event.done >= 1) cancelled.Cancel();
  });
  PipelineResult stopped = pipeline.Run(&cancelled);
  EXPECT_EQ(stopped.status, SnapshotStatus::kCancelled);
  EXPECT_EQ(store.snapshots().Last()->status, SnapshotStatus::kCancelled);
  EXPECT_TRUE(store.snapshots().IsPhaseDone(stopped.snapshot.id, "playlists"));
  EXPECT_FALSE(store.snapshots().IsPhaseDone(stopped.snapshot.id, "liked"));

  emulator_->Admin("reset");
  CancelToken cancel;
  Pipeline resumed(store, client.get(), options_);
  PipelineResult done = resumed.Run(&cancel);
  EXPECT_EQ(done.status, SnapshotStatus::kComplete);
  EXPECT_TRUE(done.resumed);
  EXPECT_EQ(done.snapshot.id, stopped.snapshot.id);
  // The profile and the playlist list were not fetched again.
  nlohmann::json counters = emulator_->Admin("counters");
  EXPECT_FALSE(counters["by_endpoint"].contains("/v1/me")) << counters.dump();
  EXPECT_FALSE(counters["by_endpoint"].contains("/v1/me/playlists")) << counters.dump();
}

TEST_F(PipelineTest, UnchangedInputsKeepTheMatchesAndAnyChangeMatchesAgain) {
  StateStore store((dir_ / kStateDatabaseName).string());
  auto client = SpotifyClient::Open(config_);
  CancelToken cancel;
  auto run = [&](const PipelineOptions& options) {
    bool kept = false;
    Pipeline pipeline(store, client.get(), options, {}, [&](LogLevel, const std::string& message) {
      if (message.find("matches kept") != std::string::npos) kept = true;
    });
    EXPECT_EQ(pipeline.Run(&cancel).status, SnapshotStatus::kComplete);
    return kept;
  };
  EXPECT_FALSE(run(options_));
  EXPECT_TRUE(run(options_));  // nothing changed: the matcher is not even built

  // beets imports a wanted track: the library file changed, so everything is matched again.
  Track wanted = store.catalog().WantedTracks().front();
  ASSERT_FALSE(store.matches().All().at(wanted.id).item_id);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options_.library_db.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "INSERT INTO items VALUES (2, CAST('a/two.mp3' AS BLOB), ?, ?, ?, "
                               "?, ?)",
                               -1, &insert, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(insert, 1, wanted.name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(insert, 2, JoinArtists(wanted.artists).c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(insert, 3, wanted.album_name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(insert, 4, wanted.duration_ms / 1000.0);
  sqlite3_bind_text(insert, 5, wanted.isrc.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  EXPECT_FALSE(run(options_));
  EXPECT_EQ(store.matches().All().at(wanted.id).item_id, 2);

  // Another threshold, or a decision of the person's, is another result too.
  PipelineOptions stricter = options_;
  stricter.match.min_confidence = 0.95;
  EXPECT_TRUE(run(options_));
  EXPECT_FALSE(run(stricter));
  store.matches().Reject(wanted.id, 2);
  EXPECT_FALSE(run(stricter));
  EXPECT_FALSE(store.matches().All().at(wanted.id).item_id);
}

}  // namespace
}  // namespace spotify_extract
