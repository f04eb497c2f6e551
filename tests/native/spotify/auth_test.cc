#include "spotify/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "../http/fake_clock.h"
#include "http/redact.h"
#include "spotify/errors.h"
#include "spotify/pkce.h"
#include "spotify/token_store.h"

namespace spotify_extract {
namespace {

using testing::FakeClock;

class TokenEndpoint : public Transport {
 public:
  HttpResponse RoundTrip(const HttpRequest& request) override {
    std::lock_guard lock(mutex);
    bodies.push_back(request.body);
    headers.push_back(request.headers);
    HttpResponse response;
    if (answers.empty()) throw std::logic_error("no answer scripted");
    response.status = answers.front().first;
    response.body = answers.front().second;
    answers.pop_front();
    return response;
  }
  std::mutex mutex;
  std::deque<std::pair<int, std::string>> answers;
  std::vector<std::string> bodies;
  std::vector<std::vector<std::pair<std::string, std::string>>> headers;
};

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("auth_test_" + Base64Url(SecureRandomBytes(6)));
    std::filesystem::create_directories(dir);
    HttpClientOptions options;
    options.pacer.requests_per_second = 0;
    options.pacer.window_requests = 0;
    http = std::make_shared<HttpClient>(options, endpoint, clock);
    config.client_id = "cid";
    config.auth_url = "http://accounts.test/";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  FakeClock clock;
  std::shared_ptr<TokenEndpoint> endpoint = std::make_shared<TokenEndpoint>();
  std::shared_ptr<HttpClient> http;
  OAuthConfig config;
  std::filesystem::path dir;
};

TEST(PkceTest, MatchesRfc7636AppendixB) {
  EXPECT_EQ(CodeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(PkceTest, VerifierAndStateAreRandomAndUrlSafe) {
  std::string a = MakeCodeVerifier(), b = MakeCodeVerifier();
  EXPECT_NE(a, b);
  EXPECT_GE(a.size(), 43u);
  EXPECT_LE(a.size(), 128u);
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  EXPECT_NE(MakeState(), MakeState());
  EXPECT_EQ(Base64Url("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64Url(""), "");
}

TEST(AuthorizeUrlTest, CarriesPkceStateScopesAndTheLoopbackRedirect) {
  OAuthConfig config;
  config.client_id = "abc";
  config.auth_url = "https://accounts.spotify.com/";
  std::string url = BuildAuthorizeUrl(config, LoopbackRedirectUri(8888), "st", "ch");
  EXPECT_EQ(url.rfind("https://accounts.spotify.com/authorize?", 0), 0u) << url;
  EXPECT_NE(url.find("client_id=abc"), std::string::npos);
  EXPECT_NE(url.find("response_type=code"), std::string::npos);
  EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos);
  EXPECT_NE(url.find("code_challenge=ch"), std::string::npos);
  EXPECT_NE(url.find("state=st"), std::string::npos);
  EXPECT_NE(url.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback"), std::string::npos)
      << url;
  EXPECT_NE(url.find("scope=playlist-read-private%20playlist-read-collaborative%20user-library-"
                     "read%20user-follow-read%20user-read-private"),
            std::string::npos)
      << url;
}

TEST_F(AuthTest, TokenFileIsCreated0600AndRoundTrips) {
  ::umask(0);  // even with a permissive umask
  TokenStore store = TokenStore::InStateDir(dir);
  EXPECT_FALSE(store.Load().has_value());
  Token token{"acc-123456", "ref-123456", "Bearer", "s", 42, "cid"};
  store.Save(token);
  struct stat info {};
  ASSERT_EQ(::stat(store.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  token.refresh_token = "ref-654321";
  store.Save(token);
  ASSERT_EQ(::stat(store.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  auto loaded = store.Load();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->refresh_token, "ref-654321");
  EXPECT_EQ(loaded->expires_at, 42);
  // No temp files left behind.
  int files = 0;
  for (auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
  EXPECT_TRUE(store.Remove());
  EXPECT_FALSE(store.Remove());
  ::umask(022);
}

TEST_F(AuthTest, GarbledTokenFileAsksForLogin) {
  std::ofstream(dir / kTokenFileName) << "{not json";
  try {
    TokenStore::InStateDir(dir).Load();
    FAIL();
  } catch (const LoginRequiredError& error) {
    EXPECT_NE(std::string(error.what()).find("--login"), std::string::npos);
  }
}

TEST_F(AuthTest, RefreshesWhenExpiringWithinFiveMinutesAndSavesTheRotatedToken) {
  TokenStore store = TokenStore::InStateDir(dir);
  store.Save({"old-access-1", "old-refresh-1", "Bearer", "s", clock.UnixNow() + 299, "cid"});
  endpoint->answers.push_back(
      {200, R"({"access_token":"new-access-1","token_type":"Bearer","expires_in":3600,)"
            R"("refresh_token":"new-refresh-1","scope":"s"})"});
  Authenticator auth(config, http, store);
  EXPECT_EQ(auth.AccessToken(nullptr), "new-access-1");
  EXPECT_NE(endpoint->bodies.at(0).find("grant_type=refresh_token"), std::string::npos);
  EXPECT_NE(endpoint->bodies.at(0).find("refresh_token=old-refresh-1"), std::string::npos);
  EXPECT_NE(endpoint->bodies.at(0).find("client_id=cid"), std::string::npos);
  EXPECT_EQ(store.Load()->refresh_token, "new-refresh-1");
  EXPECT_EQ(store.Load()->expires_at, clock.UnixNow() + 3600);
  // Valid for an hour: no more refreshes.
  EXPECT_EQ(auth.AccessToken(nullptr), "new-access-1");
  EXPECT_EQ(endpoint->bodies.size(), 1u);
}

TEST_F(AuthTest, KeepsTheOldRefreshTokenWhenNoneIsReturnedAndRefreshesOnceOn401) {
  TokenStore store = TokenStore::InStateDir(dir);
  store.Save({"access-aaaa", "refresh-keep", "Bearer", "s", clock.UnixNow() + 3000, "cid"});
  endpoint->answers.push_back({200, R"({"access_token":"access-bbbb","expires_in":3600})"});
  Authenticator auth(config, http, store);
  EXPECT_EQ(auth.AccessToken(nullptr), "access-aaaa");
  auth.OnUnauthorized("access-aaaa", nullptr);
  auth.OnUnauthorized("access-aaaa", nullptr);  // a second thread's stale 401: no refresh
  EXPECT_EQ(endpoint->bodies.size(), 1u);
  EXPECT_EQ(auth.AccessToken(nullptr), "access-bbbb");
  EXPECT_EQ(store.Load()->refresh_token, "refresh-keep");
}

TEST_F(AuthTest, InvalidGrantAsksForLoginInOneLineWithoutTokens) {
  TokenStore store = TokenStore::InStateDir(dir);
  store.Save({"access-cccc", "refresh-dead-token", "Bearer", "s", 0, "cid"});
  endpoint->answers.push_back(
      {400, R"({"error":"invalid_grant","error_description":"Refresh token revoked"})"});
  Authenticator auth(config, http, store);
  try {
    auth.AccessToken(nullptr);
    FAIL();
  } catch (const LoginRequiredError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("invalid_grant"), std::string::npos) << message;
    EXPECT_NE(message.find("beet spotify-extract --login"), std::string::npos) << message;
    EXPECT_EQ(message.find("refresh-dead-token"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST_F(AuthTest, NoTokenFileAsksForLogin) {
  Authenticator auth(config, http, TokenStore::InStateDir(dir));
  EXPECT_THROW(auth.AccessToken(nullptr), LoginRequiredError);
}

TEST_F(AuthTest, ClientSecretUsesBasicAuth) {
  config.client_secret = "shh-secret";
  endpoint->answers.push_back(
      {200, R"({"access_token":"xyz-access","refresh_token":"r-1234567"})"});
  Token token = ExchangeCode(*http, config, "the-code-1", "verifier-abcdef",
                             "http://127.0.0.1:1/callback", nullptr);
  EXPECT_EQ(token.access_token, "xyz-access");
  bool basic = false;
  for (auto& [name, value] : endpoint->headers.at(0)) {
    if (name == "Authorization") basic = value.rfind("Basic ", 0) == 0;
  }
  EXPECT_TRUE(basic);
  EXPECT_NE(endpoint->bodies.at(0).find("code_verifier=verifier-abcdef"), std::string::npos);
  EXPECT_NE(endpoint->bodies.at(0).find("grant_type=authorization_code"), std::string::npos);
  EXPECT_EQ(Redact("x shh-secret y the-code-1 xyz-access").find("shh-secret"), std::string::npos);
}

}  // namespace
}  // namespace spotify_extract
