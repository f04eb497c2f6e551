#include "match/index.h"

#include <algorithm>
#include <array>
#include <string>

#include "match/normalize.h"
#include "match/parallel.h"

namespace spotify_extract::match_internal {
namespace {

// boost::hash_combine's mixing, with the 64-bit golden ratio.
constexpr uint64_t kGoldenRatio = 0x9E3779B97F4A7C15ULL;
uint64_t Combine(uint64_t a, uint64_t b) { return a ^ (b + kGoldenRatio + (a << 12) + (a >> 4)); }

// Multiplier mixing the first hash of a combined key (the 64-bit FNV prime).
constexpr uint64_t kKeyMultiplier = 0x100000001B3ULL;

// The words of a title beyond this many are not paired (few titles are that long).
constexpr size_t kMaxPairedWords = 12;

// Distinct artist sets and albums normalised per turn of a build thread.
constexpr size_t kGroupGrain = 256;

// What the items of one title add to the index besides the title itself, kept while the
// index is built: the word postings and the featured artists of the title.
struct TitleKeys {
  uint64_t core_hash = 0;
  uint32_t keys_begin = 0;  // into TitleChunk::keys: tokens, then word pairs
  uint32_t token_count = 0;
  uint32_t pair_count = 0;
  int32_t featured = -1;  // into TitleChunk::featured
};

struct TitleChunk {
  std::vector<uint32_t> keys;
  std::vector<std::vector<std::string>> featured;  // ArtistKeys of featured names
};

// Parses the distinct titles [begin, end) into index->titles and the chunk's arena.
void ParseTitles(const GroupedLibrary& library, size_t begin, size_t end, TextArena& arena,
                 std::vector<TitleEntry>& titles, std::vector<TitleKeys>& keys, TitleChunk& chunk) {
  std::vector<std::string_view> words;
  for (size_t t = begin; t < end; ++t) {
    norm::ParsedTitle parsed = norm::ParseTitle(library.titles()[t]);
    TitleEntry& entry = titles[t];
    entry.core = arena.Add(parsed.core);
    entry.unfolded =
        parsed.core_unfolded == parsed.core ? entry.core : arena.Add(parsed.core_unfolded);
    entry.main = parsed.main == parsed.core ? entry.core : arena.Add(parsed.main);
    entry.remixer = arena.Add(parsed.remixer);
    entry.core_mask = CharMask(parsed.core);
    entry.flags = parsed.flags;
    entry.remaster_year = static_cast<uint16_t>(parsed.remaster_year);

    TitleKeys& title_keys = keys[t];
    title_keys.core_hash = Hash(parsed.core);
    title_keys.keys_begin = static_cast<uint32_t>(chunk.keys.size());
    words = norm::Words(parsed.core);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (auto word : words) chunk.keys.push_back(Key(word));
    const size_t paired = std::min(words.size(), kMaxPairedWords);
    for (size_t a = 0; a < paired; ++a) {
      for (size_t b = a + 1; b < paired; ++b) chunk.keys.push_back(PairKey(words[a], words[b]));
    }
    title_keys.token_count = static_cast<uint32_t>(words.size());
    title_keys.pair_count = static_cast<uint32_t>(paired < 2 ? 0 : paired * (paired - 1) / 2);
    if (!parsed.featured.empty()) {
      title_keys.featured = static_cast<int32_t>(chunk.featured.size());
      auto& featured = chunk.featured.emplace_back();
      for (const auto& name : parsed.featured) featured.push_back(norm::ArtistKey(name));
    }
  }
}

// A credit set of the index plus featured artists from a title.
ArtistFeatures WithFeatured(std::span<const std::string_view> credits, const CreditSet& set,
                            const std::vector<std::string>& featured) {
  ArtistFeatures artists;
  artists.joined = set.joined;
  artists.primary = set.primary;
  for (auto credit : credits) artists.credits.emplace_back(credit);
  artists.artist_credit_count = set.artist_credit_count;
  for (const auto& key : featured) AddCredit(artists.credits, key);
  return artists;
}

// Marks a credit set that is still local to its chunk of items while the index is built.
constexpr uint32_t kLocalSet = 1u << 31;
static_assert(kLocalSet == kMaxIndexedItems);

// Chunks of `size` elements of `chunk` each: calls fn(chunk index, begin, end).
template <typename Fn>
void ForEachChunk(size_t size, int threads, Fn&& fn) {
  const size_t chunks = (size + IndexData::kChunk - 1) / IndexData::kChunk;
  ParallelFor(chunks, threads, 1, [&](size_t c) {
    fn(c, c * IndexData::kChunk, std::min(size, (c + 1) * IndexData::kChunk));
  });
}

// Builds the index in steps; each step reads what the ones before it wrote.
class IndexBuilder {
 public:
  IndexBuilder(const GroupedLibrary& library, int threads, IndexData& index)
      : library_(library), n_(library.size()), threads_(threads), index_(index) {}

  void Build() {
    AddCreditSets();
    AddAlbums();
    AddTitles();
    AddItems();
    AddPostings();
  }

