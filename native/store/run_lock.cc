#include "store/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/rows.h"

namespace spotify_extract {

RunLock RunLock::Acquire(const std::string& lock_path, const std::string& what) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw StoreError("cannot create the run lock " + lock_path + ": " + std::strerror(errno) +
                     " (check that the state_dir is writable)");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder;
    char buffer[512];
    ssize_t size = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (size > 0) holder.assign(buffer, static_cast<size_t>(size));
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) {
      holder.pop_back();
    }
    ::close(fd);
    if (error == EWOULDBLOCK) {
      throw RunLockedError("another spotify-extract run is in progress" +
                           (holder.empty() ? std::string() : " (" + holder + ")") +
                           "; wait for it to finish and try again");
    }
    throw StoreError("cannot lock " + lock_path + ": " + std::strerror(error));
  }
  std::string info = "pid " + std::to_string(::getpid()) + ", " + what + ", since " + UtcNow();
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd, info.data(), info.size(), 0);
  }
  return RunLock(fd);
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

RunLock::~RunLock() { Release(); }

void RunLock::Release() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) {
    // The content is informational only.
  }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace spotify_extract
