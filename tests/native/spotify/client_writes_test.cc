// The write endpoints and search of SpotifyClient against the emulator.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <regex>

#include "../emulator/emulator_process.h"
#include "http/errors.h"
#include "spotify/client.h"
#include "spotify/errors.h"
#include "spotify/token_store.h"

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

class ClientWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("client_writes_test_" + std::to_string(random()));
    fs::create_directories(dir_);
    emulator_ = std::make_unique<testing::EmulatorProcess>();
    config_.client_id = emulator_->client_id();
    config_.api_url = emulator_->api_url();
    config_.auth_url = emulator_->auth_url();
    config_.state_dir = dir_.string();
    config_.http.retry.base_backoff = std::chrono::milliseconds(1);
  }
  void TearDown() override {
    emulator_.reset();
    fs::remove_all(dir_);
  }
  // A saved login with `scope` (space-separated).
  void Login(const std::string& scope) {
    nlohmann::json issued = emulator_->Admin("token", {{"scope", scope}});
    Token token;
    token.access_token = issued["access_token"];
    token.refresh_token = issued["refresh_token"];
    token.scope = issued["scope"];
    token.expires_at = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() +
                       3600;
    token.client_id = emulator_->client_id();
    TokenStore::InStateDir(dir_).Save(token);
  }
  std::vector<std::string> TrackUris(size_t n) {
    nlohmann::json library = emulator_->Admin("library");
    std::vector<std::string> uris;
    for (const auto& track : library["tracks"]) {
      if (uris.size() == n) break;
      uris.push_back("spotify:track:" + track["id"].get<std::string>());
    }
    return uris;
  }
  int Count(const std::string& method, const std::string& path_regex) {
    int n = 0;
    std::regex pattern(path_regex);
    nlohmann::json log = emulator_->Admin("log");  // kept: the loop reads into it
    for (const auto& request : log["requests"]) {
      if (request["method"] == method &&
          std::regex_search(request["path"].get<std::string>(), pattern))
        ++n;
    }
    return n;
  }

  fs::path dir_;
  std::unique_ptr<testing::EmulatorProcess> emulator_;
  SpotifyConfig config_;
};

constexpr const char* kRead = "playlist-read-private playlist-read-collaborative user-library-read";

TEST_F(ClientWritesTest, CreatesAddsReplacesAndReadsBack) {
  Login(std::string(kRead) + " playlist-modify-private playlist-modify-public");
  auto client = SpotifyClient::Open(config_);
  EXPECT_TRUE(client->HasWriteScopes());
  Playlist created = client->CreatePlaylist("Master (beets)", "made by a test", false, nullptr);
  ASSERT_EQ(created.id.size(), 22u);
  EXPECT_FALSE(created.is_public);
  std::vector<std::string> uris = TrackUris(130);
  std::vector<std::string> first(uris.begin(), uris.begin() + 100);
  std::vector<std::string> rest(uris.begin() + 100, uris.end());
  std::string s1 = client->AddPlaylistItems(created.id, first, -1, nullptr);
  std::string s2 = client->AddPlaylistItems(created.id, rest, -1, nullptr);
  EXPECT_FALSE(s1.empty());
  EXPECT_NE(s1, s2);
  PlaylistItemUris back = client->GetPlaylistItemUris(created.id, 0, -1, nullptr);
  EXPECT_EQ(back.total, 130);
  EXPECT_EQ(back.uris, uris);
  PlaylistItemUris tail = client->GetPlaylistItemUris(created.id, 120, 5, nullptr);
  EXPECT_EQ(tail.uris, std::vector<std::string>(uris.begin() + 120, uris.begin() + 125));
  client->ReplacePlaylistItems(created.id, rest, nullptr);
  EXPECT_EQ(client->GetPlaylistItemUris(created.id, 0, -1, nullptr).uris, rest);
  std::optional<Playlist> meta = client->GetPlaylist(created.id, nullptr);
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->total_entries, 30);
  EXPECT_FALSE(client->GetPlaylist(std::string(22, 'Z'), nullptr).has_value());
  EXPECT_THROW(client->AddPlaylistItems(created.id, TrackUris(101), -1, nullptr), SpotifyApiError);
  EXPECT_THROW(client->AddPlaylistItems("../me", first, -1, nullptr), SpotifyApiError);
}

TEST_F(ClientWritesTest, ALoginWithoutTheWriteScopesAsksForLoginWrite) {
  Login(kRead);
  auto client = SpotifyClient::Open(config_);
  EXPECT_FALSE(client->HasWriteScopes());
  try {
    client->CreatePlaylist("x", "", false, nullptr);
    FAIL() << "no error";
  } catch (const WriteScopeRequiredError& error) {
    EXPECT_NE(std::string(error.what()).find("--login --write"), std::string::npos);
  }
}

TEST_F(ClientWritesTest, AWriteWithAnUnknownOutcomeIsNotSentAgain) {
  Login(std::string(kRead) + " playlist-modify-private playlist-modify-public");
  auto client = SpotifyClient::Open(config_);
  Playlist created = client->CreatePlaylist("Mine", "", false, nullptr);
  emulator_->Admin("fail_next", {{"count", 1}, {"kind", "reset"}, {"path", "/items$"}});
  EXPECT_THROW(client->AddPlaylistItems(created.id, TrackUris(3), -1, nullptr), TransportError);
  EXPECT_EQ(Count("POST", "/items$"), 1);
  // A 429 is waited out and sent again: Spotify did nothing with it.
  emulator_->Admin("fail_next",
                   {{"count", 1}, {"kind", "429"}, {"retry_after", 0}, {"path", "/items$"}});
  client->AddPlaylistItems(created.id, TrackUris(3), -1, nullptr);
  EXPECT_EQ(Count("POST", "/items$"), 3);
  // Reads are retried as always.
  emulator_->Admin("fail_next", {{"count", 1}, {"kind", "reset"}, {"path", "/items$"}});
  EXPECT_EQ(client->GetPlaylistItemUris(created.id, 0, -1, nullptr).total, 3);
}

TEST_F(ClientWritesTest, SearchFindsATrackByIsrcWithinTheDevelopmentLimit) {
  Login(kRead);
  auto client = SpotifyClient::Open(config_);
  nlohmann::json library = emulator_->Admin("library");
  std::string id, isrc;
  for (const auto& track : library["tracks"]) {
    if (track.contains("isrc") && track["isrc"].is_string()) {
      id = track["id"];
      isrc = track["isrc"];
      break;
    }
  }
  ASSERT_FALSE(isrc.empty());
  std::vector<Track> found = client->SearchTracks("isrc:" + isrc, 50, nullptr);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().isrc, isrc);
  // 50 was asked for; the request said 10 (the emulator answers 400 beyond).
  std::vector<Track> many = client->SearchTracks("a", 50, nullptr);
  EXPECT_LE(many.size(), 10u);
}

}  // namespace
}  // namespace spotify_extract
