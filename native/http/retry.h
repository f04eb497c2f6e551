#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace spotify_extract {

struct RetryOptions {
  int max_attempts = 6;  // for 5xx, resets, timeouts and truncated bodies (first try included)
  std::chrono::milliseconds base_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  // The longest Retry-After the client waits for; a longer one stops with a RateLimitError.
  std::chrono::seconds max_retry_after{120};
  int max_rate_limited = 20;  // 429s in a row for one request before giving up
};

// Exponential backoff with "equal jitter": the n-th retry (n >= 1) waits between half and
// all of min(max_backoff, base_backoff * 2^(n-1)); `random01` is uniform in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryOptions& options, int retry, double random01);

// A Retry-After header: delta-seconds, or an HTTP-date relative to `unix_now`. Negative or
// past values give 0; garbage gives nothing.
std::optional<int64_t> ParseRetryAfter(const std::string& value, int64_t unix_now);

}  // namespace spotify_extract
