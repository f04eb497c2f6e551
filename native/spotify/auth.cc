#include "spotify/auth.h"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>

#include <sstream>

#include "http/redact.h"
#include "spotify/errors.h"
#include "spotify/parse.h"

namespace spotify_extract {

namespace {

std::string Encode(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]% \"<>\\^`{|}", out);
  return out;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& form) {
  std::string out;
  for (const auto& [key, value] : form) {
    if (!out.empty()) out += '&';
    out += Encode(key) + "=" + Encode(value);
  }
  return out;
}

std::string Base64(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << text;
  encoder.close();
  return out.str();
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string LoopbackRedirectUri(int port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/callback";
}

std::string BuildAuthorizeUrl(const OAuthConfig& config, const std::string& redirect_uri,
                              const std::string& state, const std::string& code_challenge) {
  return TrimSlash(config.auth_url) + "/authorize?" +
         FormEncode({{"client_id", config.client_id},
                     {"response_type", "code"},
                     {"redirect_uri", redirect_uri},
                     {"code_challenge_method", "S256"},
                     {"code_challenge", code_challenge},
                     {"state", state},
                     {"scope", config.scopes}});
}

Token RequestToken(HttpClient& http, const OAuthConfig& config,
                   const std::vector<std::pair<std::string, std::string>>& form,
                   const std::optional<Token>& previous, CancelToken* cancel) {
  HttpRequest request;
  request.method = "POST";
  request.url = TrimSlash(config.auth_url) + "/api/token";
  request.content_type = "application/x-www-form-urlencoded";
  auto fields = form;
  fields.emplace_back("client_id", config.client_id);
  request.body = FormEncode(fields);
  if (!config.client_secret.empty()) {
    RegisterSecret(config.client_secret);
    std::string basic = Base64(config.client_id + ":" + config.client_secret);
    RegisterSecret(basic);
    request.headers.emplace_back("Authorization", "Basic " + basic);
  }
  HttpResponse response = http.Execute(request, cancel);
  const auto& json = response.json;
  if (response.status != 200) {
    std::string error = json.is_object() && json.contains("error") && json["error"].is_string()
                            ? json["error"].get<std::string>()
                            : "";
    std::string description = ErrorMessage(json);
    std::string detail = error.empty() ? std::to_string(response.status) : error;
    if (!description.empty() && description != error) detail += ": " + description;
    if (error == "invalid_grant" || error == "invalid_client" || response.status == 401) {
      throw LoginRequiredError("Spotify no longer accepts the saved login (" + detail +
                               "); run `beet spotify-extract --login`");
    }
    throw LoginError("the Spotify token endpoint refused the request (" + detail + ")");
  }
  Token token;
  auto text = [&](const char* key) {
    return json.is_object() && json.contains(key) && json[key].is_string()
               ? json[key].get<std::string>()
               : std::string();
  };
  token.access_token = text("access_token");
  if (token.access_token.empty()) {
    throw LoginError("the Spotify token endpoint answered without an access token");
  }
  RegisterSecret(token.access_token);
  token.refresh_token = text("refresh_token");
  RegisterSecret(token.refresh_token);
  if (token.refresh_token.empty() && previous) token.refresh_token = previous->refresh_token;
  token.token_type = text("token_type");
  if (token.token_type.empty()) token.token_type = "Bearer";
  token.scope = text("scope");
  if (token.scope.empty() && previous) token.scope = previous->scope;
  int64_t expires_in = 3600;
  if (json.contains("expires_in") && json["expires_in"].is_number()) {
    expires_in = json["expires_in"].get<int64_t>();
  }
  token.expires_at = http.clock().UnixNow() + expires_in;
  token.client_id = config.client_id;
  return token;
}

Token ExchangeCode(HttpClient& http, const OAuthConfig& config, const std::string& code,
                   const std::string& code_verifier, const std::string& redirect_uri,
                   CancelToken* cancel) {
  RegisterSecret(code);
  RegisterSecret(code_verifier);
  return RequestToken(http, config,
                      {{"grant_type", "authorization_code"},
                       {"code", code},
                       {"redirect_uri", redirect_uri},
                       {"code_verifier", code_verifier}},
                      std::nullopt, cancel);
}

Authenticator::Authenticator(OAuthConfig config, std::shared_ptr<HttpClient> http, TokenStore store)
    : config_(std::move(config)), http_(std::move(http)), store_(std::move(store)) {}

void Authenticator::LoadLocked() {
  if (token_) return;
  token_ = store_.Load();
  if (!token_) {
    throw LoginRequiredError("not logged in to Spotify (no " + store_.path().string() +
                             "); run `beet spotify-extract --login`");
  }
}

void Authenticator::RefreshLocked(CancelToken* cancel) {
  if (token_->refresh_token.empty()) {
    throw LoginRequiredError(
        "the Spotify login has expired and cannot be renewed; run `beet spotify-extract "
        "--login`");
  }
  Token fresh;
  try {
    fresh =
        RequestToken(*http_, config_,
                     {{"grant_type", "refresh_token"}, {"refresh_token", token_->refresh_token}},
                     token_, cancel);
  } catch (const LoginRequiredError&) {
    token_.reset();  // the next call reloads (a new login may have happened meanwhile)
    throw;
  }
  // The old refresh token is now spent: save the new one before anything else.
  store_.Save(fresh);
  token_ = fresh;
  ++refreshes_;
}

std::string Authenticator::AccessToken(CancelToken* cancel) {
  std::lock_guard lock(mutex_);
  LoadLocked();
  if (token_->access_token.empty() ||
      token_->expires_at - http_->clock().UnixNow() < kRefreshMarginSeconds) {
    RefreshLocked(cancel);
  }
  return token_->access_token;
}

void Authenticator::OnUnauthorized(const std::string& rejected, CancelToken* cancel) {
  std::lock_guard lock(mutex_);
  LoadLocked();
  if (token_->access_token != rejected) return;  // someone refreshed already
  RefreshLocked(cancel);
}

int Authenticator::refreshes() const {
  std::lock_guard lock(mutex_);
  return refreshes_;
}

std::string Authenticator::GrantedScopes() {
  std::lock_guard lock(mutex_);
  LoadLocked();
  return token_->scope;
}

}  // namespace spotify_extract