 private:
  enum List { kSpotifyIds, kIsrcs, kExact, kCredits, kTokens, kWordPairs, kListCount };
  using Counts = std::array<size_t, kListCount>;

  size_t Chunks(size_t size) const { return (size + IndexData::kChunk - 1) / IndexData::kChunk; }

  PostingList& Postings(size_t list) {
    std::array<PostingList*, kListCount> lists = {&index_.spotify_ids, &index_.isrcs,
                                                  &index_.exact,       &index_.credits,
                                                  &index_.tokens,      &index_.word_pairs};
    return *lists[list];
  }

  void AddCreditSets() {
    std::vector<ArtistFeatures> artists(library_.artist_field_count());
    ParallelFor(artists.size(), threads_, kGroupGrain, [&](size_t g) {
      GroupedLibrary::ArtistFields fields = library_.artist_fields(static_cast<uint32_t>(g));
      artists[g] = ItemArtistFeatures(fields.artist, fields.artists);
    });
    index_.credit_sets.reserve(artists.size());
    for (const ArtistFeatures& features : artists) index_.AddCreditSet(features);
  }

  void AddAlbums() {
    std::vector<norm::ParsedAlbum> albums(library_.albums().size());
    ParallelFor(albums.size(), threads_, kGroupGrain,
                [&](size_t g) { albums[g] = norm::ParseAlbum(library_.albums()[g]); });
    index_.albums.reserve(albums.size());
    for (const norm::ParsedAlbum& album : albums) {
      std::string_view key = index_.shared_arena.Get(index_.shared_arena.Add(album.key));
      std::string_view full = album.full == album.key
                                  ? key
                                  : index_.shared_arena.Get(index_.shared_arena.Add(album.full));
      index_.albums.push_back({key, full, CharMask(key), album.flags});
    }
  }

  // Each chunk of distinct titles is parsed into its own arena.
  void AddTitles() {
    const size_t count = library_.titles().size();
    index_.titles.resize(count);
    title_keys_.resize(count);
    title_chunks_.resize(Chunks(count));
    for (size_t c = 0; c < Chunks(count); ++c) {
      index_.title_arenas.emplace_back(IndexData::kChunkArenaBlock);
    }
    ForEachChunk(count, threads_, [&](size_t c, size_t begin, size_t end) {
      ParseTitles(library_, begin, end, index_.title_arenas[c], index_.titles, title_keys_,
                  title_chunks_[c]);
    });
  }

  // The record of every item, and how many postings each chunk of items will add.
  void AddItems() {
    index_.items.resize(n_);
    index_.durations.resize(n_);
    for (size_t c = 0; c < Chunks(n_); ++c)
      index_.item_arenas.emplace_back(IndexData::kChunkArenaBlock);
    offsets_.assign(Chunks(n_) + 1, Counts{});
    std::vector<std::vector<ArtistFeatures>> local_sets(Chunks(n_));
    ForEachChunk(n_, threads_, [&](size_t c, size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i)
        AddItem(i, index_.item_arenas[c], local_sets[c], offsets_[c + 1]);
    });
    // Credit sets with featured artists join the shared ones, chunk by chunk.
    for (size_t c = 0; c < Chunks(n_); ++c) {
      if (local_sets[c].empty()) continue;
      const auto base = static_cast<uint32_t>(index_.credit_sets.size());
      for (const ArtistFeatures& set : local_sets[c]) index_.AddCreditSet(set);
      for (size_t i = c * IndexData::kChunk; i < std::min(n_, (c + 1) * IndexData::kChunk); ++i) {
        uint32_t& set = index_.items[i].credit_set;
        if (set & kLocalSet) set = base + (set & ~kLocalSet);
      }
    }
  }

  void AddItem(size_t i, TextArena& arena, std::vector<ArtistFeatures>& local_sets, Counts& count) {
    const GroupedLibrary::Item& item = library_.items()[i];
    const TitleKeys& keys = title_keys_[item.title];
    ItemRecord& record = index_.items[i];
    record.id = item.id;
    record.title = item.title;
    record.credit_set = item.artists;
    record.album = item.album;
    record.flags = index_.titles[record.title].flags | index_.albums[record.album].flags;
    index_.durations[i] = item.length;
    const std::string isrc = norm::CanonicalIsrc(library_.Text(item.isrc));
    record.isrc = arena.Add(isrc);
    const std::string_view spotify_id = library_.Text(item.spotify_id);
    record.spotify_id = arena.Add(spotify_id);
    size_t credits = index_.credit_sets[record.credit_set].credit_count;
    if (keys.featured >= 0) {
      const auto& featured = title_chunks_[record.title >> IndexData::kChunkShift]
                                 .featured[static_cast<size_t>(keys.featured)];
      ArtistFeatures with = WithFeatured(index_.Credits(record.credit_set),
                                         index_.credit_sets[record.credit_set], featured);
      if (with.credits.size() > credits) {
        credits = with.credits.size();
        record.credit_set = kLocalSet | static_cast<uint32_t>(local_sets.size());
        local_sets.push_back(std::move(with));
      }
    }
    count[kSpotifyIds] += !spotify_id.empty();
    count[kIsrcs] += !isrc.empty();
    count[kExact] += credits;
    count[kCredits] += credits;
    count[kTokens] += keys.token_count;
    count[kWordPairs] += keys.pair_count;
  }

