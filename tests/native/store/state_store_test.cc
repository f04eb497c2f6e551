#include "store/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "store/run_lock.h"

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("state_store_test_" + std::to_string(random()));
    fs::create_directories(dir_);
    path_ = (dir_ / kStateDatabaseName).string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Track MakeTrack(const std::string& id, const std::string& name, const std::string& artist,
                         const std::string& isrc = "") {
    Track track;
    track.id = id;
    track.name = name;
    track.artists = {{"a_" + artist, artist}};
    track.album_name = "Album of " + name;
    track.isrc = isrc;
    track.duration_ms = 200000;
    track.cover_url = "https://i.scdn.co/image/" + id;
    return track;
  }
  static PlaylistEntry Entry(const Track& track, const std::string& added_at = "2024-01-01") {
    PlaylistEntry entry;
    entry.track = track;
    entry.added_at = added_at;
    entry.added_by = "me";
    return entry;
  }
  static Playlist MakePlaylist(const std::string& id, const std::string& name,
                               const std::string& snapshot_id, int total) {
    Playlist playlist;
    playlist.id = id;
    playlist.name = name;
    playlist.owner_id = "me";
    playlist.snapshot_id = snapshot_id;
    playlist.total_entries = total;
    return playlist;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StateStoreTest, CreatesSchemaWithWalAndMigrationsTable) {
  {
    StateStore store(path_);
    EXPECT_EQ(store.SchemaVersion(), StateStore::LatestSchemaVersion());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  sqlite3_prepare_v2(db, "SELECT number, name FROM migrations", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 1);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  // Reopening applies nothing twice.
  StateStore again(path_);
  EXPECT_EQ(again.SchemaVersion(), StateStore::LatestSchemaVersion());
}

// Every index serves a query; the ISRC index of migration 1 served none (migration 5).
TEST_F(StateStoreTest, AStoreOfVersionFourLosesTheUnusedIsrcIndex) {
  auto index_exists = [&](const char* name) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
                       -1, &statement, nullptr);
    sqlite3_bind_text(statement, 1, name, -1, SQLITE_STATIC);
    sqlite3_step(statement);
    const bool exists = sqlite3_column_int(statement, 0) == 1;
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return exists;
  };
  { StateStore store(path_); }
  EXPECT_FALSE(index_exists("tracks_isrc"));
  EXPECT_TRUE(index_exists("tracks_liked"));
  // As a store written by the previous release: the index there, migration 5 not applied.
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  sqlite3_exec(db,
               "CREATE INDEX tracks_isrc ON tracks(isrc); DELETE FROM migrations WHERE number = 5",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  ASSERT_TRUE(index_exists("tracks_isrc"));
  StateStore store(path_);
  EXPECT_EQ(store.SchemaVersion(), StateStore::LatestSchemaVersion());
  EXPECT_FALSE(index_exists("tracks_isrc"));
}

TEST_F(StateStoreTest, RefusesANewerSchema) {
  { StateStore store(path_); }
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  sqlite3_exec(db, "INSERT INTO migrations VALUES (999, 'future', 'x')", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    StateStore store(path_);
    FAIL() << "a newer schema must be refused";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("upgrade"), std::string::npos) << error.what();
  }
}

TEST_F(StateStoreTest, NotADatabaseIsAClearError) {
  FILE* file = fopen(path_.c_str(), "w");
  fputs("this is not sqlite, it is a text file that is long enough to have a header......", file);
  fclose(file);
  try {
    StateStore store(path_);
    FAIL();
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find(path_), std::string::npos) << error.what();
  }
}

TEST_F(StateStoreTest, RunLockRefusesASecondRunAndFreesOnRelease) {
  StateStore store(path_);
  RunLock lock = RunLock::Acquire(store.LockPath(), "spotify-extract");
  try {
    RunLock second = RunLock::Acquire(store.LockPath(), "spotify-extract");
    FAIL() << "a second lock must be refused";
  } catch (const RunLockedError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("another spotify-extract run is in progress"), std::string::npos);
    EXPECT_NE(message.find("pid " + std::to_string(getpid())), std::string::npos) << message;
  }
  lock.Release();
  RunLock third = RunLock::Acquire(store.LockPath(), "spotify-extract");
  EXPECT_TRUE(third.held());
}

