#include "http/http_client.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "http/errors.h"
#include "http/redact.h"

namespace spotify_extract {

namespace {

std::string UtcTime(int64_t unix_seconds) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(unix_seconds),
                                         "%Y-%m-%d %H:%M:%S UTC");
}

std::string ErrorReason(const HttpResponse& response) {
  const auto& json = response.json;
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& error = json["error"];
    if (error.contains("reason") && error["reason"].is_string()) {
      return error["reason"].get<std::string>();
    }
  }
  return "";
}

}  // namespace

std::string UrlForMessages(const std::string& url) { return url.substr(0, url.find('?')); }

HttpClient::HttpClient(HttpClientOptions options, std::shared_ptr<Transport> transport,
                       Clock& clock, LogFn log)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      clock_(clock),
      log_(std::move(log)),
      pacer_(options_.pacer, clock_),
      in_flight_(options_.max_in_flight) {}

HttpClient::HttpClient(HttpClientOptions options, LogFn log)
    : HttpClient(options, std::make_shared<PocoTransport>(options.transport), SystemClock(),
                 std::move(log)) {}

HttpStats HttpClient::stats() const {
  HttpStats stats;
  stats.requests = requests_.load();
  stats.rate_limited = rate_limited_.load();
  stats.retries = retries_.load();
  stats.faults = faults_.load();
  stats.waited_seconds = static_cast<double>(waited_ms_.load()) / 1000.0;
  return stats;
}

void HttpClient::Log(LogLevel level, const std::string& message) const {
  if (log_) log_(level, Redact(message));
}

void HttpClient::Wait(Clock::TimePoint until, CancelToken* cancel) {
  auto start = clock_.Now();
  bool completed = clock_.SleepUntil(until, cancel);
  waited_ms_ += std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - start).count();
  if (!completed) throw CancelledError();
}

HttpResponse HttpClient::Execute(const HttpRequest& request, CancelToken* cancel) {
  const RetryOptions& retry = options_.retry;
  const std::string where = request.method + " " + UrlForMessages(request.url);
  int fault_attempts = 0;
  int rate_limited = 0;
  int sent = 0;
  for (;;) {
    if (cancel != nullptr && cancel->IsCancelled()) throw CancelledError();
    if (!pacer_.Acquire(cancel)) throw CancelledError();
    if (!in_flight_.Acquire(cancel)) throw CancelledError();
    HttpResponse response;
    std::string fault;
    ++requests_;
    ++sent;
    try {
      response = transport_->RoundTrip(request);
      in_flight_.Release();
    } catch (const TransportError& error) {
      in_flight_.Release();
      fault = error.what();
    } catch (...) {
      in_flight_.Release();
      throw;
    }
    if (fault.empty()) {
      response.attempts = sent;
      if (response.status == 429) {
        ++rate_limited_;
        ++rate_limited;
        bool quota = ErrorReason(response) == "QUOTA_EXCEEDED" ||
                     response.body.find("QUOTA_EXCEEDED") != std::string::npos;
        auto retry_after = ParseRetryAfter(response.Header("Retry-After"), clock_.UnixNow());
        std::string what = quota ? "Spotify's quota for this app's developer account is used up "
                                   "(429 QUOTA_EXCEEDED)"
                                 : "Spotify is rate limiting this app (429)";
        if (retry_after && *retry_after > retry.max_retry_after.count()) {
          int64_t at = clock_.UnixNow() + *retry_after;
          throw RateLimitError(what + " and asks to wait " + std::to_string(*retry_after) +
                                   " s, longer than the " +
                                   std::to_string(retry.max_retry_after.count()) +
                                   " s the client waits; stopped with progress kept, run again "
                                   "after " +
                                   UtcTime(at),
                               *retry_after, at, quota);
        }
        if (quota && !retry_after) {
          throw RateLimitError(what +
                                   " without a Retry-After; stopped with progress kept, run "
                                   "again later (the quota is counted per developer account)",
                               0, 0, true);
        }
        if (rate_limited >= retry.max_rate_limited) {
          throw RateLimitError(what + " " + std::to_string(rate_limited) + " times in a row for " +
                                   where + "; stopped with progress kept, run again later",
                               retry_after.value_or(0), clock_.UnixNow() + retry_after.value_or(0),
                               quota);
        }
        std::chrono::milliseconds delay = retry_after
                                              ? std::chrono::milliseconds(*retry_after * 1000)
                                              : BackoffDelay(retry, rate_limited, clock_.Random());
        Log(LogLevel::kInfo, what + "; waiting " + std::to_string(delay.count() / 1000.0) +
                                 " s as asked before " + where);
        // Retry-After applies to the whole app: every thread pauses.
        auto until = clock_.Now() + delay;
        pacer_.PauseUntil(until);
        ++retries_;
        Wait(until, cancel);
        continue;
      }
      if (response.status >= 500 && response.status <= 599) {
        fault = where + ": server error " + std::to_string(response.status);
      } else if (request.expect_json) {
        if (response.status >= 200 && response.status < 300) {
          if (response.body.empty()) {
            response.json = nullptr;
          } else {
            response.json = ParseJsonSafely(response.body);
            if (response.json.is_discarded()) {
              fault = where + ": the response is not complete JSON (truncated?)";
            }
          }
        } else {
          response.json = ParseJsonSafely(response.body);
          if (response.json.is_discarded()) response.json = nullptr;
        }
      }
      if (fault.empty()) return response;
    }
    ++faults_;
    ++fault_attempts;
    if (!request.idempotent) {
      throw TransportError(fault + " (a write: not sent again before checking what it did)");
    }
    if (fault_attempts >= retry.max_attempts) {
      throw TransportError(fault + " (gave up after " + std::to_string(fault_attempts) +
                           " attempts)");
    }
    auto delay = BackoffDelay(retry, fault_attempts, clock_.Random());
    Log(LogLevel::kInfo, fault + "; retrying in " + std::to_string(delay.count()) + " ms");
    ++retries_;
    Wait(clock_.Now() + delay, cancel);
  }
}

}  // namespace spotify_extract
