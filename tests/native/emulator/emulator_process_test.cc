// The emulator helper for native tests, and Poco's TLS against the emulator's test CA.
#include "emulator_process.h"

#include <Poco/Net/SSLException.h>
#include <gtest/gtest.h>

namespace spotify_extract::testing {
namespace {

TEST(EmulatorProcess, ServesTheApiAndTheAdminCalls) {
  EmulatorProcess emu;
  EmulatorResponse me = emu.Get(emu.api_url() + "/me", emu.access_token());
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json()["id"], "emulatoruser");
  EXPECT_EQ(emu.Get(emu.api_url() + "/me").status, 401);

  emu.Admin("fail_next", {{"count", 1}, {"status", 503}});
  EXPECT_EQ(emu.Get(emu.api_url() + "/me/tracks?limit=50", emu.access_token()).status, 503);
  EmulatorResponse page = emu.Get(emu.api_url() + "/me/tracks?limit=50", emu.access_token());
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Json()["total"], 230);
  EXPECT_EQ(emu.Get(emu.api_url() + "/me/tracks?limit=51", emu.access_token()).status, 400);

  nlohmann::json counters = emu.Admin("counters");
  EXPECT_EQ(counters["api_requests"], 5);
  EXPECT_EQ(counters["by_status"]["503"], 1);
  EXPECT_EQ(emu.Admin("summary")["entries"], 640);
}

TEST(EmulatorProcess, TlsVerifiesAgainstTheTestCaOnly) {
  EmulatorOptions options;
  options.tls = true;
  EmulatorProcess emu(options);
  ASSERT_EQ(emu.api_url().rfind("https://127.0.0.1:", 0), 0u);
  ASSERT_FALSE(emu.ca_file().empty());
  EXPECT_EQ(emu.Get(emu.api_url() + "/me", emu.access_token()).status, 200);

  // The system CAs do not know the emulator's certificate.
  Poco::URI uri(emu.api_url() + "/me");
  Poco::Net::Context::Ptr system(new Poco::Net::Context(
      Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_STRICT, 9, true));
  Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(), system);
  Poco::Net::HTTPRequest request("GET", uri.getPathAndQuery(), "HTTP/1.1");
  EXPECT_THROW(session.sendRequest(request), Poco::Net::SSLException);
}

TEST(EmulatorProcess, ExtendedModeServesAudioFeatures) {
  EmulatorProcess dev;
  EmulatorOptions extended;
  extended.mode = "extended";
  EmulatorProcess ext(extended);
  nlohmann::json library = ext.Admin("library");
  std::string id = library["tracks"][0]["id"];
  EXPECT_EQ(dev.Get(dev.api_url() + "/audio-features?ids=" + id, dev.access_token()).status, 403);
  EmulatorResponse features =
      ext.Get(ext.api_url() + "/audio-features?ids=" + id, ext.access_token());
  ASSERT_EQ(features.status, 200);
  EXPECT_EQ(features.Json()["audio_features"][0]["id"], id);
}

}  // namespace
}  // namespace spotify_extract::testing
