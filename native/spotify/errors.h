#pragma once

#include "http/errors.h"

namespace spotify_extract {

// An answer from Spotify the engine cannot use (an unexpected status or shape).
class SpotifyApiError : public HttpError {
 public:
  SpotifyApiError(const std::string& message, int status) : HttpError(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// No usable login: never logged in, logged out, or the refresh token was refused
// (invalid_grant). The message asks for `beet spotify-extract --login`.
class LoginRequiredError : public HttpError {
 public:
  using HttpError::HttpError;
};

// The saved login may read but not change playlists (no playlist-modify-* scope). The
// message asks for `beet spotify-extract --login --write`.
class WriteScopeRequiredError : public LoginRequiredError {
 public:
  using LoginRequiredError::LoginRequiredError;
};

// The login flow itself failed (denied in the browser, timed out, port busy, bad answer).
class LoginError : public HttpError {
 public:
  using HttpError::HttpError;
};

}  // namespace spotify_extract
