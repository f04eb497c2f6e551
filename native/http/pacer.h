#pragma once

#include <chrono>
#include <deque>
#include <mutex>

#include "http/cancel.h"
#include "http/clock.h"

namespace spotify_extract {

struct PacerOptions {
  double requests_per_second = 40.0;  // token bucket: sustained rate; <= 0 disables it
  double burst = 10.0;                // requests allowed back to back after a quiet spell
  // Rolling window cap, like Spotify's (and the emulator's) 30-second window: at most
  // `window_requests` sends in any `window`; 0 disables it. A little under the limit.
  int window_requests = 170;
  std::chrono::milliseconds window{30000};
};

// One pacer shared by every thread of a client: a token bucket (a generic cell rate
// algorithm) plus a rolling-window cap. Each caller reserves its send time under a lock,
// then sleeps outside it. A 429 pauses all callers until its Retry-After has passed,
// then traffic restarts without a burst.
class Pacer {
 public:
  Pacer(PacerOptions options, Clock& clock);

  // Blocks until the caller may send; false when `cancel` fired first.
  bool Acquire(CancelToken* cancel);
  // Nobody sends before `until`.
  void PauseUntil(Clock::TimePoint until);
  Clock::TimePoint paused_until() const;

 private:
  PacerOptions options_;
  Clock& clock_;
  std::chrono::nanoseconds interval_{0};
  std::chrono::nanoseconds tolerance_{0};
  mutable std::mutex mutex_;
  Clock::TimePoint theoretical_arrival_{};
  Clock::TimePoint paused_until_{};
  std::deque<Clock::TimePoint> sent_;  // reserved send times, the last window_requests
};

// Bounds the number of requests in flight across threads.
class InFlightLimiter {
 public:
  explicit InFlightLimiter(int limit) : limit_(limit < 1 ? 1 : limit) {}
  // Blocks for a free slot; false when cancelled.
  bool Acquire(CancelToken* cancel);
  void Release();
  int limit() const { return limit_; }
  int in_flight() const;

 private:
  const int limit_;
  int used_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace spotify_extract
