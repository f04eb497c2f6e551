#include "http/http_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <thread>

#include "fake_clock.h"
#include "http/errors.h"
#include "http/redact.h"
#include "http/retry.h"

namespace spotify_extract {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

// A transport that answers from a script and counts what it was asked.
class ScriptedTransport : public Transport {
 public:
  struct Step {
    Step(int status, std::string body,
         std::vector<std::pair<std::string, std::string>> headers = {})
        : status(status), body(std::move(body)), headers(std::move(headers)) {}
    static Step Reset() {
      Step step(0, "");
      step.reset = true;
      return step;
    }
    int status = 200;
    std::string body = "{}";
    std::vector<std::pair<std::string, std::string>> headers;
    bool reset = false;
  };
  HttpResponse RoundTrip(const HttpRequest& request) override {
    std::lock_guard lock(mutex_);
    urls.push_back(request.url);
    if (steps.empty()) throw std::logic_error("script exhausted");
    Step step = steps.front();
    steps.pop_front();
    if (step.reset) throw TransportError("GET x: Connection reset by peer");
    HttpResponse response;
    response.status = step.status;
    response.body = step.body;
    response.headers = step.headers;
    return response;
  }
  std::mutex mutex_;
  std::deque<Step> steps;
  std::vector<std::string> urls;
};

HttpRequest Get(const std::string& url) {
  HttpRequest request;
  request.url = url;
  return request;
}

HttpClientOptions Options() {
  HttpClientOptions options;
  options.pacer.requests_per_second = 0;  // no pacing unless a test wants it
  options.pacer.window_requests = 0;
  return options;
}

TEST(BackoffTest, GrowsExponentiallyWithEqualJitterAndIsCapped) {
  RetryOptions options;
  options.base_backoff = 500ms;
  options.max_backoff = 8000ms;
  EXPECT_EQ(BackoffDelay(options, 1, 0.0), 250ms);
  EXPECT_EQ(BackoffDelay(options, 1, 0.999999), 499ms);
  EXPECT_EQ(BackoffDelay(options, 2, 0.0), 500ms);
  EXPECT_EQ(BackoffDelay(options, 3, 0.5), 1500ms);
  EXPECT_EQ(BackoffDelay(options, 5, 1.0), 8000ms);
  EXPECT_EQ(BackoffDelay(options, 30, 0.0), 4000ms);  // capped ceiling, still jittered
  EXPECT_LE(BackoffDelay(options, 40, 1.0), options.max_backoff);
}

TEST(RetryAfterTest, ParsesSecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfter("3", 0), 3);
  EXPECT_EQ(ParseRetryAfter(" 19056 ", 0), 19056);
  EXPECT_EQ(ParseRetryAfter("0", 0), 0);
  EXPECT_EQ(ParseRetryAfter("-5", 0), 0);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", 0), 999999999999);
  EXPECT_FALSE(ParseRetryAfter("", 0).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", 0).has_value());
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 42), 42);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 42), 0);
}

PacerOptions Bucket(double rate, double burst) {
  PacerOptions options;
  options.requests_per_second = rate;
  options.burst = burst;
  options.window_requests = 0;
  return options;
}

TEST(PacerTest, AllowsTheBurstThenTheSustainedRate) {
  FakeClock clock;
  Pacer pacer(Bucket(10, 3), clock);
  auto start = clock.Now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pacer.Acquire(nullptr));
  EXPECT_EQ(clock.Now(), start);  // the burst goes out at once
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pacer.Acquire(nullptr));
  // 10 more at 10/s: the last leaves 1 s after the first of them could.
  EXPECT_EQ(clock.Now() - start, 1000ms);
}

TEST(PacerTest, RefillsWhileIdleButNeverBeyondTheBurst) {
  FakeClock clock;
  Pacer pacer(Bucket(10, 2), clock);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(pacer.Acquire(nullptr));
  clock.Advance(10s);
  auto start = clock.Now();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(pacer.Acquire(nullptr));
  EXPECT_EQ(clock.Now(), start);
  ASSERT_TRUE(pacer.Acquire(nullptr));
  EXPECT_EQ(clock.Now() - start, 100ms);
}

TEST(PacerTest, PauseHoldsEveryoneAndRestartsWithoutBurst) {
  FakeClock clock;
  Pacer pacer(Bucket(10, 5), clock);
  auto start = clock.Now();
  pacer.PauseUntil(start + 3s);
  ASSERT_TRUE(pacer.Acquire(nullptr));
  EXPECT_EQ(clock.Now() - start, 3s);
  ASSERT_TRUE(pacer.Acquire(nullptr));
  EXPECT_EQ(clock.Now() - start, 3100ms);
}

