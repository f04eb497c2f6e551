#pragma once

#include <chrono>
#include <cstdint>

#include "http/cancel.h"

namespace spotify_extract {

// Time for the pacer, the retry policy and token expiry; tests inject a fake one.
class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  // Seconds since the Unix epoch (for token expiry and HTTP dates).
  virtual int64_t UnixNow() = 0;
  // Sleeps until `deadline` or until `cancel` (may be null) fires; false when cancelled.
  virtual bool SleepUntil(TimePoint deadline, CancelToken* cancel) = 0;
  // A uniform random number in [0, 1) for jitter.
  virtual double Random() = 0;
};

// The real clock (steady clock, condition-variable waits, a thread-safe PRNG).
Clock& SystemClock();

}  // namespace spotify_extract
