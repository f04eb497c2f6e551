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
  if (cancel != nullptr && cancel->IsCancelled()) return false;
  Clock::TimePoint send_at;
  {
    std::lock_guard lock(mutex_);
    Clock::TimePoint now = clock_.Now();
    send_at = std::max(now, paused_until_);
    if (interval_.count() > 0) {
      Clock::TimePoint tat = std::max(theoretical_arrival_, now);
      send_at = std::max(send_at, tat - tolerance_);
      theoretical_arrival_ = std::max(tat, send_at) + interval_;
    }
    if (options_.window_requests > 0) {
      auto limit = static_cast<size_t>(options_.window_requests);
      if (sent_.size() >= limit)
        send_at = std::max(send_at, sent_[sent_.size() - limit] + options_.window);
      sent_.push_back(send_at);
      while (sent_.size() > limit) sent_.pop_front();
    }
  }
  if (!clock_.SleepUntil(send_at, cancel)) return false;
  // A 429 that arrived while this caller slept pauses it too.
  Clock::TimePoint paused = paused_until();
  if (paused > clock_.Now() && !clock_.SleepUntil(paused, cancel)) return false;
  return true;
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
