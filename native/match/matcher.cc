#include "match/matcher.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <iterator>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "match/normalize.h"

namespace spotify_extract {
namespace {

constexpr size_t kMaxCredits = 8;
constexpr double kExactConfidence = 0.95;
constexpr double kFuzzyCap = 0.94;
constexpr double kExactDurationTolerance = 10.0;  // seconds
constexpr size_t kMaxCreditPostings = 5000;       // larger artist catalogues use titles
constexpr size_t kMaxTokenPostings = 8000;

uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

uint64_t Combine(uint64_t a, uint64_t b) {
  return a ^ (b + 0x9E3779B97F4A7C15ULL + (a << 12) + (a >> 4));
}

uint64_t ExactKey(std::string_view title, std::string_view credit) {
  return Combine(Hash(title) * 0x100000001B3ULL, Hash(credit));
}

// A matching side (track or item), as views into its strings.
struct View {
  std::string_view core, unfolded, main, remixer, album, joined, primary, isrc, spotify_id;
  std::array<std::string_view, kMaxCredits> credits{};
  size_t credit_count = 0;
  size_t artist_credit_count = 0;  // credits[0, n) come from the artist fields
  uint32_t flags = 0;
  double duration = 0.0;  // seconds, 0 = unknown

  bool HasCredit(std::string_view key) const { return Has(key, credit_count); }
  // Credited in the artist fields, not only as "feat." in the title.
  bool HasArtistCredit(std::string_view key) const { return Has(key, artist_credit_count); }

 private:
  bool Has(std::string_view key, size_t n) const {
    if (key.empty()) return false;
    for (size_t i = 0; i < n; ++i) {
      if (credits[i] == key) return true;
    }
    return false;
  }
};

// The normalised fields of one side, owning their strings.
struct Features {
  std::string core, unfolded, main, remixer, album, joined, primary, isrc, spotify_id;
  std::vector<std::string> credits;
  size_t artist_credit_count = 0;
  uint32_t flags = 0;
  double duration = 0.0;

  void AddCredit(std::string key) {
    if (key.empty() || credits.size() >= kMaxCredits) return;
    if (std::find(credits.begin(), credits.end(), key) != credits.end()) return;
    credits.push_back(std::move(key));
  }

