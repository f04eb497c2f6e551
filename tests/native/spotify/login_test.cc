#include "spotify/login.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <thread>

#include "spotify/errors.h"
#include "spotify/pkce.h"

namespace spotify_extract {
namespace {

class TokenEndpoint : public Transport {
 public:
  HttpResponse RoundTrip(const HttpRequest& request) override {
    body = request.body;
    HttpResponse response;
    response.status = 200;
    response.body =
        R"({"access_token":"acc-login-1","refresh_token":"ref-login-1","expires_in":3600})";
    return response;
  }
  std::string body;
};

std::pair<int, std::string> Browse(int port, const std::string& target) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<uint16_t>(port));
  Poco::Net::HTTPRequest request("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  return {static_cast<int>(response.getStatus()), body};
}

std::string QueryValue(const std::string& url, const std::string& key) {
  for (const auto& [name, value] : Poco::URI(url).getQueryParameters()) {
    if (name == key) return value;
  }
  return "";
}

class LoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir =
        std::filesystem::temp_directory_path() / ("login_test_" + Base64Url(SecureRandomBytes(6)));
    HttpClientOptions options;
    options.pacer.window_requests = 0;
    http = std::make_shared<HttpClient>(options, endpoint);
    config.client_id = "cid";
    config.auth_url = "http://accounts.test";
    config.redirect_port = 0;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  std::shared_ptr<TokenEndpoint> endpoint = std::make_shared<TokenEndpoint>();
  std::shared_ptr<HttpClient> http;
  OAuthConfig config;
};

TEST_F(LoginTest, AcceptsOnlyTheRightStateThenExchangesAndSaves) {
  LoginFlow flow(config, http, TokenStore::InStateDir(dir));
  std::string url = flow.Start();
  ASSERT_GT(flow.port(), 0);
  std::string state = QueryValue(url, "state");
  EXPECT_EQ(QueryValue(url, "redirect_uri"), flow.redirect_uri());
  EXPECT_EQ(Browse(flow.port(), "/favicon.ico").first, 404);
  auto wrong = Browse(flow.port(), "/callback?code=evil-code&state=forged");
  EXPECT_EQ(wrong.first, 400);
  auto right = Browse(flow.port(), "/callback?code=good-code-1&state=" + state);
  EXPECT_EQ(right.first, 200);
  EXPECT_NE(right.second.find("Connected to Spotify"), std::string::npos);
  Token token = flow.Wait(std::chrono::seconds(5), nullptr);
  EXPECT_EQ(token.access_token, "acc-login-1");
  EXPECT_NE(endpoint->body.find("code=good-code-1"), std::string::npos);
  EXPECT_NE(endpoint->body.find("code_verifier="), std::string::npos);
  EXPECT_EQ(TokenStore::InStateDir(dir).Load()->refresh_token, "ref-login-1");
  // One answer only: the server is gone.
  EXPECT_ANY_THROW(Browse(flow.port(), "/callback?code=x&state=" + state));
}

TEST_F(LoginTest, DeniedLoginIsAClearError) {
  LoginFlow flow(config, http, TokenStore::InStateDir(dir));
  std::string state = QueryValue(flow.Start(), "state");
  Browse(flow.port(), "/callback?error=access_denied&state=" + state);
  try {
    flow.Wait(std::chrono::seconds(5), nullptr);
    FAIL();
  } catch (const LoginError& error) {
    EXPECT_NE(std::string(error.what()).find("access_denied"), std::string::npos);
  }
  EXPECT_FALSE(TokenStore::InStateDir(dir).Load());
}

TEST_F(LoginTest, TimesOutAndCancels) {
  LoginFlow flow(config, http, TokenStore::InStateDir(dir));
  flow.Start();
  EXPECT_THROW(flow.Wait(std::chrono::milliseconds(200), nullptr), LoginError);
  LoginFlow other(config, http, TokenStore::InStateDir(dir));
  other.Start();
  CancelToken cancel;
  cancel.Cancel();
  EXPECT_THROW(other.Wait(std::chrono::seconds(60), &cancel), CancelledError);
}

TEST_F(LoginTest, BusyPortIsAClearError) {
  LoginFlow first(config, http, TokenStore::InStateDir(dir));
  first.Start();
  config.redirect_port = first.port();
  LoginFlow second(config, http, TokenStore::InStateDir(dir));
  try {
    second.Start();
    FAIL();
  } catch (const LoginError& error) {
    EXPECT_NE(std::string(error.what()).find("redirect_port"), std::string::npos);
  }
}

}  // namespace
}  // namespace spotify_extract