TEST_F(StateStoreTest, RunLockOfAKilledProcessIsFree) {
  std::string lock_path = path_ + ".lock";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    RunLock lock = RunLock::Acquire(lock_path, "child");
    char byte = 1;
    if (write(ready[1], &byte, 1) != 1) _exit(2);
    pause();
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  EXPECT_THROW(RunLock::Acquire(lock_path, "parent"), RunLockedError);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  RunLock lock = RunLock::Acquire(lock_path, "parent");
  EXPECT_TRUE(lock.held());
  close(ready[0]);
  close(ready[1]);
}

TEST_F(StateStoreTest, SnapshotResumesUntilComplete) {
  StateStore store(path_);
  SnapshotRecord first = store.snapshots().Begin("api", false);
  EXPECT_FALSE(first.resumed);
  EXPECT_EQ(first.status, SnapshotStatus::kRunning);
  store.snapshots().CompletePhase(first.id, "profile", 0.5);
  EXPECT_TRUE(store.snapshots().IsPhaseDone(first.id, "profile"));
  EXPECT_FALSE(store.snapshots().IsPhaseDone(first.id, "playlists"));
  store.snapshots().Finish(first.id, SnapshotStatus::kCancelled, "cancelled by the user");

  SnapshotRecord resumed = store.snapshots().Begin("api", false);
  EXPECT_TRUE(resumed.resumed);
  EXPECT_EQ(resumed.id, first.id);
  EXPECT_TRUE(store.snapshots().IsPhaseDone(resumed.id, "profile"));
  store.snapshots().CompletePhase(resumed.id, "profile", 0.25);
  store.snapshots().AddRequests(resumed.id, 7);
  store.snapshots().Finish(resumed.id, SnapshotStatus::kComplete, "", R"({"tracks": 3})");
  auto done = store.snapshots().Get(resumed.id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, SnapshotStatus::kComplete);
  EXPECT_EQ(done->requests, 7);
  EXPECT_NE(done->phases_json.find("0.75"), std::string::npos) << done->phases_json;
  EXPECT_NE(done->counts_json.find("tracks"), std::string::npos);
  EXPECT_FALSE(done->finished_at.empty());

  SnapshotRecord next = store.snapshots().Begin("api", false);
  EXPECT_FALSE(next.resumed);
  EXPECT_GT(next.id, first.id);
  // Another source never resumes this one.
  store.snapshots().Finish(next.id, SnapshotStatus::kError, "boom");
  SnapshotRecord export_run = store.snapshots().Begin("export", false);
  EXPECT_FALSE(export_run.resumed);
}

TEST_F(StateStoreTest, PlaylistListingRecordsAddsRenamesAndRemovals) {
  StateStore store(path_);
  int64_t s1 = store.snapshots().Begin("api", false).id;
  store.catalog().SavePlaylistPage(
      s1, {MakePlaylist("p1", "Road", "v1", 2), MakePlaylist("p2", "Gym", "v1", 1)}, 0, -1, 2);
  EXPECT_TRUE(store.catalog().FinishPlaylistListing(s1).empty());
  EXPECT_EQ(store.catalog().PlaylistsNeedingEntries().size(), 2u);
  store.snapshots().Finish(s1, SnapshotStatus::kComplete, "");

  int64_t s2 = store.snapshots().Begin("api", false).id;
  store.catalog().SavePlaylistPage(s2, {MakePlaylist("p1", "Road Trip", "v1", 2)}, 0, -1, 1);
  std::vector<std::string> removed = store.catalog().FinishPlaylistListing(s2);
  ASSERT_EQ(removed, std::vector<std::string>{"p2"});
  EXPECT_EQ(store.catalog().ListPlaylists().size(), 1u);
  EXPECT_EQ(store.catalog().ListPlaylists(true).size(), 2u);
  EXPECT_TRUE(store.catalog().GetPlaylist("p2")->removed);
  std::vector<Change> changes = store.snapshots().Changes(s2);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, "playlist_removed");
  EXPECT_EQ(changes[0].detail, "Gym");
  EXPECT_EQ(changes[1].kind, "playlist_renamed");
  EXPECT_NE(changes[1].detail.find("Road Trip"), std::string::npos);
}

