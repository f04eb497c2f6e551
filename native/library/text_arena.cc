#include "library/text_arena.h"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

namespace spotify_extract {

TextArena::TextArena(size_t block_size)
    : block_shift_(static_cast<unsigned>(std::countr_zero(std::bit_ceil(block_size)))),
      block_mask_((uint64_t{1} << block_shift_) - 1),
      used_(size_t{1} << block_shift_) {}

TextArena::Ref TextArena::Add(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > kMaxTextSize) {
    throw std::length_error("text of " + std::to_string(text.size()) +
                            " bytes is too long to store (the limit is 16 MiB)");
  }
  const size_t block_size = size_t{1} << block_shift_;
  if (text.size() > block_size) {
    // A string larger than a block gets a block of its own, then a fresh block follows.
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(text.size()));
    allocated_ += text.size();
    std::memcpy(blocks_.back().get(), text.data(), text.size());
    used_ = block_size;
    return {.offset = (blocks_.size() - 1) << block_shift_, .size = text.size()};
  }
  if (block_size - used_ < text.size()) {
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_size));
    allocated_ += block_size;
    used_ = 0;
  }
  std::memcpy(blocks_.back().get() + used_, text.data(), text.size());
  Ref ref{.offset = ((blocks_.size() - 1) << block_shift_) | used_, .size = text.size()};
  used_ += text.size();
  return ref;
}

}  // namespace spotify_extract
