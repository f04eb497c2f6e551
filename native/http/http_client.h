#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "http/cancel.h"
#include "http/clock.h"
#include "http/pacer.h"
#include "http/retry.h"
#include "http/transport.h"

namespace spotify_extract {

enum class LogLevel { kDebug, kInfo, kWarning };
// Log lines never contain tokens (headers and bodies are never logged).
using LogFn = std::function<void(LogLevel, const std::string&)>;

struct HttpClientOptions {
  TransportOptions transport;
  PacerOptions pacer;
  RetryOptions retry;
  int max_in_flight = 8;
};

struct HttpStats {
  int64_t requests = 0;       // round trips attempted (each retry counts)
  int64_t rate_limited = 0;   // 429 answers
  int64_t retries = 0;        // re-sent requests (429 and faults)
  int64_t faults = 0;         // 5xx, resets, timeouts, truncated bodies
  double waited_seconds = 0;  // time spent waiting for Retry-After and backoff
};

// Sends requests through the shared pacer and in-flight bound, retries what is worth
// retrying, and returns every other answer (2xx-4xx except 429) to the caller.
class HttpClient {
 public:
  HttpClient(HttpClientOptions options, std::shared_ptr<Transport> transport,
             Clock& clock = SystemClock(), LogFn log = {});
  // The default transport (Poco, pooled sessions).
  explicit HttpClient(HttpClientOptions options, LogFn log = {});

  // Throws RateLimitError, TransportError (attempts used up), TlsError, CancelledError.
  HttpResponse Execute(const HttpRequest& request, CancelToken* cancel);

  HttpStats stats() const;
  const HttpClientOptions& options() const { return options_; }
  Clock& clock() { return clock_; }

 private:
  void Log(LogLevel level, const std::string& message) const;
  void Wait(Clock::TimePoint until, CancelToken* cancel);

  HttpClientOptions options_;
  std::shared_ptr<Transport> transport_;
  Clock& clock_;
  LogFn log_;
  Pacer pacer_;
  InFlightLimiter in_flight_;
  std::atomic<int64_t> requests_{0}, rate_limited_{0}, retries_{0}, faults_{0};
  std::atomic<int64_t> waited_ms_{0};
};

// The host/path part of a URL without its query (for log lines and error messages).
std::string UrlForMessages(const std::string& url);

}  // namespace spotify_extract