// After the newest data export is read, the export playlists it no longer holds go; the
// API's playlists are not touched (and the other way round).
TEST_F(StateStoreTest, ExportListingRemovesOnlyExportPlaylistsItDidNotSee) {
  StateStore store(path_);
  int64_t s1 = store.snapshots().Begin("export", false).id;
  store.catalog().SavePlaylistPage(s1, {MakePlaylist("p1", "From the API", "v1", 1)}, 0, -1, 1);
  store.catalog().UpsertExportPlaylist(s1, MakePlaylist("export:a", "Kept", "", 1));
  store.catalog().UpsertExportPlaylist(s1, MakePlaylist("export:b", "Gone", "", 1));
  EXPECT_TRUE(store.catalog().FinishPlaylistListing(s1, PlaylistSource::kExport).empty());
  store.snapshots().Finish(s1, SnapshotStatus::kComplete, "");

  int64_t s2 = store.snapshots().Begin("export", false).id;
  store.catalog().UpsertExportPlaylist(s2, MakePlaylist("export:a", "Kept", "", 1));
  EXPECT_EQ(store.catalog().FinishPlaylistListing(s2, PlaylistSource::kExport),
            std::vector<std::string>{"export:b"});
  EXPECT_TRUE(store.catalog().GetPlaylist("export:b")->removed);
  EXPECT_FALSE(store.catalog().GetPlaylist("export:a")->removed);
  EXPECT_FALSE(store.catalog().GetPlaylist("p1")->removed);
}

TEST_F(StateStoreTest, EntriesAreStagedThenCommittedAtomically) {
  StateStore store(path_);
  int64_t s1 = store.snapshots().Begin("api", false).id;
  store.catalog().SavePlaylistPage(s1, {MakePlaylist("p1", "Road", "v1", 3)}, 0, -1, 1);
  store.catalog().FinishPlaylistListing(s1);
  Track a = MakeTrack("ta", "Song A", "Artist A", "ISRC0A");
  Track b = MakeTrack("tb", "Song B", "Artist B");
  PlaylistEntry local;
  local.kind = EntryKind::kLocalFile;
  local.track.name = "My Demo";
  local.track.artists = {{"", "Me"}};
  local.track.is_local = true;

  store.catalog().StageEntries("playlist:p1", "v1", 0, {Entry(a), Entry(b)}, 2, 3);
  auto progress = store.snapshots().GetFetchProgress("playlist:p1");
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->next_offset, 2);
  EXPECT_EQ(progress->staged, 2);
  EXPECT_EQ(progress->version, "v1");
  // Nothing is visible before the commit.
  EXPECT_TRUE(store.catalog().PlaylistEntries("p1").empty());
  store.catalog().StageEntries("playlist:p1", "v1", 2, {local}, -1, 3);
  store.catalog().CommitPlaylistEntries(s1, "p1", "v1");
  std::vector<StoredEntry> entries = store.catalog().PlaylistEntries("p1");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].track.id, "ta");
  EXPECT_EQ(entries[0].track.isrc, "ISRC0A");
  EXPECT_EQ(entries[0].track.artists.at(0).name, "Artist A");
  EXPECT_EQ(entries[1].track.name, "Song B");
  EXPECT_EQ(entries[2].kind, EntryKind::kLocalFile);
  EXPECT_EQ(entries[2].track.name, "My Demo");
  EXPECT_FALSE(store.snapshots().GetFetchProgress("playlist:p1"));
  EXPECT_TRUE(store.catalog().PlaylistsNeedingEntries().empty());
  EXPECT_EQ(store.catalog().WantedTracks().size(), 2u);

  // A page of another version restarts the staging.
  store.catalog().StageEntries("playlist:p1", "v2", 0, {Entry(b)}, 1, 3);
  store.catalog().StageEntries("playlist:p1", "v3", 1, {Entry(a)}, -1, 1);
  EXPECT_EQ(store.snapshots().GetFetchProgress("playlist:p1")->staged, 1);
}

