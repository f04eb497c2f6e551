#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace spotify_extract {

// A cancel flag that also wakes every wait on it at once. A token made with a parent is
// cancelled when the parent is (used to stop the siblings of a failed request).
class CancelToken {
 public:
  CancelToken() = default;
  explicit CancelToken(CancelToken* parent);
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void Cancel();
  bool IsCancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Waits until `deadline` (steady clock) unless cancelled first; false when cancelled.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);

 private:
  void AddChild(CancelToken* child);
  void RemoveChild(CancelToken* child);

  std::atomic<bool> cancelled_{false};
  CancelToken* parent_ = nullptr;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<CancelToken*> children_;
};

}  // namespace spotify_extract
