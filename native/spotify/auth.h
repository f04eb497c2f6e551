#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "spotify/token_store.h"

namespace spotify_extract {

inline constexpr const char* kDefaultScopes =
    "playlist-read-private playlist-read-collaborative user-library-read user-follow-read "
    "user-read-private";

// Asked for only by `--login --write`: creating and changing the tool's own playlists.
inline constexpr const char* kWriteScopes = "playlist-modify-private playlist-modify-public";

struct OAuthConfig {
  std::string client_id;
  std::string client_secret;  // optional; with it the token endpoint gets Basic auth
  std::string auth_url = "https://accounts.spotify.com";
  int redirect_port = 8888;  // 0: any free port (tests)
  std::string scopes = kDefaultScopes;
};

// `{auth_url}/authorize?...` for Authorization Code with PKCE (S256).
std::string BuildAuthorizeUrl(const OAuthConfig& config, const std::string& redirect_uri,
                              const std::string& state, const std::string& code_challenge);
// `http://127.0.0.1:PORT/callback` (Spotify refuses `localhost`).
std::string LoopbackRedirectUri(int port);

// POSTs to `{auth_url}/api/token` (form-encoded; client_id always, Basic auth when a
// secret is configured). A refused grant (invalid_grant) is a LoginRequiredError.
Token RequestToken(HttpClient& http, const OAuthConfig& config,
                   const std::vector<std::pair<std::string, std::string>>& form,
                   const std::optional<Token>& previous, CancelToken* cancel);
Token ExchangeCode(HttpClient& http, const OAuthConfig& config, const std::string& code,
                   const std::string& code_verifier, const std::string& redirect_uri,
                   CancelToken* cancel);

// Hands out a valid access token: refreshes it when it expires within 5 minutes or when
// Spotify answered 401 to it, and saves every refreshed token at once (PKCE refresh
// tokens are single-use; the old one is kept when no new one is sent). Thread-safe: one
// refresh at a time, concurrent 401s for the same token refresh once.
class Authenticator {
 public:
  Authenticator(OAuthConfig config, std::shared_ptr<HttpClient> http, TokenStore store);

  // LoginRequiredError when there is no saved login or it was refused.
  std::string AccessToken(CancelToken* cancel);
  // The token `rejected` got a 401: refresh unless another thread already did.
  void OnUnauthorized(const std::string& rejected, CancelToken* cancel);
  int refreshes() const;
  // The scopes the saved login was granted (space-separated); LoginRequiredError when
  // there is no saved login.
  std::string GrantedScopes();

 private:
  void LoadLocked();
  void RefreshLocked(CancelToken* cancel);

  OAuthConfig config_;
  std::shared_ptr<HttpClient> http_;
  TokenStore store_;
  mutable std::mutex mutex_;
  std::optional<Token> token_;
  int refreshes_ = 0;
};

inline constexpr int64_t kRefreshMarginSeconds = 300;

}  // namespace spotify_extract