TEST_F(StateStoreTest, ExportDataNeverErasesKnownIsrcOrDuration) {
  StateStore store(path_);
  store.catalog().UpsertTracks({MakeTrack("t1", "Song", "Artist", "USRC1")});
  Track bare;
  bare.id = "t1";
  bare.name = "Song";
  bare.artists = {{"", "Artist"}};
  store.catalog().UpsertTracks({bare});
  auto track = store.catalog().GetTrack("t1");
  ASSERT_TRUE(track);
  EXPECT_EQ(track->isrc, "USRC1");
  EXPECT_EQ(track->duration_ms, 200000);
}

TEST_F(StateStoreTest, LikedSongsIncrementalAndFull) {
  StateStore store(path_);
  int64_t s1 = store.snapshots().Begin("api", false).id;
  Track a = MakeTrack("a", "A", "X"), b = MakeTrack("b", "B", "X"), c = MakeTrack("c", "C", "X");
  store.catalog().StageEntries("liked", "full", 0, {Entry(b, "2024-02"), Entry(a, "2024-01")}, -1,
                               2);
  store.saved().CommitLiked(s1, true);
  EXPECT_EQ(store.saved().LikedCount(), 2);
  EXPECT_TRUE(store.saved().AllLikedKnown({{"2024-02", b}, {"2024-01", a}}));
  EXPECT_FALSE(store.saved().AllLikedKnown({{"2024-03", c}}));
  store.snapshots().Finish(s1, SnapshotStatus::kComplete, "");

  // Incremental: c is new on top; a and b stay, shifted.
  int64_t s2 = store.snapshots().Begin("api", false).id;
  store.catalog().StageEntries("liked", "incremental", 0, {Entry(c, "2024-03")}, 1, 3);
  store.saved().CommitLiked(s2, false);
  std::vector<StoredEntry> liked = store.saved().LikedEntries();
  ASSERT_EQ(liked.size(), 3u);
  EXPECT_EQ(liked[0].track.id, "c");
  EXPECT_EQ(liked[1].track.id, "b");
  EXPECT_EQ(liked[2].track.id, "a");
  EXPECT_EQ(liked[0].added_at, "2024-03");

  // Full: b was unliked.
  store.catalog().StageEntries("liked", "full", 0, {Entry(c, "2024-03"), Entry(a, "2024-01")}, -1,
                               2);
  store.saved().CommitLiked(s2, true);
  liked = store.saved().LikedEntries();
  ASSERT_EQ(liked.size(), 2u);
  EXPECT_EQ(liked[1].track.id, "a");
  store.snapshots().Finish(s2, SnapshotStatus::kComplete, "");
  std::vector<Change> changes = store.snapshots().Changes(s2);
  bool saw_added = false, saw_removed = false;
  for (const Change& change : changes) {
    if (change.kind == "liked_added" && change.subject == "c") saw_added = true;
    if (change.kind == "liked_removed" && change.subject == "b") saw_removed = true;
  }
  EXPECT_TRUE(saw_added);
  EXPECT_TRUE(saw_removed);
  // b is referenced by nothing any more: pruned.
  EXPECT_FALSE(store.catalog().GetTrack("b"));
}

