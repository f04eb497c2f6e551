#pragma once

#include <chrono>
#include <mutex>

#include "http/cancel.h"
#include "http/clock.h"

namespace spotify_extract {

struct PacerOptions {
  double requests_per_second = 25.0;  // sustained rate; <= 0 disables pacing
  double burst = 10.0;                // requests allowed back to back after a quiet spell
};

// One token bucket shared by every thread of a client (a generic cell rate algorithm:
// each caller reserves the next slot under a lock, then sleeps outside it). A 429 pauses
// all callers until its Retry-After has passed, then traffic restarts without a burst.
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
