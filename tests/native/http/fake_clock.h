#pragma once

#include <mutex>
#include <vector>

#include "http/clock.h"

namespace spotify_extract::testing {

// Virtual time: sleeping advances the clock at once and records how long was slept.
class FakeClock : public Clock {
 public:
  TimePoint Now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  int64_t UnixNow() override {
    std::lock_guard lock(mutex_);
    return unix_base_ +
           std::chrono::duration_cast<std::chrono::seconds>(now_ - TimePoint{}).count();
  }
  bool SleepUntil(TimePoint deadline, CancelToken* cancel) override {
    if (cancel != nullptr && cancel->IsCancelled()) return false;
    std::lock_guard lock(mutex_);
    if (deadline > now_) {
      sleeps_.push_back(deadline - now_);
      now_ = deadline;
    }
    return true;
  }
  double Random() override { return random_; }

  void Advance(std::chrono::nanoseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }
  std::vector<std::chrono::nanoseconds> sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }
  double random_ = 0.5;
  int64_t unix_base_ = 1'800'000'000;

 private:
  std::mutex mutex_;
  TimePoint now_{std::chrono::hours(1)};
  std::vector<std::chrono::nanoseconds> sleeps_;
};

}  // namespace spotify_extract::testing
