// Artwork comes from Spotify's CDN, which does not share the Web API's rate window.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "../emulator/emulator_process.h"
#include "http/cancel.h"
#include "spotify/client.h"

namespace spotify_extract {
namespace {

namespace fs = std::filesystem;

TEST(ClientImages, CoversDoNotSpendTheApiRateWindow) {
  testing::EmulatorProcess emulator;
  std::random_device random;
  const fs::path dir =
      fs::temp_directory_path() / ("client_images_test_" + std::to_string(random()));
  fs::create_directories(dir);
  SpotifyConfig config;
  config.client_id = emulator.client_id();
  config.api_url = emulator.api_url();
  config.auth_url = emulator.auth_url();
  config.state_dir = dir.string();
  // Two Web API requests an hour: a third one through the API's pacer would wait.
  config.http.pacer.window_requests = 2;
  config.http.pacer.window = std::chrono::hours(1);
  std::unique_ptr<SpotifyClient> client = SpotifyClient::Open(config);

  // A cover waiting on the window would block: the watchdog cancels it, failing the test
  // instead of hanging it.
  CancelToken cancel, finished;
  std::thread watchdog([&] {
    if (finished.WaitUntil(std::chrono::steady_clock::now() + std::chrono::seconds(60))) {
      cancel.Cancel();
    }
  });
  int fetched = 0;
  try {
    for (int i = 0; i < 5; ++i) {
      fetched +=
          !client->GetImage(emulator.base_url() + "/image/cover-" + std::to_string(i), &cancel)
               .empty();
    }
  } catch (const std::exception& error) {
    ADD_FAILURE() << "a cover waited for the API's window: " << error.what();
  }
  finished.Cancel();
  watchdog.join();
  fs::remove_all(dir);
  EXPECT_EQ(fetched, 5);
  EXPECT_EQ(client->stats().http.requests, 0);  // the API's count holds no cover
}

}  // namespace
}  // namespace spotify_extract