TEST(PacerTest, RollingWindowNeverExceedsItsLimit) {
  FakeClock clock;
  PacerOptions options;
  options.requests_per_second = 0;  // only the window
  options.window_requests = 170;
  options.window = 30s;
  Pacer pacer(options, clock);
  std::vector<Clock::TimePoint> sends;
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(pacer.Acquire(nullptr));
    sends.push_back(clock.Now());
  }
  // The first 170 go at once, then each waits for the one 170 earlier to leave the window.
  EXPECT_EQ(sends[169], sends[0]);
  EXPECT_EQ(sends[170] - sends[0], 30s);
  EXPECT_EQ(sends[599] - sends[0], 90s);
  for (size_t i = 170; i < sends.size(); ++i) EXPECT_GE(sends[i] - sends[i - 170], 30s);
}

TEST(PacerTest, CancelStopsTheWait) {
  FakeClock clock;
  Pacer pacer(Bucket(1, 1), clock);
  CancelToken cancel;
  ASSERT_TRUE(pacer.Acquire(&cancel));
  cancel.Cancel();
  EXPECT_FALSE(pacer.Acquire(&cancel));
}

TEST(CancelTokenTest, WakesARealWaitAtOnceAndPropagatesToChildren) {
  CancelToken parent;
  CancelToken child(&parent);
  std::thread canceller([&] {
    std::this_thread::sleep_for(20ms);
    parent.Cancel();
  });
  // Would block for an hour if the cancel did not wake it.
  EXPECT_FALSE(child.WaitUntil(std::chrono::steady_clock::now() + 1h));
  canceller.join();
  EXPECT_TRUE(child.IsCancelled());
  CancelToken late(&parent);
  EXPECT_TRUE(late.IsCancelled());
}

TEST(InFlightLimiterTest, BoundsConcurrency) {
  InFlightLimiter limiter(2);
  std::atomic<int> now{0}, peak{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        ASSERT_TRUE(limiter.Acquire(nullptr));
        int value = ++now;
        int seen = peak.load();
        while (value > seen && !peak.compare_exchange_weak(seen, value)) {
        }
        std::this_thread::yield();
        --now;
        limiter.Release();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(peak.load(), 2);
  EXPECT_EQ(limiter.in_flight(), 0);
}

TEST(HttpClientTest, WaitsExactlyRetryAfterOn429) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  transport->steps = {{429, R"({"error":{"status":429}})", {{"retry-after", "7"}}},
                      {200, R"({"ok":true})"}};
  HttpClient client(Options(), transport, clock);
  auto start = clock.Now();
  HttpResponse response = client.Execute(Get("http://x/v1/me"), nullptr);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.json["ok"], true);
  EXPECT_EQ(response.attempts, 2);
  EXPECT_EQ(clock.Now() - start, 7s);
  EXPECT_EQ(client.stats().rate_limited, 1);
  EXPECT_EQ(client.stats().requests, 2);
}

TEST(HttpClientTest, StopsWhenRetryAfterExceedsTheCapAndSaysWhenToRetry) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  transport->steps = {{429, "{}", {{"retry-after", "19056"}}}};
  HttpClientOptions options = Options();
  options.retry.max_retry_after = 60s;
  HttpClient client(options, transport, clock);
  try {
    client.Execute(Get("http://x/v1/me"), nullptr);
    FAIL() << "expected RateLimitError";
  } catch (const RateLimitError& error) {
    EXPECT_EQ(error.retry_after_seconds(), 19056);
    EXPECT_EQ(error.retry_at_unix(), clock.UnixNow() + 19056);
    EXPECT_FALSE(error.quota_exceeded());
    std::string message = error.what();
    EXPECT_NE(message.find("19056 s"), std::string::npos) << message;
    EXPECT_NE(message.find("run again after"), std::string::npos) << message;
    EXPECT_NE(message.find("UTC"), std::string::npos) << message;
  }
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(HttpClientTest, ReportsQuotaExceeded) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  transport->steps = {
      {429,
       R"({"error":{"status":429,"message":"Too many requests","reason":"QUOTA_EXCEEDED"}})",
       {{"retry-after", "86400"}}}};
  HttpClient client(Options(), transport, clock);
  try {
    client.Execute(Get("http://x/v1/me"), nullptr);
    FAIL();
  } catch (const RateLimitError& error) {
    EXPECT_TRUE(error.quota_exceeded());
    EXPECT_NE(std::string(error.what()).find("QUOTA_EXCEEDED"), std::string::npos);
  }
}