TEST_F(StateStoreTest, MatchesOverridesAndWishlistLifecycle) {
  StateStore store(path_);
  int64_t s1 = store.snapshots().Begin("api", false).id;
  store.catalog().SavePlaylistPage(s1, {MakePlaylist("p1", "Road", "v1", 3)}, 0, -1, 1);
  store.catalog().FinishPlaylistListing(s1);
  Track a = MakeTrack("ta", "Song A", "Artist A"), b = MakeTrack("tb", "Song B", "Artist B"),
        c = MakeTrack("tc", "Song C", "Artist C");
  store.catalog().StageEntries("playlist:p1", "v1", 0, {Entry(a), Entry(b), Entry(c)}, -1, 3);
  store.catalog().CommitPlaylistEntries(s1, "p1", "v1");
  store.matches().Save(
      s1, {{"ta", 11, MatchMethod::kIsrc, 1.0, "[]", false, MatchStatus::kMatched},
           {"tb", 0, MatchMethod::kNone, 0, "[]", false, MatchStatus::kUnmatched},
           {"tc", 0, MatchMethod::kNone, 0, R"([{"item_id": 5, "confidence": 0.6}])", false,
            MatchStatus::kUnmatched}});
  WishlistSyncResult sync = store.wishlist().Sync(s1);
  EXPECT_EQ(sync.added, 2);
  EXPECT_EQ(sync.pending, 2);
  SummaryCounts summary = store.Summary();
  EXPECT_EQ(summary.tracks, 3);
  EXPECT_EQ(summary.matched, 1);
  EXPECT_EQ(summary.missing, 2);
  EXPECT_EQ(summary.matched_by_method["isrc"], 1);
  store.snapshots().Finish(s1, SnapshotStatus::kComplete, "");

  std::vector<WishlistEntry> entries = store.wishlist().List();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].spotify_track_id, "tb");
  EXPECT_EQ(entries[0].artist, "Artist B");
  EXPECT_EQ(entries[0].spotify_url, "https://open.spotify.com/track/tb");
  ASSERT_EQ(entries[0].wanted_by.size(), 1u);
  EXPECT_EQ(entries[0].wanted_by[0].name, "Road");

  WishlistFilter by_text;
  by_text.text = "artist c";
  EXPECT_EQ(store.wishlist().Count(by_text), 1);
  WishlistFilter by_playlist;
  by_playlist.playlist = "road";
  EXPECT_EQ(store.wishlist().Count(by_playlist), 2);
  by_playlist.playlist = "nope";
  EXPECT_EQ(store.wishlist().Count(by_playlist), 0);

  store.wishlist().SetStatus("tb", WishlistStatus::kDownloading);
  store.wishlist().SetStatus("tb", WishlistStatus::kFailed, "spotdl: no results");
  store.wishlist().SetStatus("tb", WishlistStatus::kFailed, "spotdl: no results again");
  auto failed = store.wishlist().Get("tb");
  EXPECT_EQ(failed->status, WishlistStatus::kFailed);
  EXPECT_EQ(failed->retries, 2);
  EXPECT_EQ(failed->error, "spotdl: no results again");
  EXPECT_EQ(store.wishlist().Retry(), 1);
  store.wishlist().SetStatus("tb", WishlistStatus::kDownloading);
  EXPECT_EQ(store.wishlist().ResetInterruptedDownloads(), 1);
  store.wishlist().SetStatus("tb", WishlistStatus::kDownloaded, "",
                             std::string("/music/\xff-b.mp3"));
  EXPECT_EQ(store.wishlist().Get("tb")->file_path, std::string("/music/\xff-b.mp3"));
  EXPECT_THROW(WishlistStatusFromName("bogus"), StoreError);
  EXPECT_THROW(store.wishlist().SetStatus("nope", WishlistStatus::kPending), StoreError);
  store.wishlist().Dismiss("tc");
  WishlistStats stats = store.wishlist().Stats();
  EXPECT_EQ(stats.by_status[WishlistStatus::kDownloaded], 1);
  EXPECT_EQ(stats.by_status[WishlistStatus::kDismissed], 1);
  EXPECT_EQ(stats.downloaded_last_week, 1);
  EXPECT_EQ(stats.failed_attempts, 2);

  // The person overrides: tb is item 12. The next run's matcher honours it.
  store.matches().SetOverride("tb", 12);
  store.matches().Reject("ta");
  EXPECT_EQ(store.matches().GetOverride("tb")->item_id, 12);
  EXPECT_TRUE(store.matches().GetOverride("ta")->rejected);
  EXPECT_EQ(store.matches().ListOverrides().size(), 2u);
  EXPECT_THROW(store.matches().SetOverride("tb", 0), StoreError);

  int64_t s2 = store.snapshots().Begin("api", false).id;
  store.matches().Save(s2,
                       {{"ta", 0, MatchMethod::kNone, 0, "[]", true, MatchStatus::kUnmatched},
                        {"tb", 12, MatchMethod::kOverride, 1.0, "[]", true, MatchStatus::kMatched},
                        {"tc", 0, MatchMethod::kNone, 0, "[]", false, MatchStatus::kUnmatched}});
  sync = store.wishlist().Sync(s2);
  EXPECT_EQ(sync.closed, 1);  // tb
  EXPECT_EQ(sync.added, 1);   // ta (rejected)
  EXPECT_EQ(store.wishlist().Get("tb")->status, WishlistStatus::kImported);
  EXPECT_EQ(store.wishlist().Get("tb")->item_id, 12);
  EXPECT_EQ(store.wishlist().Get("tc")->status, WishlistStatus::kDismissed);
  std::vector<Change> changes = store.snapshots().Changes(s2);
  bool newly = false, lost = false;
  for (const Change& change : changes) {
    newly |= change.kind == "newly_matched" && change.subject == "tb";
    lost |= change.kind == "match_lost" && change.subject == "ta";
  }
  EXPECT_TRUE(newly);
  EXPECT_TRUE(lost);

  // Manual additions; a dismissed one comes back when asked for again.
  WishlistEntry manual;
  manual.spotify_track_id = "tz";
  manual.artist = "Z";
  manual.title = "Zed";
  manual.requested_by = {"cli"};
  EXPECT_TRUE(store.wishlist().Add(manual));
  EXPECT_FALSE(store.wishlist().Add(manual));
  EXPECT_EQ(store.wishlist().Get("tz")->source, "manual");
  // The summary's numbers add up: missing = its tracks' entries by status; a manual entry
  // no playlist wants is counted apart (it used to be "waiting" beside the missing ones).
  SummaryCounts counts = store.Summary();
  EXPECT_EQ(counts.missing, 2);  // ta (pending), tc (dismissed)
  EXPECT_EQ(counts.missing_by_status["pending"], 1);
  EXPECT_EQ(counts.missing_by_status["dismissed"], 1);
  EXPECT_EQ(counts.wishlist_pending, 1);
  EXPECT_EQ(counts.wishlist_others, 1);  // tz
  manual.spotify_track_id = "tc";
  EXPECT_FALSE(store.wishlist().Add(manual));
  EXPECT_EQ(store.wishlist().Get("tc")->status, WishlistStatus::kPending);
  EXPECT_EQ(store.wishlist().WantedBy("tc").at(0).name, "Road");

  // A track that leaves every playlist drops its pending entry (not manual ones).
  store.catalog().StageEntries("playlist:p1", "v2", 0, {Entry(b)}, -1, 1);
  store.catalog().CommitPlaylistEntries(s2, "p1", "v2");
  sync = store.wishlist().Sync(s2);
  EXPECT_EQ(sync.dropped, 2);  // ta, tc
  EXPECT_TRUE(store.wishlist().Get("tz"));
  store.snapshots().Finish(s2, SnapshotStatus::kComplete, "");
}

