#pragma once

// The matcher's index of a library: distinct titles, artist credit sets and albums each
// normalised once, a 40-byte record per item, and sorted posting lists from 32-bit keys
// to items. Built once by BuildIndex, then only read (safe from any number of threads).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "library/text_arena.h"
#include "match/features.h"
#include "match/grouped_library.h"

namespace spotify_extract::match_internal {

inline uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

// Index keys are 32-bit: every lookup compares the real strings afterwards, so a rare
// collision costs a wasted candidate, never a wrong match, and postings halve in size.
inline uint32_t Key(uint64_t hash) { return static_cast<uint32_t>(hash ^ (hash >> 32)); }
inline uint32_t Key(std::string_view text) { return Key(Hash(text)); }

// The key of a normalised title (by its hash) credited to one artist.
uint32_t ExactKey(uint64_t title_hash, std::string_view credit);

// Two distinct words of one title, in either order.
uint32_t PairKey(std::string_view a, std::string_view b);

// A set of artist credits in the index, shared by every item with the same artist fields
// (and the same featured artists in the title, for the few titles that name some).
struct CreditSet {
  std::string_view joined, primary;
  uint64_t joined_mask = 0, primary_mask = 0;
  uint32_t credits_begin = 0;  // into IndexData::credit_views
  uint8_t credit_count = 0;
  uint8_t artist_credit_count = 0;
};

struct AlbumEntry {
  std::string_view key;
  std::string_view full;  // editions kept
  uint64_t mask = 0;
  uint32_t flags = 0;
};

// A distinct title in the index, shared by every item with that title.
struct TitleEntry {
  TextArena::Ref core, unfolded, main, remixer;  // into the arena of the title's chunk
  uint64_t core_mask = 0;                        // CharMask(core)
  uint32_t flags = 0;                            // version flags
  uint16_t remaster_year = 0;
};

// An item in the index: 40 bytes. Its identifiers live in the arena of its chunk.
struct ItemRecord {
  int64_t id = 0;
  TextArena::Ref isrc, spotify_id;
  uint32_t title = 0;       // into IndexData::titles
  uint32_t credit_set = 0;  // into IndexData::credit_sets
  uint32_t album = 0;       // into IndexData::albums
  uint32_t flags = 0;       // title and album version flags
};

struct Posting {
  uint32_t key;
  uint32_t item;
  bool operator<(const Posting& other) const {
    return key != other.key ? key < other.key : item < other.item;
  }
};

using PostingList = std::vector<Posting>;
using PostingRange = std::pair<PostingList::const_iterator, PostingList::const_iterator>;

inline PostingRange Lookup(const PostingList& list, uint32_t key) {
  struct ByKey {
    bool operator()(const Posting& p, uint32_t k) const { return p.key < k; }
    bool operator()(uint32_t k, const Posting& p) const { return k < p.key; }
  };
  return std::equal_range(list.begin(), list.end(), key, ByKey{});
}

inline size_t CountPostings(const PostingList& list, uint32_t key) {
  auto [begin, end] = Lookup(list, key);
  return static_cast<size_t>(end - begin);
}

// Everything the matcher searches.
struct IndexData {
  // Items and titles are processed in chunks of 4096, each chunk writing its own arena.
  static constexpr size_t kChunkShift = 12;
  static constexpr size_t kChunk = size_t{1} << kChunkShift;
  static constexpr size_t kChunkArenaBlock = size_t{1} << 15;
  static constexpr size_t kSharedArenaBlock = size_t{1} << 16;

  std::vector<ItemRecord> items;       // sorted by id
  std::vector<float> durations;        // seconds (0 = unknown), apart: read for every posting
  std::vector<TextArena> item_arenas;  // ISRCs and Spotify ids, one arena per chunk of items
  std::vector<TitleEntry> titles;
  std::vector<TextArena> title_arenas;        // one per chunk of titles
  TextArena shared_arena{kSharedArenaBlock};  // credit sets and album keys
  std::vector<CreditSet> credit_sets;
  std::vector<std::string_view> credit_views;
  std::vector<AlbumEntry> albums;
  // Title words, and pairs of words of one title (PairKey).
  PostingList spotify_ids, isrcs, exact, credits, tokens, word_pairs;

  const TitleEntry& Title(uint32_t index) const { return titles[items[index].title]; }
  std::string_view TitleText(uint32_t title, TextArena::Ref ref) const {
    return title_arenas[title >> kChunkShift].Get(ref);
  }
  std::string_view Main(uint32_t index) const {
    return TitleText(items[index].title, Title(index).main);
  }
  View ItemView(uint32_t index) const;
  std::span<const std::string_view> Credits(uint32_t credit_set) const {
    const CreditSet& set = credit_sets[credit_set];
    return std::span<const std::string_view>(credit_views)
        .subspan(set.credits_begin, set.credit_count);
  }
  // The position of the item with beets id `id`, or -1.
  int64_t FindIndex(int64_t id) const;
  uint32_t AddCreditSet(const ArtistFeatures& artists);
};

// Libraries this large cannot be indexed (item numbers need a spare bit while building).
constexpr size_t kMaxIndexedItems = size_t{1} << 31;

// Indexes `library` into an empty `index` on up to `threads` threads.
void BuildIndex(const GroupedLibrary& library, int threads, IndexData& index);

}  // namespace spotify_extract::match_internal