  // Postings are written straight into place (the lists never grow or get copied), in
  // item order within each chunk; sorting by key finishes each list.
  void AddPostings() {
    for (size_t c = 0; c < Chunks(n_); ++c) {
      for (size_t l = 0; l < kListCount; ++l) offsets_[c + 1][l] += offsets_[c][l];
    }
    for (size_t l = 0; l < kListCount; ++l) Postings(l).resize(offsets_.back()[l]);
    ForEachChunk(n_, threads_, [&](size_t c, size_t begin, size_t end) {
      Counts next = offsets_[c];
      auto put = [&](List list, uint32_t key, size_t item) {
        Postings(list)[next[list]++] = Posting{key, static_cast<uint32_t>(item)};
      };
      for (size_t i = begin; i < end; ++i) {
        const View it = index_.ItemView(static_cast<uint32_t>(i));
        const uint32_t title = index_.items[i].title;
        const TitleKeys& keys = title_keys_[title];
        if (!it.spotify_id.empty()) put(kSpotifyIds, Key(it.spotify_id), i);
        if (!it.isrc.empty()) put(kIsrcs, Key(it.isrc), i);
        for (std::string_view credit : it.credits) {
          put(kExact, ExactKey(keys.core_hash, credit), i);
          put(kCredits, Key(credit), i);
        }
        const uint32_t* words =
            title_chunks_[title >> IndexData::kChunkShift].keys.data() + keys.keys_begin;
        for (size_t k = 0; k < keys.token_count; ++k) put(kTokens, words[k], i);
        for (size_t k = 0; k < keys.pair_count; ++k)
          put(kWordPairs, words[keys.token_count + k], i);
      }
    });
    ParallelFor(kListCount, threads_, 1,
                [&](size_t l) { std::sort(Postings(l).begin(), Postings(l).end()); });
  }

  const GroupedLibrary& library_;
  const size_t n_;
  const int threads_;
  IndexData& index_;
  std::vector<TitleKeys> title_keys_;
  std::vector<TitleChunk> title_chunks_;
  std::vector<Counts> offsets_;  // postings per chunk of items, then where each chunk starts
};

}  // namespace

uint32_t ExactKey(uint64_t title_hash, std::string_view credit) {
  return Key(Combine(title_hash * kKeyMultiplier, Hash(credit)));
}

uint32_t PairKey(std::string_view a, std::string_view b) {
  if (b < a) std::swap(a, b);
  return Key(Combine(Hash(a) * kKeyMultiplier, Hash(b) + 1));
}

View IndexData::ItemView(uint32_t index) const {
  const ItemRecord& r = items[index];
  const TextArena& arena = item_arenas[index >> kChunkShift];
  const CreditSet& set = credit_sets[r.credit_set];
  const TitleEntry& title = titles[r.title];
  View v;
  v.core = TitleText(r.title, title.core);
  v.unfolded = TitleText(r.title, title.unfolded);
  v.main = TitleText(r.title, title.main);
  v.remixer = TitleText(r.title, title.remixer);
  v.album = albums[r.album].key;
  v.album_full = albums[r.album].full;
  v.joined = set.joined;
  v.primary = set.primary;
  v.isrc = arena.Get(r.isrc);
  v.spotify_id = arena.Get(r.spotify_id);
  v.credits = Credits(r.credit_set);
  v.artist_credit_count = set.artist_credit_count;
  v.flags = r.flags;
  v.remaster_year = title.remaster_year;
  v.duration = durations[index];
  v.core_mask = title.core_mask;
  v.album_mask = albums[r.album].mask;
  v.joined_mask = set.joined_mask;
  v.primary_mask = set.primary_mask;
  return v;
}

int64_t IndexData::FindIndex(int64_t id) const {
  auto it = std::lower_bound(items.begin(), items.end(), id,
                             [](const ItemRecord& r, int64_t value) { return r.id < value; });
  if (it == items.end() || it->id != id) return -1;
  return it - items.begin();
}

uint32_t IndexData::AddCreditSet(const ArtistFeatures& artists) {
  CreditSet set;
  set.joined = shared_arena.Get(shared_arena.Add(artists.joined));
  set.primary = shared_arena.Get(shared_arena.Add(artists.primary));
  set.joined_mask = CharMask(set.joined);
  set.primary_mask = CharMask(set.primary);
  set.credits_begin = static_cast<uint32_t>(credit_views.size());
  set.credit_count = static_cast<uint8_t>(artists.credits.size());
  set.artist_credit_count = static_cast<uint8_t>(artists.artist_credit_count);
  for (const auto& credit : artists.credits) {
    credit_views.push_back(shared_arena.Get(shared_arena.Add(credit)));
  }
  credit_sets.push_back(set);
  return static_cast<uint32_t>(credit_sets.size() - 1);
}

void BuildIndex(const GroupedLibrary& library, int threads, IndexData& index) {
  IndexBuilder(library, threads, index).Build();
}

}  // namespace spotify_extract::match_internal