TEST_F(StateStoreTest, ReviewMatchesStayOffTheWishlistAndSavedAlbumsIncremental) {
  StateStore store(path_);
  int64_t s1 = store.snapshots().Begin("api", false).id;
  Track a = MakeTrack("ta", "A", "X"), b = MakeTrack("tb", "B", "X");
  store.catalog().StageEntries("liked", "full", 0, {Entry(a), Entry(b)}, -1, 2);
  store.saved().CommitLiked(s1, true);
  MatchRecord review{"ta",
                     0,
                     MatchMethod::kFuzzy,
                     0.7,
                     R"([{"item_id": 3, "confidence": 0.7}])",
                     false,
                     MatchStatus::kReview};
  MatchRecord none{"tb", 0, MatchMethod::kNone, 0, "[]", false, MatchStatus::kUnmatched};
  store.matches().Save(s1, {review, none});
  EXPECT_EQ(store.matches().Get("ta")->status, MatchStatus::kReview);
  EXPECT_EQ(store.matches().Get("tb")->status, MatchStatus::kUnmatched);
  WishlistSyncResult sync = store.wishlist().Sync(s1);
  EXPECT_EQ(sync.added, 1);
  EXPECT_FALSE(store.wishlist().Get("ta"));
  SummaryCounts summary = store.Summary();
  EXPECT_EQ(summary.review, 1);
  EXPECT_EQ(summary.missing, 1);
  store.matches().Reject("ta", 3);
  EXPECT_EQ(store.matches().GetOverride("ta")->item_id, 3);
  EXPECT_TRUE(store.matches().GetOverride("ta")->rejected);

  auto album = [](const std::string& id, const std::string& added) {
    SavedAlbum saved;
    saved.added_at = added;
    saved.album.id = id;
    saved.album.name = "Album " + id;
    return saved;
  };
  store.saved().StageAlbums("albums", 0, {album("a2", "2"), album("a1", "1")}, -1, 2);
  store.saved().CommitAlbums("albums", true);
  EXPECT_TRUE(store.saved().AllAlbumsKnown({album("a2", "2")}));
  EXPECT_FALSE(store.saved().AllAlbumsKnown({album("a3", "3")}));
  store.saved().StageAlbums("albums", 0, {album("a3", "3"), album("a2", "2")}, 2, 3, "incremental");
  EXPECT_EQ(store.snapshots().GetFetchProgress("albums")->version, "incremental");
  store.saved().CommitAlbums("albums", false);
  std::vector<SavedAlbum> albums = store.saved().SavedAlbums();
  ASSERT_EQ(albums.size(), 3u);
  EXPECT_EQ(albums[0].album.id, "a3");
  EXPECT_EQ(albums[2].album.id, "a1");
  EXPECT_EQ(store.saved().SavedAlbumCount(), 3);
}