  View AsView() const {
    View v{core, unfolded, main, remixer, album, joined, primary, isrc, spotify_id};
    for (const auto& credit : credits) v.credits[v.credit_count++] = credit;
    v.artist_credit_count = artist_credit_count;
    v.flags = flags;
    v.duration = duration;
    return v;
  }
};

void AddTitle(Features& f, std::string_view title) {
  norm::ParsedTitle parsed = norm::ParseTitle(title);
  f.core = std::move(parsed.core);
  f.unfolded = std::move(parsed.core_unfolded);
  f.main = std::move(parsed.main);
  f.remixer = std::move(parsed.remixer);
  f.flags |= parsed.flags;
  for (const auto& name : parsed.featured) f.AddCredit(norm::ArtistKey(name));
}

void AddAlbum(Features& f, const norm::ParsedAlbum& album) {
  f.flags |= album.flags;
  f.album = album.key;
}

void AddTitleAndAlbum(Features& f, std::string_view title, std::string_view album) {
  AddAlbum(f, norm::ParseAlbum(album));
  AddTitle(f, title);
}

Features TrackFeatures(const Track& track) {
  Features f;
  std::string joined;
  for (const auto& artist : track.artists) {
    if (artist.name.empty()) continue;
    if (!joined.empty()) joined += ", ";
    joined += artist.name;
  }
  f.joined = norm::ArtistKey(joined);
  // Spotify lists artists one by one: their names are not split further, except a
  // single credit string (data exports) that names several.
  std::vector<std::string> names;
  for (const auto& artist : track.artists) {
    if (!artist.name.empty()) names.push_back(artist.name);
  }
  for (const auto& name : names) f.AddCredit(norm::ArtistKey(name));
  if (names.size() == 1) {
    for (const auto& part : norm::SplitArtists(names[0])) f.AddCredit(norm::ArtistKey(part));
  }
  f.primary = names.empty() ? std::string() : norm::ArtistKey(names[0]);
  f.artist_credit_count = f.credits.size();
  AddTitleAndAlbum(f, track.name, track.album_name);
  f.isrc = norm::CanonicalIsrc(track.isrc);
  f.spotify_id = track.id;
  f.duration = track.duration_ms > 0 ? track.duration_ms / 1000.0 : 0.0;
  return f;
}

// Artist and album strings repeat across a library (every track of an album): their
// parses are cached per build block.
struct ItemCache {
  struct Credits {
    std::string joined, primary;
    std::vector<std::string> credits;
  };
  std::unordered_map<std::string, Credits> artists;
  std::unordered_map<std::string, norm::ParsedAlbum> albums;
};

Features ItemFeatures(const LibraryItem& item, ItemCache& cache) {
  Features f;
  std::string artist_key = item.artist;
  for (const auto& name : item.artists) {
    artist_key += '\x1f';
    artist_key += name;
  }
  auto found = cache.artists.find(artist_key);
  if (found == cache.artists.end()) {
    Features a;
    a.joined = norm::ArtistKey(item.artist);
    std::vector<std::string> parts = norm::SplitArtists(item.artist);
    if (!item.artists.empty()) {
      a.primary = norm::ArtistKey(item.artists[0]);
    } else if (!parts.empty()) {
      a.primary = norm::ArtistKey(parts[0]);
    }
    a.AddCredit(a.joined);
    for (const auto& name : item.artists) a.AddCredit(norm::ArtistKey(name));
    for (const auto& part : parts) a.AddCredit(norm::ArtistKey(part));
    if (a.primary.empty()) a.primary = a.joined;
    found = cache.artists
                .emplace(std::move(artist_key),
                         ItemCache::Credits{std::move(a.joined), std::move(a.primary),
                                            std::move(a.credits)})
                .first;
  }
  f.joined = found->second.joined;
  f.primary = found->second.primary;
  f.credits = found->second.credits;
  f.artist_credit_count = f.credits.size();
  auto album = cache.albums.find(item.album);
  if (album == cache.albums.end()) {
    album = cache.albums.emplace(item.album, norm::ParseAlbum(item.album)).first;
  }
  AddAlbum(f, album->second);
  AddTitle(f, item.title);
  f.isrc = norm::CanonicalIsrc(item.isrc);
  if (!item.spotify_track_id.empty()) {
    f.spotify_id = item.spotify_track_id;
  } else if (!item.mb_trackid.empty() &&
             (item.data_source == "Spotify" || item.data_source == "spotify")) {
    f.spotify_id = item.mb_trackid;
  }
  f.duration = item.length > 0 ? item.length : 0.0;
  return f;
}

// Compact storage of the items' features: one string arena, fixed-size records.
struct Ref {
  uint32_t offset = 0;
  uint32_t length = 0;
};

enum Field {
  kCore,
  kUnfolded,
  kMain,
  kRemixer,
  kAlbum,
  kJoined,
  kPrimary,
  kIsrc,
  kSpotifyId,
  kFieldCount
};

struct ItemRecord {
  int64_t id = 0;
  std::array<Ref, kFieldCount> fields{};
  uint32_t credits_begin = 0;  // into Index::credit_refs
  uint32_t flags = 0;
  float duration = 0.0f;
  uint8_t credit_count = 0;
  uint8_t artist_credit_count = 0;
};

struct Posting {
  uint64_t key;
  uint32_t item;
  bool operator<(const Posting& other) const {
    return key != other.key ? key < other.key : item < other.item;
  }
};

using PostingList = std::vector<Posting>;

std::pair<PostingList::const_iterator, PostingList::const_iterator> Lookup(const PostingList& list,
                                                                           uint64_t key) {
  auto begin = std::lower_bound(list.begin(), list.end(), Posting{key, 0});
  auto end = begin;
  while (end != list.end() && end->key == key) ++end;
  return {begin, end};
}

size_t CountPostings(const PostingList& list, uint64_t key) {
  auto [begin, end] = Lookup(list, key);
  return static_cast<size_t>(end - begin);
}

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

struct Scored {
  uint32_t item = 0;
  double score = 0.0;
  bool same_album = false;
  double duration_diff = 1e9;
  double version_penalty = 0.0;  // exact tier: a copy of the very version comes first
  double agreement = 0.0;        // exact tier: artist credits and remixer agreeing
};

// Orders equally good copies of one recording: same album, closest duration, lowest id.
bool BetterCopy(const Scored& a, const Scored& b) {
  if (a.same_album != b.same_album) return a.same_album;
  if (a.duration_diff != b.duration_diff) return a.duration_diff < b.duration_diff;
  return a.item < b.item;
}

bool ByScore(const Scored& a, const Scored& b) {
  if (a.score != b.score) return a.score > b.score;
  return BetterCopy(a, b);
}

double DurationDiff(const View& a, const View& b) {
  if (a.duration <= 0 || b.duration <= 0) return -1.0;
  return std::fabs(a.duration - b.duration);
}

bool DurationRulesOut(double diff, const View& a, const View& b) {
  if (diff < 0) return false;
  double limit = std::max(20.0, 0.1 * std::max(a.duration, b.duration));
  return diff > limit;
}

bool VersionsConflict(const View& a, const View& b) {
  if ((a.flags ^ b.flags) & norm::kHardVersionFlags) return true;
  if ((a.flags & b.flags & norm::kRemix) && !a.remixer.empty() && !b.remixer.empty() &&
      a.remixer != b.remixer && norm::Similarity(a.remixer, b.remixer) < 0.8) {
    return true;
  }
  return false;
}

// An edit (radio edit, single version) beside the full track: the same recording only
// when the durations say so.
double SoftVersionPenalty(const View& a, const View& b) {
  uint32_t differ = a.flags ^ b.flags;
  double penalty = 0.0;
  if (differ & norm::kEdit) {
    double diff = DurationDiff(a, b);
    penalty += (diff < 0 || diff > 3.0) ? 0.12 : 0.04;
  }
  if (differ & (norm::kMono | norm::kStereo)) penalty += 0.02;
  return penalty;
}

double ArtistScore(const View& q, const View& it) {
  if (!q.joined.empty() && q.joined == it.joined) return 1.0;
  size_t shared = 0;
  for (size_t i = 0; i < q.credit_count; ++i) {
    if (it.HasCredit(q.credits[i])) ++shared;
  }
  // The track's lead artist is credited on the item.
  if (it.HasArtistCredit(q.primary)) return shared == q.credit_count ? 1.0 : 0.95;
  // Only the item's lead is among the track's other artists: plausible, not sure
  // ("Summer" by A feat. B against B's own "Summer").
  if (q.HasArtistCredit(it.primary)) return 0.84;
  if (shared > 0) return 0.8;
  double best = 0.0;
  for (auto a : {q.primary, q.joined}) {
    for (auto b : {it.primary, it.joined}) {
      if (a.empty() || b.empty()) continue;
      best = std::max(best, norm::Similarity(a, b));
    }
  }
  if (best < 0.85 && !q.joined.empty() && !it.joined.empty()) {
    best = std::max(best, norm::TokenSortSimilarity(q.joined, it.joined));
  }
  return best >= 0.85 ? best * 0.95 : best * 0.6;
}

bool IsNumberWord(std::string_view word) {
  if (word.empty()) return false;
  if (std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return true;
  }
  return word == "ii" || word == "iii" || word == "iv" || word == "vi" || word == "vii" ||
         word == "viii" || word == "ix" || word == "xi" || word == "xii";
}

// "Song 2" and "Song 3", "Part II" and "Part III" are different songs, however similar.
bool NumbersDiffer(std::string_view a, std::string_view b) {
  std::vector<std::string_view> na, nb;
  for (auto w : norm::Words(a)) {
    if (IsNumberWord(w)) na.push_back(w);
  }
  for (auto w : norm::Words(b)) {
    if (IsNumberWord(w)) nb.push_back(w);
  }
  std::sort(na.begin(), na.end());
  std::sort(nb.begin(), nb.end());
  return na != nb;
}

// Raw title similarity in [0, 1]; 1 only for equal normalised titles.
double TitleSimilarity(const View& q, const View& it) {
  if (q.core == it.core) return 1.0;
  // Below 0.75 a candidate is ruled out, so the exact value does not matter there.
  double t = norm::SimilarityAtLeast(q.core, it.core, 0.75);
  if (t < 0.9) {
    t = std::max(t, std::min(0.9, norm::TokenSortSimilarity(q.core, it.core, 0.75)));
  }
  if ((q.main != q.core || it.main != it.core) && q.main == it.main) t = std::max(t, 0.9);
  return std::min(t, 0.99);
}

// The title part of the fuzzy score: every differing character costs 2.5 times its share.
double TitleScore(const View& q, const View& it) {
  double t = TitleSimilarity(q, it);
  return t >= 0.999 ? 1.0 : std::max(0.0, 1.0 - (1.0 - t) * 2.5);
}

// True when some word of one title has no similar word in the other ("sweet" against
// "secret"): another song rather than a typo.
bool HasForeignWord(std::string_view a, std::string_view b) {
  std::vector<std::string_view> wa = norm::Words(a), wb = norm::Words(b);
  if (wa.size() > wb.size()) std::swap(wa, wb);
  for (auto x : wa) {
    double best = 0.0;
    for (auto y : wb) {
      bool rhyme =
          x.size() == y.size() && x.size() > 1 && x[0] != y[0] && x.substr(1) == y.substr(1);
      best = std::max(best, x == y ? 1.0 : rhyme ? 0.0 : norm::Similarity(x, y));
      if (best >= 0.75) break;
    }
    if (best < 0.75) return true;
  }
  return false;
}

// Below it a fuzzy candidate is at best "needs review".
constexpr double kUnsureCap = 0.80;

// The fuzzy score of a candidate, or a negative value when it is ruled out.
double FuzzyScore(const View& q, const View& it) {
  double diff = DurationDiff(q, it);
  if (DurationRulesOut(diff, q, it)) return -1.0;
  if (VersionsConflict(q, it)) return -1.0;
  if (TitleSimilarity(q, it) < 0.75 || NumbersDiffer(q.core, it.core)) return -1.0;
  double title = TitleScore(q, it);
  double artist = ArtistScore(q, it);
  if (artist < 0.5) return -1.0;
  double duration = 0.8;
  if (diff >= 0) {
    duration = diff <= 1.5  ? 1.0
               : diff <= 3  ? 0.97
               : diff <= 6  ? 0.9
               : diff <= 10 ? 0.75
               : diff <= 15 ? 0.6
                            : 0.4;
  }
  double album = 0.5;
  if (!q.album.empty() && !it.album.empty()) {
    if (q.album == it.album) {
      album = 1.0;
    } else {
      double s = norm::Similarity(q.album, it.album);
      album = s >= 0.85 ? s : 0.3;
    }
  }
  double score = 0.45 * title + 0.30 * artist + 0.15 * duration + 0.10 * album;
  score -= SoftVersionPenalty(q, it);
  // Only a featured or secondary artist in common, or a different word in the title:
  // plausible, never certain.
  if (artist < 0.85) score = std::min(score, kUnsureCap);
  if (title < 1.0 &&
      (HasForeignWord(q.core, it.core) || norm::TokenSortSimilarity(q.core, it.core) >= 0.999)) {
    score = std::min(score, kUnsureCap);
  }
  return std::min(score, kFuzzyCap);
}

}  // namespace

const char* MatchMethodName(MatchMethod method) {
  switch (method) {
    case MatchMethod::kNone:
      return "none";
    case MatchMethod::kOverride:
      return "override";
    case MatchMethod::kSpotifyId:
      return "spotify_id";
    case MatchMethod::kIsrc:
      return "isrc";
    case MatchMethod::kExact:
      return "exact";
    case MatchMethod::kFuzzy:
      return "fuzzy";
  }
  return "none";
}

const char* MatchStatusName(MatchStatus status) {
  switch (status) {
    case MatchStatus::kMatched:
      return "matched";
    case MatchStatus::kReview:
      return "review";
    case MatchStatus::kUnmatched:
      return "unmatched";
  }
  return "unmatched";
}

void MatchOptions::Validate() const {
  if (!(min_confidence > 0.0 && min_confidence <= 1.0)) {
    throw MatchError("min_confidence must be in (0, 1], got " + std::to_string(min_confidence));
  }
  if (!(review_confidence >= 0.0 && review_confidence <= min_confidence)) {
    throw MatchError("review_confidence must be in [0, min_confidence], got " +
                     std::to_string(review_confidence));
  }
  if (threads < 1 || threads > 256) {
    throw MatchError("threads must be between 1 and 256, got " + std::to_string(threads));
  }
  if (max_runners_up < 0 || max_runners_up > 100) {
    throw MatchError("max_runners_up must be between 0 and 100");
  }
}

struct Matcher::Index {
  std::string arena;
  std::vector<ItemRecord> items;  // sorted by id
  std::vector<Ref> credit_refs;
  PostingList spotify_ids, isrcs, exact, credits, tokens;

