#pragma once

#include <string>

#include "store/sqlite_db.h"  // StoreError

namespace spotify_extract {

// A second run while one holds the lock.
class RunLockedError : public StoreError {
 public:
  using StoreError::StoreError;
};

// One run at a time: an exclusive flock on `<database>.lock`. The kernel drops the lock
// when the process dies (even kill -9), so a crashed run never blocks the next one.
class RunLock {
 public:
  // Throws RunLockedError naming the holder (pid, what, since when) when it is taken.
  static RunLock Acquire(const std::string& lock_path, const std::string& what);
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();
  void Release();
  bool held() const { return fd_ >= 0; }

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace spotify_extract
