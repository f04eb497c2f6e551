#include "http/pacer.h"

#include <algorithm>

namespace spotify_extract {

Pacer::Pacer(PacerOptions options, Clock& clock) : options_(options), clock_(clock) {
  if (options_.requests_per_second > 0) {
    interval_ = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / options_.requests_per_second));
    double burst = std::max(1.0, options_.burst);
    tolerance_ = std::chrono::nanoseconds(static_cast<int64_t>((burst - 1.0) * interval_.count()));
  }
}

bool Pacer::Acquire(CancelToken* cancel) {
  bool reserved = false;
  for (;;) {
    if (cancel != nullptr && cancel->IsCancelled()) return false;
    Clock::TimePoint wake;
    {
      std::lock_guard lock(mutex_);
      Clock::TimePoint now = clock_.Now();
      if (paused_until_ > now) {
        wake = paused_until_;
      } else if (reserved || interval_.count() == 0) {
        return true;
      } else {
        Clock::TimePoint tat = std::max(theoretical_arrival_, now);
        Clock::TimePoint allowed = tat - tolerance_;
        theoretical_arrival_ = tat + interval_;
        if (allowed <= now) return true;
        // The slot is reserved; sleep outside the lock until it comes.
        reserved = true;
        wake = allowed;
      }
    }
    if (!clock_.SleepUntil(wake, cancel)) return false;
  }
}

void Pacer::PauseUntil(Clock::TimePoint until) {
  std::lock_guard lock(mutex_);
  if (until > paused_until_) paused_until_ = until;
  // After the pause, restart at the sustained rate without a burst.
  theoretical_arrival_ = std::max(theoretical_arrival_, paused_until_ + tolerance_);
}

Clock::TimePoint Pacer::paused_until() const {
  std::lock_guard lock(mutex_);
  return paused_until_;
}

bool InFlightLimiter::Acquire(CancelToken* cancel) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (cancel != nullptr && cancel->IsCancelled()) return false;
    if (used_ < limit_) {
      ++used_;
      return true;
    }
    // Short waits so a cancel is seen promptly without coupling two condition variables.
    cv_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

void InFlightLimiter::Release() {
  {
    std::lock_guard lock(mutex_);
    --used_;
  }
  cv_.notify_one();
}

int InFlightLimiter::in_flight() const {
  std::lock_guard lock(mutex_);
  return used_;
}

}  // namespace spotify_extract
