#include "http/clock.h"

#include <mutex>
#include <random>
#include <thread>

namespace spotify_extract {

namespace {

class RealClock : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  int64_t UnixNow() override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  bool SleepUntil(TimePoint deadline, CancelToken* cancel) override {
    if (cancel != nullptr) return cancel->WaitUntil(deadline);
    std::this_thread::sleep_until(deadline);
    return true;
  }
  double Random() override {
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

}  // namespace spotify_extract
