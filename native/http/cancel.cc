#include "http/cancel.h"

#include <algorithm>

namespace spotify_extract {

CancelToken::CancelToken(CancelToken* parent) : parent_(parent) {
  if (parent_ != nullptr) parent_->AddChild(this);
}

CancelToken::~CancelToken() {
  if (parent_ != nullptr) parent_->RemoveChild(this);
}

void CancelToken::AddChild(CancelToken* child) {
  std::lock_guard lock(mutex_);
  children_.push_back(child);
  if (IsCancelled()) child->Cancel();
}

void CancelToken::RemoveChild(CancelToken* child) {
  std::lock_guard lock(mutex_);
  children_.erase(std::remove(children_.begin(), children_.end(), child), children_.end());
}

void CancelToken::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_.store(true, std::memory_order_release);
  cv_.notify_all();
  for (CancelToken* child : children_) child->Cancel();
}

bool CancelToken::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_until(lock, deadline, [this] { return IsCancelled(); });
}

}  // namespace spotify_extract