  std::string_view Str(Ref ref) const {
    return std::string_view(arena).substr(ref.offset, ref.length);
  }

  View ItemView(uint32_t index) const {
    const ItemRecord& r = items[index];
    View v{Str(r.fields[kCore]),    Str(r.fields[kUnfolded]), Str(r.fields[kMain]),
           Str(r.fields[kRemixer]), Str(r.fields[kAlbum]),    Str(r.fields[kJoined]),
           Str(r.fields[kPrimary]), Str(r.fields[kIsrc]),     Str(r.fields[kSpotifyId])};
    v.credit_count = r.credit_count;
    v.artist_credit_count = r.artist_credit_count;
    for (size_t i = 0; i < r.credit_count; ++i) {
      v.credits[i] = Str(credit_refs[r.credits_begin + i]);
    }
    v.flags = r.flags;
    v.duration = r.duration;
    return v;
  }

  int64_t FindIndex(int64_t id) const {
    auto it = std::lower_bound(items.begin(), items.end(), id,
                               [](const ItemRecord& r, int64_t value) { return r.id < value; });
    if (it == items.end() || it->id != id) return -1;
    return it - items.begin();
  }
};

Matcher::Matcher(std::unique_ptr<Index> index, MatchOptions options)
    : index_(std::move(index)), options_(options) {}
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

size_t Matcher::size() const { return index_->items.size(); }

void Matcher::SetOverrides(MatchOverrides overrides) { overrides_ = std::move(overrides); }

Matcher Matcher::Build(std::vector<LibraryItem> items, MatchOptions options) {
  options.Validate();
  std::sort(items.begin(), items.end(),
            [](const LibraryItem& a, const LibraryItem& b) { return a.id < b.id; });
  auto index = std::make_unique<Index>();
  const size_t n = items.size();

  // 1. Features of every item, in parallel, into per-block arenas.
  constexpr size_t kBlock = 4096;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  struct BlockOut {
    std::string arena;
    std::vector<ItemRecord> records;
    std::vector<Ref> credits;
    PostingList spotify_ids, isrcs, exact, credit_postings, tokens;
  };
  std::vector<BlockOut> outs(blocks);
  ParallelFor(blocks, options.threads, 1, [&](size_t b) {
    BlockOut& out = outs[b];
    size_t begin = b * kBlock;
    size_t end = std::min(n, begin + kBlock);
    out.records.reserve(end - begin);
    ItemCache cache;
    for (size_t i = begin; i < end; ++i) {
      Features f = ItemFeatures(items[i], cache);
      ItemRecord record;
      record.id = items[i].id;
      auto put = [&](const std::string& s) {
        Ref ref{static_cast<uint32_t>(out.arena.size()), static_cast<uint32_t>(s.size())};
        out.arena += s;
        return ref;
      };
      record.fields[kCore] = put(f.core);
      record.fields[kUnfolded] = f.unfolded == f.core ? record.fields[kCore] : put(f.unfolded);
      record.fields[kMain] = f.main == f.core ? record.fields[kCore] : put(f.main);
      record.fields[kRemixer] = put(f.remixer);
      record.fields[kAlbum] = put(f.album);
      record.fields[kJoined] = put(f.joined);
      record.fields[kPrimary] = put(f.primary);
      record.fields[kIsrc] = put(f.isrc);
      record.fields[kSpotifyId] = put(f.spotify_id);
      record.credits_begin = static_cast<uint32_t>(out.credits.size());
      record.credit_count = static_cast<uint8_t>(f.credits.size());
      record.artist_credit_count = static_cast<uint8_t>(f.artist_credit_count);
      for (const auto& credit : f.credits) out.credits.push_back(put(credit));
      record.flags = f.flags;
      record.duration = static_cast<float>(f.duration);
      out.records.push_back(record);
      auto item = static_cast<uint32_t>(i);
      if (!f.spotify_id.empty()) out.spotify_ids.push_back({Hash(f.spotify_id), item});
      if (!f.isrc.empty()) out.isrcs.push_back({Hash(f.isrc), item});
      for (const auto& credit : f.credits) {
        out.exact.push_back({ExactKey(f.core, credit), item});
        out.credit_postings.push_back({Hash(credit), item});
      }
      std::vector<std::string_view> words = norm::Words(f.core);
      std::sort(words.begin(), words.end());
      words.erase(std::unique(words.begin(), words.end()), words.end());
      for (auto word : words) out.tokens.push_back({Hash(word), item});
    }
  });

  // 2. Concatenate the blocks (offsets shift), then sort each posting list.
  size_t arena_size = 0, credit_count = 0;
  for (const auto& out : outs) {
    arena_size += out.arena.size();
    credit_count += out.credits.size();
  }
  if (arena_size > UINT32_MAX) throw MatchError("library too large to index (string arena)");
  index->arena.reserve(arena_size);
  index->items.reserve(n);
  index->credit_refs.reserve(credit_count);
  std::array<PostingList*, 5> lists = {&index->spotify_ids, &index->isrcs, &index->exact,
                                       &index->credits, &index->tokens};
  for (auto& out : outs) {
    auto shift = static_cast<uint32_t>(index->arena.size());
    auto credit_shift = static_cast<uint32_t>(index->credit_refs.size());
    index->arena += out.arena;
    for (auto record : out.records) {
      for (auto& field : record.fields) field.offset += shift;
      record.credits_begin += credit_shift;
      index->items.push_back(record);
    }
    for (auto ref : out.credits) index->credit_refs.push_back({ref.offset + shift, ref.length});
    std::array<PostingList*, 5> from = {&out.spotify_ids, &out.isrcs, &out.exact,
                                        &out.credit_postings, &out.tokens};
    for (size_t l = 0; l < lists.size(); ++l) {
      lists[l]->insert(lists[l]->end(), from[l]->begin(), from[l]->end());
    }
    out = BlockOut();
  }
  outs.clear();
  items.clear();
  items.shrink_to_fit();
  ParallelFor(lists.size(), options.threads, 1, [&](size_t l) {
    PostingList& list = *lists[l];
    std::sort(list.begin(), list.end());
    list.shrink_to_fit();
  });
  return Matcher(std::move(index), options);
}

MatchResult Matcher::Match(const Track& track) const {
  const Index& index = *index_;
  MatchResult result;
  result.track_id = track.id;
  Features features = TrackFeatures(track);
  View q = features.AsView();

  std::vector<int64_t> rejected;
  if (!track.id.empty()) {
    auto found = overrides_.find(track.id);
    if (found != overrides_.end()) {
      for (const auto& decision : found->second) {
        if (decision.action == MatchOverride::Action::kAccept &&
            index.FindIndex(decision.item_id) >= 0) {
          result.item_id = decision.item_id;
          result.method = MatchMethod::kOverride;
          result.status = MatchStatus::kMatched;
          result.confidence = 1.0;
          return result;
        }
        if (decision.action == MatchOverride::Action::kReject) {
          if (decision.item_id == 0) {
            result.method = MatchMethod::kOverride;
            result.status = MatchStatus::kUnmatched;
            return result;
          }
          rejected.push_back(decision.item_id);
        }
      }
    }
  }
  auto is_rejected = [&](uint32_t item) {
    return !rejected.empty() &&
           std::find(rejected.begin(), rejected.end(), index.items[item].id) != rejected.end();
  };
  auto describe = [&](uint32_t item, double score) {
    Scored s;
    s.item = item;
    s.score = score;
    View it = index.ItemView(item);
    s.same_album = !q.album.empty() && q.album == it.album;
    double diff = DurationDiff(q, it);
    s.duration_diff = diff < 0 ? 1e6 : diff;
    return s;
  };
  auto finish = [&](std::vector<Scored>& ranked, MatchMethod method) {
    const Scored& best = ranked.front();
    result.item_id = index.items[best.item].id;
    result.method = method;
    result.confidence = std::clamp(best.score, 0.0, 1.0);
    result.status = result.confidence >= options_.min_confidence      ? MatchStatus::kMatched
                    : result.confidence >= options_.review_confidence ? MatchStatus::kReview
                                                                      : MatchStatus::kUnmatched;
    if (result.status == MatchStatus::kUnmatched) result.item_id = 0;
    for (size_t i = result.status == MatchStatus::kUnmatched ? 0 : 1;
         i < ranked.size() &&
         result.runners_up.size() < static_cast<size_t>(options_.max_runners_up);
         ++i) {
      result.runners_up.push_back({index.items[ranked[i].item].id, ranked[i].score});
    }
    return result;
  };
  // Copies of one recording, decided by an identifier: best copy first.
  auto by_identifier = [&](const PostingList& list, std::string_view key, bool check_sanity,
                           MatchMethod method) -> bool {
    if (key.empty()) return false;
    auto [begin, end] = Lookup(list, Hash(key));
    std::vector<Scored> ranked;
    for (auto p = begin; p != end; ++p) {
      if (is_rejected(p->item)) continue;
      View it = index.ItemView(p->item);
      if ((method == MatchMethod::kIsrc ? it.isrc : it.spotify_id) != key) continue;
      // A wrong ISRC in a tag happens: it must at least look like the same song.
      if (check_sanity && norm::Similarity(q.core, it.core) < 0.6 && ArtistScore(q, it) < 0.6) {
        continue;
      }
      ranked.push_back(describe(p->item, 1.0));
    }
    if (ranked.empty()) return false;
    std::sort(ranked.begin(), ranked.end(), BetterCopy);
    finish(ranked, method);
    return true;
  };
  if (by_identifier(index.spotify_ids, q.spotify_id, false, MatchMethod::kSpotifyId)) {
    return result;
  }
  if (by_identifier(index.isrcs, q.isrc, true, MatchMethod::kIsrc)) return result;

  // Exact: same normalised title and a shared credit; versions and duration agree.
  {
    std::vector<uint32_t> seen;
    std::vector<Scored> ranked;
    for (size_t c = 0; c < q.credit_count; ++c) {
      auto [begin, end] = Lookup(index.exact, ExactKey(q.core, q.credits[c]));
      for (auto p = begin; p != end; ++p) {
        if (std::find(seen.begin(), seen.end(), p->item) != seen.end()) continue;
        seen.push_back(p->item);
        if (is_rejected(p->item)) continue;
        View it = index.ItemView(p->item);
        if (it.core != q.core || VersionsConflict(q, it)) continue;
        if (!it.HasArtistCredit(q.primary)) continue;
        double diff = DurationDiff(q, it);
        if (diff > kExactDurationTolerance) continue;
        double penalty = SoftVersionPenalty(q, it);
        double confidence = kExactConfidence - penalty;
        if (it.unfolded != q.unfolded) confidence -= 0.02;  // differs only in accents
        if (diff > 3.0) confidence -= 0.02;
        ranked.push_back(describe(p->item, confidence));
        ranked.back().version_penalty = penalty;
        ranked.back().agreement =
            ArtistScore(q, it) + (!q.remixer.empty() && q.remixer == it.remixer ? 1.0 : 0.0);
      }
    }
    if (!ranked.empty()) {
      std::sort(ranked.begin(), ranked.end(), [](const Scored& a, const Scored& b) {
        if (a.version_penalty != b.version_penalty) return a.version_penalty < b.version_penalty;
        if (a.agreement != b.agreement) return a.agreement > b.agreement;
        return BetterCopy(a, b);
      });
      finish(ranked, MatchMethod::kExact);
      return result;
    }
  }

  // Fuzzy: candidates from the artist and title-token indexes, never the whole library.
  // The artist's items first; items sharing title words only when that found nothing
  // plausible (an artist spelled differently).
  auto in_window = [&](uint32_t item) {
    float d = index.items[item].duration;
    if (q.duration <= 0 || d <= 0) return true;
    double limit = std::max(20.0, 0.1 * std::max<double>(q.duration, d));
    return std::fabs(q.duration - d) <= limit;
  };
  std::vector<uint32_t> scored;
  std::vector<Scored> ranked;
  auto score_all = [&](std::vector<uint32_t>& candidates) {
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (uint32_t item : candidates) {
      if (std::binary_search(scored.begin(), scored.end(), item) || is_rejected(item)) continue;
      View it = index.ItemView(item);
      // Titles of very different lengths cannot be similar enough (cheap check first).
      size_t a = q.core.size(), b = it.core.size();
      if (std::min(a, b) * 4 < std::max(a, b) * 3 && q.main != it.main) continue;
      double score = FuzzyScore(q, it);
      if (score >= 0) ranked.push_back(describe(item, score));
    }
    std::vector<uint32_t> merged;
    std::merge(scored.begin(), scored.end(), candidates.begin(), candidates.end(),
               std::back_inserter(merged));
    scored.swap(merged);
  };
  std::vector<uint32_t> candidates;
  for (size_t c = 0; c < q.credit_count; ++c) {
    auto [begin, end] = Lookup(index.credits, Hash(q.credits[c]));
    if (static_cast<size_t>(end - begin) > kMaxCreditPostings) continue;
    for (auto p = begin; p != end; ++p) {
      if (in_window(p->item)) candidates.push_back(p->item);
    }
  }
  score_all(candidates);
  bool plausible = false;
  for (const auto& s : ranked) plausible = plausible || s.score >= options_.review_confidence;
  if (!plausible) {
    candidates.clear();
    std::vector<std::pair<size_t, uint64_t>> known;  // (postings, token hash)
    for (auto word : norm::Words(q.core)) {
      uint64_t key = Hash(word);
      size_t count = CountPostings(index.tokens, key);
      if (count > 0) known.emplace_back(count, key);
    }
    std::sort(known.begin(), known.end());
    known.erase(std::unique(known.begin(), known.end()), known.end());
    if (known.size() == 1 && known[0].first <= kMaxTokenPostings) {
      auto [begin, end] = Lookup(index.tokens, known[0].second);
      for (auto p = begin; p != end; ++p) {
        if (in_window(p->item)) candidates.push_back(p->item);
      }
    } else if (known.size() >= 2) {
      // Items holding the two rarest known words (a typo in one word leaves others).
      auto [a_begin, a_end] = Lookup(index.tokens, known[0].second);
      auto [b_begin, b_end] = Lookup(index.tokens, known[1].second);
      if (static_cast<size_t>(a_end - a_begin) <= kMaxTokenPostings * 4) {
        auto b = b_begin;
        for (auto a = a_begin; a != a_end; ++a) {
          while (b != b_end && b->item < a->item) ++b;
          if (b == b_end) break;
          if (b->item == a->item && in_window(a->item)) candidates.push_back(a->item);
        }
      }
    }
    score_all(candidates);
  }
  if (ranked.empty()) return result;
  std::sort(ranked.begin(), ranked.end(), ByScore);
  // Copies of the best recording within a hair of its score: the best copy wins.
  {
    std::string_view best_core = index.ItemView(ranked[0].item).core;
    size_t same = 1;
    while (same < ranked.size() && ranked[same].score >= ranked[0].score - 0.03 &&
           index.ItemView(ranked[same].item).core == best_core) {
      ++same;
    }
    std::sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(same), BetterCopy);
    double top = ranked[0].score;
    for (size_t i = 1; i < same; ++i) top = std::max(top, ranked[i].score);
    ranked[0].score = top;
    // Another song almost as good: not decisive.
    if (same < ranked.size() && ranked[same].score >= top - 0.03 &&
        index.ItemView(ranked[same].item).core != best_core) {
      ranked[0].score = top - 0.05;
    }
  }
  finish(ranked, MatchMethod::kFuzzy);
  return result;
}

std::vector<MatchResult> Matcher::MatchAll(const std::vector<Track>& tracks) const {
  std::vector<MatchResult> results(tracks.size());
  ParallelFor(tracks.size(), options_.threads, 64,
              [&](size_t i) { results[i] = Match(tracks[i]); });
  return results;
}

}  // namespace spotify_extract
