#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace spotify_extract {

// Numbers distinct strings in the order they are first added. The table is open
// addressing over 8-byte slots (a fragment of the hash and the number), so a lookup reads
// one slot and the one string it compares; std::unordered_map reads a bucket, a node and
// then the string, which made its lookups a fifth of reading a 500k-item library.
// The strings are not copied: each added view must outlive the table (an arena's text).
class DistinctTexts {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  static uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

  void Reserve(size_t count) {
    texts_.reserve(count);
    if (count * 2 > slots_.size()) Rehash(count * 2);
  }

  // The number of `text` (whose Hash is `hash`), or kAbsent.
  uint32_t Find(std::string_view text, uint64_t hash) const {
    if (slots_.empty()) return kAbsent;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.number == 0) return kAbsent;
      if (slot.tag == tag && texts_[slot.number - 1] == text) return slot.number - 1;
    }
  }

  // Numbers `text`, which Find did not find; returns its number.
  uint32_t Add(std::string_view text, uint64_t hash) {
    if ((texts_.size() + 1) * 2 > slots_.size()) Rehash(std::max<size_t>(16, slots_.size() * 2));
    texts_.push_back(text);
    Place(hash, static_cast<uint32_t>(texts_.size()));
    return static_cast<uint32_t>(texts_.size() - 1);
  }

  size_t size() const { return texts_.size(); }
  std::string_view operator[](uint32_t number) const { return texts_[number]; }
  const std::vector<std::string_view>& texts() const { return texts_; }

  // Frees the table; the texts stay readable (nothing can be found or added after).
  void DropTable() { slots_ = {}; }

 private:
  struct Slot {
    uint32_t tag = 0;
    uint32_t number = 0;  // 1 + the text's number; 0 = empty
  };

  void Place(uint64_t hash, uint32_t number) {
    size_t i = hash & mask_;
    while (slots_[i].number != 0) i = (i + 1) & mask_;
    slots_[i] = {static_cast<uint32_t>(hash >> 32), number};
  }

  void Rehash(size_t at_least) {
    size_t capacity = 16;
    while (capacity < at_least) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (size_t n = 0; n < texts_.size(); ++n) {
      Place(Hash(texts_[n]), static_cast<uint32_t>(n + 1));
    }
  }

  std::vector<std::string_view> texts_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace spotify_extract