TEST_F(StateStoreTest, EnrichmentCandidatesAndMissingAudioFeatures) {
  StateStore store(path_);
  int64_t s1 = store.snapshots().Begin("export", false).id;
  Track bare;
  bare.id = "t1";
  bare.name = "Song";
  Track full = MakeTrack("t2", "Other", "Artist", "ISRC2");
  store.catalog().StageEntries("liked", "full", 0, {Entry(bare), Entry(full)}, -1, 2);
  store.saved().CommitLiked(s1, true);
  EXPECT_EQ(store.catalog().TracksNeedingEnrichment(), std::vector<std::string>{"t1"});
  store.catalog().MarkEnrichAttempted({"t1"});
  EXPECT_TRUE(store.catalog().TracksNeedingEnrichment().empty());
  EXPECT_EQ(store.saved().TracksWithoutAudioFeatures().size(), 2u);
  AudioFeatures features;
  features.track_id = "t2";
  features.tempo = 100;
  store.saved().SaveAudioFeatures({features}, {"t1"});
  EXPECT_TRUE(store.saved().TracksWithoutAudioFeatures().empty());
  EXPECT_FALSE(store.saved().GetAudioFeatures("t1"));
  EXPECT_EQ(store.Summary().audio_features, 1);
}

TEST_F(StateStoreTest, MirroredFilesKeepBytePaths) {
  StateStore store(path_);
  store.mirrored_files().Replace({{"/pl/Road (Spotify).m3u", "p1", "abc", ""},
                                  {std::string("/pl/\xfe.m3u"), "p2", "def", ""}});
  std::vector<MirroredFile> files = store.mirrored_files().All();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].path, std::string("/pl/\xfe.m3u"));
  store.mirrored_files().Replace({files[0]});
  EXPECT_EQ(store.mirrored_files().All().size(), 1u);
}

