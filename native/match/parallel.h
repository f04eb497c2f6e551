#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace spotify_extract::match_internal {

// Runs fn(i) for i in [0, count) on up to `threads` threads, `grain` indexes at a time.
template <typename Fn>
void ParallelFor(size_t count, int threads, size_t grain, Fn&& fn) {
  const size_t workers = std::max<size_t>(
      1, std::min<size_t>(static_cast<size_t>(threads), (count + grain - 1) / grain));
  if (workers <= 1) {
    for (size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (;;) {
      size_t begin = next.fetch_add(grain);
      if (begin >= count) return;
      size_t end = std::min(count, begin + grain);
      for (size_t i = begin; i < end; ++i) fn(i);
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
}

}  // namespace spotify_extract::match_internal