TEST(HttpClientTest, RetriesServerErrorsResetsAndTruncatedJsonWithBackoff) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  transport->steps = {{503, "oops"},
                      ScriptedTransport::Step::Reset(),
                      {200, R"({"items":[1,2)"},  // truncated
                      {200, R"({"items":[1,2,3]})"}};
  HttpClientOptions options = Options();
  options.retry.base_backoff = 100ms;
  HttpClient client(options, transport, clock);
  HttpResponse response = client.Execute(Get("http://x/v1/me/tracks"), nullptr);
  EXPECT_EQ(response.json["items"].size(), 3u);
  ASSERT_EQ(clock.sleeps().size(), 3u);
  EXPECT_EQ(clock.sleeps()[0], 75ms);   // retry 1: 100 ms ceiling, half + 0.5*half
  EXPECT_EQ(clock.sleeps()[1], 150ms);  // retry 2: 200 ms ceiling
  EXPECT_EQ(clock.sleeps()[2], 300ms);
  EXPECT_EQ(client.stats().faults, 3);
}

TEST(HttpClientTest, GivesUpAfterBoundedAttempts) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  for (int i = 0; i < 10; ++i) transport->steps.push_back({502, "bad gateway"});
  HttpClientOptions options = Options();
  options.retry.max_attempts = 4;
  HttpClient client(options, transport, clock);
  EXPECT_THROW(client.Execute(Get("http://x/v1/me"), nullptr), TransportError);
  EXPECT_EQ(transport->urls.size(), 4u);
}

TEST(HttpClientTest, ReturnsClientErrorsWithoutRetrying) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  transport->steps = {{403, R"({"error":{"status":403,"message":"Forbidden"}})"}};
  HttpClient client(Options(), transport, clock);
  HttpResponse response = client.Execute(Get("http://x/v1/playlists/p/items"), nullptr);
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(response.json["error"]["message"], "Forbidden");
  EXPECT_EQ(transport->urls.size(), 1u);
}

TEST(HttpClientTest, CancelStopsBeforeSending) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  HttpClient client(Options(), transport, clock);
  CancelToken cancel;
  cancel.Cancel();
  EXPECT_THROW(client.Execute(Get("http://x/v1/me"), &cancel), CancelledError);
  EXPECT_TRUE(transport->urls.empty());
}

TEST(HttpClientTest, PacesRequestsAcrossThreads) {
  FakeClock clock;
  auto transport = std::make_shared<ScriptedTransport>();
  for (int i = 0; i < 40; ++i) transport->steps.push_back({200, "{}"});
  HttpClientOptions options = Options();
  options.pacer = Bucket(20, 1);
  HttpClient client(options, transport, clock);
  auto start = clock.Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) client.Execute(Get("http://x/v1/me"), nullptr);
    });
  }
  for (auto& thread : threads) thread.join();
  // 40 requests at 20/s with no burst: the 40th is sent 39 intervals after the first.
  EXPECT_EQ(clock.Now() - start, 39 * 50ms);
}

TEST(RedactTest, ScrubsRegisteredSecretsAndTokenShapes) {
  RegisterSecret("BQDsecretAccessToken123");
  std::string text = Redact(
      "failed with token BQDsecretAccessToken123; Authorization: Bearer abc.def-ghi "
      R"({"access_token":"AAA111","refresh_token":"RRR222"} )"
      "grant_type=refresh_token&refresh_token=XYZ987&client_id=cid "
      "http://127.0.0.1:1/callback?code=CODE42&state=s");
  EXPECT_EQ(text.find("BQDsecretAccessToken123"), std::string::npos) << text;
  EXPECT_EQ(text.find("abc.def-ghi"), std::string::npos) << text;
  EXPECT_EQ(text.find("AAA111"), std::string::npos) << text;
  EXPECT_EQ(text.find("RRR222"), std::string::npos) << text;
  EXPECT_EQ(text.find("XYZ987"), std::string::npos) << text;
  EXPECT_EQ(text.find("CODE42"), std::string::npos) << text;
  EXPECT_NE(text.find("client_id=cid"), std::string::npos) << text;
  EXPECT_NE(text.find("grant_type=refresh_token"), std::string::npos) << text;
}

TEST(RedactTest, ExceptionsAreRedactedOneLiners) {
  RegisterSecret("refresh-SECRET-value");
  TransportError error("line one\nrefresh-SECRET-value");
  std::string message = error.what();
  EXPECT_EQ(message.find("refresh-SECRET-value"), std::string::npos);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(JsonTest, RejectsDeepNestingAndGarbageWithoutThrowing) {
  std::string deep(100000, '[');
  EXPECT_TRUE(ParseJsonSafely(deep).is_discarded());
  EXPECT_TRUE(ParseJsonSafely("{\"a\":").is_discarded());
  EXPECT_TRUE(ParseJsonSafely("\xff\xfe").is_discarded());
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[","b":[{}]})"), 3u);
  EXPECT_FALSE(ParseJsonSafely(R"({"a":[1]})").is_discarded());
}

}  // namespace
}  // namespace spotify_extract
