#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace spotify_extract {

// Every message is one line, already redacted (no token can reach it).
class HttpError : public std::runtime_error {
 public:
  explicit HttpError(const std::string& message);
};

// Certificate or TLS set-up failures: never retried, never bypassed.
class TlsError : public HttpError {
 public:
  using HttpError::HttpError;
};

// Connection refused/reset, timeouts, truncated or unparsable bodies, 5xx: retried with
// backoff; thrown once the attempts are used up.
class TransportError : public HttpError {
 public:
  using HttpError::HttpError;
};

// A 429 whose Retry-After is longer than the configured cap (or a quota that is spent).
class RateLimitError : public HttpError {
 public:
  RateLimitError(const std::string& message, int64_t retry_after_seconds, int64_t retry_at_unix,
                 bool quota_exceeded);
  int64_t retry_after_seconds() const { return retry_after_seconds_; }
  int64_t retry_at_unix() const { return retry_at_unix_; }
  bool quota_exceeded() const { return quota_exceeded_; }

 private:
  int64_t retry_after_seconds_;
  int64_t retry_at_unix_;
  bool quota_exceeded_;
};

class CancelledError : public HttpError {
 public:
  CancelledError() : HttpError("cancelled") {}
};

}  // namespace spotify_extract
