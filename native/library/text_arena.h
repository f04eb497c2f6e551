#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace spotify_extract {

// Append-only storage for many short strings. Text lives in fixed-size blocks that are
// never reallocated, so growing copies nothing (no 2x peak as with one std::string) and a
// view of stored text stays valid for the arena's lifetime. Not thread-safe for writes.
class TextArena {
 public:
  // Where a string lives: 8 bytes instead of a 32-byte std::string per field.
  struct Ref {
    uint64_t offset : 40 = 0;
    uint64_t size : 24 = 0;
  };
  static constexpr size_t kMaxTextSize = (size_t{1} << 24) - 1;

  // `block_size` (a power of two) trades tail waste against the number of allocations.
  explicit TextArena(size_t block_size = size_t{1} << 20);
  TextArena(TextArena&&) noexcept = default;
  TextArena& operator=(TextArena&&) noexcept = default;

  // Copies `text` in; throws std::length_error above kMaxTextSize. Empty text costs nothing.
  Ref Add(std::string_view text);
  std::string_view Get(Ref ref) const {
    if (ref.size == 0) return {};
    return {blocks_[ref.offset >> block_shift_].get() + (ref.offset & block_mask_), ref.size};
  }

  // Bytes allocated for text.
  size_t capacity() const { return allocated_; }

 private:
  unsigned block_shift_;
  uint64_t block_mask_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_;  // bytes used in the last block
  size_t allocated_ = 0;
};

}  // namespace spotify_extract
