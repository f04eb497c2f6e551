#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "http/http_client.h"
#include "spotify/auth.h"
#include "spotify/token_store.h"

namespace Poco::Net {
class HTTPServer;
}

namespace spotify_extract {

struct CallbackState;

// `--login`: Authorization Code with PKCE and a one-shot loopback callback server.
//   LoginFlow flow(config, http, store);
//   std::string url = flow.Start();   // open it in a browser (and print it)
//   Token token = flow.Wait(300s, &cancel);  // code exchanged, token saved (0600)
// The server listens on 127.0.0.1 only, accepts only `/callback` with the right `state`,
// shows a friendly page, and closes after the first valid answer.
class LoginFlow {
 public:
  LoginFlow(OAuthConfig config, std::shared_ptr<HttpClient> http, TokenStore store);
  ~LoginFlow();
  LoginFlow(const LoginFlow&) = delete;
  LoginFlow& operator=(const LoginFlow&) = delete;

  // Binds the callback server and returns the authorize URL. LoginError if the port is busy.
  std::string Start();
  int port() const { return port_; }
  std::string redirect_uri() const { return LoopbackRedirectUri(port_); }
  // Waits for the browser, exchanges the code and saves the token. LoginError on a denied
  // login or a timeout.
  Token Wait(std::chrono::milliseconds timeout, CancelToken* cancel);

 private:
  void Stop();

  OAuthConfig config_;
  std::shared_ptr<HttpClient> http_;
  TokenStore store_;
  std::string verifier_;
  std::shared_ptr<CallbackState> state_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

}  // namespace spotify_extract