TEST_F(StateStoreTest, AlbumsArtistsAndAudioFeatures) {
  StateStore store(path_);
  SavedAlbum album;
  album.added_at = "2024";
  album.album.id = "al1";
  album.album.name = "Blue";
  album.album.artists = {{"ar", "Joni"}};
  store.saved().StageAlbums("albums", 0, {album}, -1, 1);
  EXPECT_TRUE(store.saved().SavedAlbums().empty());
  store.saved().CommitAlbums("albums");
  ASSERT_EQ(store.saved().SavedAlbums().size(), 1u);
  EXPECT_EQ(store.saved().SavedAlbums()[0].album.artists[0].name, "Joni");

  Artist artist;
  artist.id = "ar";
  artist.name = "Joni";
  artist.genres = {"folk"};
  artist.popularity = 70;
  store.saved().StageArtists("artists", 0, {artist}, "", 1);
  store.saved().CommitArtists("artists");
  ASSERT_EQ(store.saved().FollowedArtists().size(), 1u);
  EXPECT_EQ(store.saved().FollowedArtists()[0].genres.at(0), "folk");
  EXPECT_EQ(store.saved().FollowedArtists()[0].popularity, 70);

  store.catalog().UpsertTracks({MakeTrack("t1", "Song", "Artist")});
  AudioFeatures features;
  features.track_id = "t1";
  features.tempo = 120.5;
  features.key = 5;
  store.saved().SaveAudioFeatures({features});
  EXPECT_DOUBLE_EQ(store.saved().GetAudioFeatures("t1")->tempo, 120.5);
}

TEST_F(StateStoreTest, ConcurrentWritersFromThreads) {
  StateStore store(path_);
  store.catalog().UpsertTracks({MakeTrack("t1", "Song", "Artist")});
  WishlistEntry entry;
  entry.spotify_track_id = "t1";
  store.wishlist().Add(entry);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&store] {
      for (int j = 0; j < 25; ++j) store.wishlist().SetStatus("t1", WishlistStatus::kFailed, "x");
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store.wishlist().Get("t1")->retries, 100);
  // A second connection (another process, e.g. beet wishlist) sees the same data.
  StateStore other(path_);
  EXPECT_EQ(other.wishlist().Get("t1")->retries, 100);
}

}  // namespace
}  // namespace spotify_extract

namespace spotify_extract {
namespace {

// The calls made under a Batch are one transaction (the export import writes each page
// once): a call that opens its own transaction joins it, and nothing stays without Commit.
TEST_F(StateStoreTest, CallsUnderABatchAreOneTransaction) {
  StateStore store(path_);
  {
    StateStore::Batch batch(store);
    store.SetMeta("seen", "1");
    store.catalog().UpsertTracks({MakeTrack("ta", "Song A", "Artist A")});
    EXPECT_TRUE(store.catalog().GetTrack("ta").has_value());
  }  // not committed: rolled back
  EXPECT_FALSE(store.GetMeta("seen").has_value());
  EXPECT_FALSE(store.catalog().GetTrack("ta").has_value());
  {
    StateStore::Batch batch(store);
    store.catalog().UpsertTracks({MakeTrack("ta", "Song A", "Artist A")});
    batch.Commit();
  }
  EXPECT_TRUE(store.catalog().GetTrack("ta").has_value());
  {
    StateStore::Batch batch(store);
    store.catalog().UpsertTracks({MakeTrack("tb", "Song B", "Artist B")});
    EXPECT_THROW(store.catalog().CommitPlaylistEntries(1, "no such playlist", "v"), StoreError);
    EXPECT_THROW(batch.Commit(), StoreError);  // a failed call ends the whole batch
  }
  EXPECT_FALSE(store.catalog().GetTrack("tb").has_value());
  EXPECT_TRUE(store.catalog().GetTrack("ta").has_value());
}

}  // namespace
}  // namespace spotify_extract
