#include "match/matcher.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <iterator>
#include <numeric>
#include <span>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "library/text_arena.h"
#include "match/normalize.h"

namespace spotify_extract {
namespace {

constexpr size_t kMaxCredits = 8;
constexpr double kExactConfidence = 0.95;
constexpr double kFuzzyCap = 0.94;
constexpr double kExactDurationTolerance = 10.0;  // seconds
constexpr size_t kMaxCreditPostings = 5000;       // larger artist catalogues use titles
constexpr size_t kMaxTokenPostings = 8000;
// Below these similarities a title rules a candidate out, an artist name cannot lift the
// artist score to 0.5, and an album counts as different: FarApart may skip computing them.
constexpr double kTitleFloor = 0.75;
constexpr double kArtistFloor = 0.8;
constexpr double kAlbumFloor = 0.85;
// Durations further apart than either bound are another cut or recording as often as
// not: such a fuzzy candidate is at best "needs review" (kUnsureCap).
constexpr double kSureDurationGap = 20.0;    // seconds
constexpr double kSureDurationShare = 0.15;  // of the shorter duration

uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

uint64_t Combine(uint64_t a, uint64_t b) {
  return a ^ (b + 0x9E3779B97F4A7C15ULL + (a << 12) + (a >> 4));
}

// Index keys are 32-bit: every lookup compares the real strings afterwards, so a rare
// collision costs a wasted candidate, never a wrong match, and postings halve in size.
uint32_t Key(uint64_t hash) { return static_cast<uint32_t>(hash ^ (hash >> 32)); }
uint32_t Key(std::string_view text) { return Key(Hash(text)); }

uint32_t ExactKey(uint64_t title_hash, std::string_view credit) {
  return Key(Combine(title_hash * 0x100000001B3ULL, Hash(credit)));
}

// The words of a title beyond this many are not paired (few titles are that long).
constexpr size_t kMaxPairedWords = 12;

// Two distinct words of one title, in either order.
uint32_t PairKey(std::string_view a, std::string_view b) {
  if (b < a) std::swap(a, b);
  return Key(Combine(Hash(a) * 0x100000001B3ULL, Hash(b) + 1));
}

// Which characters a folded title holds (letters and digits one bit each, other bytes
// share the rest), spaces ignored. Every edit changes at most two bits, so half the bits
// in which two masks differ bound the edit distance from below: most unrelated titles
// are ruled out without computing it.
uint64_t CharMask(std::string_view text) {
  static constexpr auto kBits = [] {
    std::array<uint8_t, 256> bits{};
    for (int c = 0; c < 256; ++c) {
      bits[c] = c >= 'a' && c <= 'z'   ? static_cast<uint8_t>(c - 'a')
                : c >= '0' && c <= '9' ? static_cast<uint8_t>(26 + c - '0')
                                       : static_cast<uint8_t>(36 + c % 28);
    }
    return bits;
  }();
  uint64_t mask = 0;
  for (char c : text) {
    if (c != ' ') mask |= uint64_t{1} << kBits[static_cast<unsigned char>(c)];
  }
  return mask;
}

// True when two folded strings cannot be `floor` similar (Similarity, or
// TokenSortSimilarity, which keeps lengths and characters): by their lengths, or because
// the edit distance the masks imply exceeds what the floor allows.
bool FarApart(size_t a_size, uint64_t a_mask, size_t b_size, uint64_t b_mask, double floor) {
  const size_t longer = std::max(a_size, b_size);
  if (longer == 0) return false;
  const size_t shorter = std::min(a_size, b_size);
  if (static_cast<double>(shorter) < floor * static_cast<double>(longer)) return true;
  const auto min_distance = static_cast<double>((std::popcount(a_mask ^ b_mask) + 1) / 2);
  return min_distance > (1.0 - floor) * static_cast<double>(longer);
}

// A matching side (track or item), as views into its strings.
struct View {
  std::string_view core, unfolded, main, remixer, album, album_full, joined, primary, isrc,
      spotify_id;
  std::span<const std::string_view> credits;
  size_t artist_credit_count = 0;  // credits[0, n) come from the artist fields
  uint32_t flags = 0;
  int remaster_year = 0;
  double duration = 0.0;  // seconds, 0 = unknown
  uint64_t core_mask = 0, album_mask = 0, joined_mask = 0, primary_mask = 0;  // CharMask

  bool HasCredit(std::string_view key) const { return Has(key, credits.size()); }
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

// Artist credit keys, deduplicated, at most kMaxCredits.
void AddCredit(std::vector<std::string>& credits, std::string key) {
  if (key.empty() || credits.size() >= kMaxCredits) return;
  if (std::find(credits.begin(), credits.end(), key) != credits.end()) return;
  credits.push_back(std::move(key));
}

// The normalised artist fields of one side.
struct ArtistFeatures {
  std::string joined, primary;
  std::vector<std::string> credits;  // artist credits first, then featured ones
  size_t artist_credit_count = 0;
};

// The normalised fields of a Spotify track, owning their strings.
struct TrackFeatures {
  ArtistFeatures artists;
  norm::ParsedTitle title;
  norm::ParsedAlbum album;
  std::string isrc, spotify_id;
  double duration = 0.0;
  std::vector<std::string_view> credit_views;

  explicit TrackFeatures(const Track& track) {
    std::string joined;
    std::vector<std::string_view> names;
    for (const auto& artist : track.artists) {
      if (artist.name.empty()) continue;
      if (!joined.empty()) joined += ", ";
      joined += artist.name;
      names.push_back(artist.name);
    }
    artists.joined = norm::ArtistKey(joined);
    // Spotify lists artists one by one: their names are not split further, except a
    // single credit string (data exports) that names several.
    for (auto name : names) AddCredit(artists.credits, norm::ArtistKey(name));
    if (names.size() == 1) {
      for (const auto& part : norm::SplitArtists(names[0])) {
        AddCredit(artists.credits, norm::ArtistKey(part));
      }
    }
    artists.primary = names.empty() ? std::string() : norm::ArtistKey(names[0]);
    artists.artist_credit_count = artists.credits.size();
    album = norm::ParseAlbum(track.album_name);
    title = norm::ParseTitle(track.name);
    for (const auto& name : title.featured) AddCredit(artists.credits, norm::ArtistKey(name));
    isrc = norm::CanonicalIsrc(track.isrc);
    spotify_id = track.id;
    duration = track.duration_ms > 0 ? track.duration_ms / 1000.0 : 0.0;
    credit_views.assign(artists.credits.begin(), artists.credits.end());
  }

  View AsView() const {
    View v;
    v.core = title.core;
    v.unfolded = title.core_unfolded;
    v.main = title.main;
    v.remixer = title.remixer;
    v.album = album.key;
    v.album_full = album.full;
    v.joined = artists.joined;
    v.primary = artists.primary;
    v.isrc = isrc;
    v.spotify_id = spotify_id;
    v.credits = credit_views;
    v.artist_credit_count = artists.artist_credit_count;
    v.flags = title.flags | album.flags;
    v.remaster_year = title.remaster_year;
    v.duration = duration;
    v.core_mask = CharMask(v.core);
    v.album_mask = CharMask(v.album);
    v.joined_mask = CharMask(v.joined);
    v.primary_mask = CharMask(v.primary);
    return v;
  }
};

// The artist fields of a library item (`artist` and the multi-valued `artists`).
ArtistFeatures ItemArtistFeatures(std::string_view artist, const MultiValueView& artists) {
  ArtistFeatures a;
  a.joined = norm::ArtistKey(artist);
  // `artists` usually repeats `artist` (one credited artist): fold that name once.
  auto key = [&](std::string_view name) {
    return name == artist ? a.joined : norm::ArtistKey(name);
  };
  std::vector<std::string> parts = norm::SplitArtists(artist);
  if (!artists.empty()) {
    a.primary = key(artists[0]);
  } else if (!parts.empty()) {
    a.primary = norm::ArtistKey(parts[0]);
  }
  AddCredit(a.credits, a.joined);
  for (std::string_view name : artists) AddCredit(a.credits, key(name));
  for (const auto& part : parts) AddCredit(a.credits, norm::ArtistKey(part));
  if (a.primary.empty()) a.primary = a.joined;
  a.artist_credit_count = a.credits.size();
  return a;
}

// A set of artist credits in the index, shared by every item with the same artist fields
// (and the same featured artists in the title, for the few titles that name some).
struct CreditSet {
  std::string_view joined, primary;
  uint64_t joined_mask = 0, primary_mask = 0;
  uint32_t credits_begin = 0;  // into Index::credit_views
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
  uint32_t title = 0;       // into Index::titles
  uint32_t credit_set = 0;  // into Index::credit_sets
  uint32_t album = 0;       // into Index::albums
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

std::pair<PostingList::const_iterator, PostingList::const_iterator> Lookup(const PostingList& list,
                                                                           uint32_t key) {
  struct ByKey {
    bool operator()(const Posting& p, uint32_t k) const { return p.key < k; }
    bool operator()(uint32_t k, const Posting& p) const { return k < p.key; }
  };
  return std::equal_range(list.begin(), list.end(), key, ByKey{});
}

size_t CountPostings(const PostingList& list, uint32_t key) {
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
  bool same_version = false;  // remastered (and when) on both sides or on neither
  bool same_edition = false;  // the album names agree, edition tags included
  double duration_diff = 1e9;
  double version_penalty = 0.0;  // exact tier: a copy of the very version comes first
  double agreement = 0.0;        // exact tier: artist credits and remixer agreeing
};

// Orders equally good copies of one recording: same album, the title's remaster tag as
// given ("Coração" before "Coração (Remastered 2009)"), the same album edition, closest
// duration, lowest id.
bool BetterCopy(const Scored& a, const Scored& b) {
  if (a.same_album != b.same_album) return a.same_album;
  if (a.same_version != b.same_version) return a.same_version;
  if (a.same_edition != b.same_edition) return a.same_edition;
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
  for (std::string_view credit : q.credits) {
    if (it.HasCredit(credit)) ++shared;
  }
  // The track's lead artist is credited on the item.
  if (it.HasArtistCredit(q.primary)) return shared == q.credits.size() ? 1.0 : 0.95;
  // Only the item's lead is among the track's other artists: plausible, not sure
  // ("Summer" by A feat. B against B's own "Summer").
  if (q.HasArtistCredit(it.primary)) return 0.84;
  if (shared > 0) return 0.8;
  // Names below kArtistFloor give a score under 0.5 however they compare: skipped.
  auto similarity = [](std::string_view a, uint64_t a_mask, std::string_view b, uint64_t b_mask,
                       auto&& measure) {
    if (a.empty() || b.empty() || FarApart(a.size(), a_mask, b.size(), b_mask, kArtistFloor)) {
      return 0.0;
    }
    return measure(a, b);
  };
  auto plain = [](std::string_view a, std::string_view b) { return norm::Similarity(a, b); };
  double best = std::max({similarity(q.primary, q.primary_mask, it.primary, it.primary_mask, plain),
                          similarity(q.primary, q.primary_mask, it.joined, it.joined_mask, plain),
                          similarity(q.joined, q.joined_mask, it.primary, it.primary_mask, plain),
                          similarity(q.joined, q.joined_mask, it.joined, it.joined_mask, plain)});
  if (best < 0.85) {
    best = std::max(best, similarity(q.joined, q.joined_mask, it.joined, it.joined_mask,
                                     [](std::string_view a, std::string_view b) {
                                       return norm::TokenSortSimilarity(a, b);
                                     }));
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
  // Below kTitleFloor a candidate is ruled out, so the exact value does not matter there.
  double t = norm::SimilarityAtLeast(q.core, it.core, kTitleFloor);
  if (t < 0.9) {
    t = std::max(t, std::min(0.9, norm::TokenSortSimilarity(q.core, it.core, kTitleFloor)));
  }
  if ((q.main != q.core || it.main != it.core) && q.main == it.main) t = std::max(t, 0.9);
  return std::min(t, 0.99);
}

// The title part of the fuzzy score: every differing character costs 2.5 times its share.
double TitleScore(double t) { return t >= 0.999 ? 1.0 : std::max(0.0, 1.0 - (1.0 - t) * 2.5); }

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
  double artist = ArtistScore(q, it);
  if (artist < 0.5) return -1.0;
  double similarity = TitleSimilarity(q, it);
  if (similarity < kTitleFloor || NumbersDiffer(q.core, it.core)) return -1.0;
  double title = TitleScore(similarity);
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
    } else if (!FarApart(q.album.size(), q.album_mask, it.album.size(), it.album_mask,
                         kAlbumFloor)) {
      double s = norm::Similarity(q.album, it.album);
      album = s >= kAlbumFloor ? s : 0.3;
    } else {
      album = 0.3;
    }
  }
  double score = 0.45 * title + 0.30 * artist + 0.15 * duration + 0.10 * album;
  score -= SoftVersionPenalty(q, it);
  // Only a featured or secondary artist in common, or a different word in the title:
  // plausible, never certain.
  if (artist < 0.85) score = std::min(score, kUnsureCap);
  if (diff > kSureDurationGap || diff > kSureDurationShare * std::min(q.duration, it.duration)) {
    score = std::min(score, kUnsureCap);
  }
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

namespace {

// Everything the matcher searches: Matcher::Index is this, built by IndexBuilder.
struct IndexData {
  // Items and titles are processed in chunks of 4096, each chunk writing its own arena.
  static constexpr size_t kChunkShift = 12;
  static constexpr size_t kChunk = size_t{1} << kChunkShift;
  static constexpr size_t kChunkArenaBlock = size_t{1} << 15;

  std::vector<ItemRecord> items;       // sorted by id
  std::vector<float> durations;        // seconds (0 = unknown), apart: read for every posting
  std::vector<TextArena> item_arenas;  // ISRCs and Spotify ids, one arena per chunk of items
  std::vector<TitleEntry> titles;
  std::vector<TextArena> title_arenas;      // one per chunk of titles
  TextArena shared_arena{size_t{1} << 16};  // credit sets and album keys
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

  View ItemView(uint32_t index) const {
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

  std::span<const std::string_view> Credits(uint32_t credit_set) const {
    const CreditSet& set = credit_sets[credit_set];
    return std::span<const std::string_view>(credit_views)
        .subspan(set.credits_begin, set.credit_count);
  }

  int64_t FindIndex(int64_t id) const {
    auto it = std::lower_bound(items.begin(), items.end(), id,
                               [](const ItemRecord& r, int64_t value) { return r.id < value; });
    if (it == items.end() || it->id != id) return -1;
    return it - items.begin();
  }

  uint32_t AddCreditSet(const ArtistFeatures& artists) {
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
};

// Items with equal `artist` and `artists` fields, found by position in the library.
struct SameArtistFields {
  const LibraryItems* items;
  size_t operator()(uint32_t i) const {
    LibraryItemView item = (*items)[i];
    uint64_t hash = Hash(item.artist);
    for (std::string_view name : item.artists) hash = Combine(hash, Hash(name));
    return hash;
  }
  bool operator()(uint32_t a, uint32_t b) const {
    LibraryItemView x = (*items)[a], y = (*items)[b];
    if (x.artist != y.artist || x.artists.size() != y.artists.size()) return false;
    for (size_t i = 0; i < x.artists.size(); ++i) {
      if (x.artists[i] != y.artists[i]) return false;
    }
    return true;
  }
};

// Numbers the distinct values among `keys`: group[i] is the number of keys[i]'s value,
// first[g] the position of one key with value g.
template <typename Key, typename Hasher = std::hash<Key>, typename Equal = std::equal_to<Key>>
void GroupEqual(const std::vector<Key>& keys, std::vector<uint32_t>& group,
                std::vector<uint32_t>& first, const Hasher& hasher = {}, const Equal& equal = {}) {
  std::unordered_map<Key, uint32_t, Hasher, Equal> seen(keys.size() / 4 + 1, hasher, equal);
  group.resize(keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) {
    // The tracks of an album usually follow each other: compare with the previous first.
    if (i > 0 && equal(keys[i], keys[i - 1])) {
      group[i] = group[i - 1];
      continue;
    }
    auto [found, added] = seen.try_emplace(keys[i], static_cast<uint32_t>(first.size()));
    if (added) first.push_back(i);
    group[i] = found->second;
  }
}

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
void ParseTitles(const LibraryItems& items, const std::vector<uint32_t>& title_first, size_t begin,
                 size_t end, TextArena& arena, std::vector<TitleEntry>& titles,
                 std::vector<TitleKeys>& keys, TitleChunk& chunk) {
  std::vector<std::string_view> words;
  for (size_t t = begin; t < end; ++t) {
    norm::ParsedTitle parsed = norm::ParseTitle(items[title_first[t]].title);
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
  IndexBuilder(const LibraryItems& items, int threads, IndexData& index)
      : items_(items), n_(items.size()), threads_(threads), index_(index) {}

  void Build() {
    GroupDistinctValues();
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

  // Artist fields, album names and titles repeat across a library (the tracks of an
  // album; "Intro"; one song on several albums): equal ones are grouped, so that each
  // distinct value is normalised once and stored once.
  void GroupDistinctValues() {
    ParallelFor(3, threads_, 1, [&](size_t which) {
      if (which == 0) GroupEqual(Field(&LibraryItemView::title), title_group_, title_first_);
      if (which == 1) GroupEqual(Field(&LibraryItemView::album), album_group_, album_first_);
      if (which == 2) {
        std::vector<uint32_t> positions(n_);
        std::iota(positions.begin(), positions.end(), 0);
        SameArtistFields same{&items_};
        GroupEqual(positions, artist_group_, artist_first_, same, same);
      }
    });
  }

  // One text field of every item.
  std::vector<std::string_view> Field(std::string_view LibraryItemView::*field) const {
    std::vector<std::string_view> values(n_);
    for (size_t i = 0; i < n_; ++i) values[i] = items_[i].*field;
    return values;
  }

  void AddCreditSets() {
    std::vector<ArtistFeatures> artists(artist_first_.size());
    ParallelFor(artists.size(), threads_, 256, [&](size_t g) {
      LibraryItemView item = items_[artist_first_[g]];
      artists[g] = ItemArtistFeatures(item.artist, item.artists);
    });
    index_.credit_sets.reserve(artists.size());
    for (const ArtistFeatures& features : artists) index_.AddCreditSet(features);
  }

  void AddAlbums() {
    std::vector<norm::ParsedAlbum> albums(album_first_.size());
    ParallelFor(albums.size(), threads_, 256,
                [&](size_t g) { albums[g] = norm::ParseAlbum(items_[album_first_[g]].album); });
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
    const size_t count = title_first_.size();
    index_.titles.resize(count);
    title_keys_.resize(count);
    title_chunks_.resize(Chunks(count));
    for (size_t c = 0; c < Chunks(count); ++c) {
      index_.title_arenas.emplace_back(IndexData::kChunkArenaBlock);
    }
    ForEachChunk(count, threads_, [&](size_t c, size_t begin, size_t end) {
      ParseTitles(items_, title_first_, begin, end, index_.title_arenas[c], index_.titles,
                  title_keys_, title_chunks_[c]);
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
    LibraryItemView item = items_[i];
    const TitleKeys& keys = title_keys_[title_group_[i]];
    ItemRecord& record = index_.items[i];
    record.id = item.id;
    record.title = title_group_[i];
    record.credit_set = artist_group_[i];
    record.album = album_group_[i];
    record.flags = index_.titles[record.title].flags | index_.albums[record.album].flags;
    index_.durations[i] = item.length > 0 ? static_cast<float>(item.length) : 0.0f;
    const std::string isrc = norm::CanonicalIsrc(item.isrc);
    record.isrc = arena.Add(isrc);
    std::string_view spotify_id = item.spotify_track_id;
    if (spotify_id.empty() && (item.data_source == "Spotify" || item.data_source == "spotify")) {
      spotify_id = item.mb_trackid;
    }
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

  const LibraryItems& items_;
  const size_t n_;
  const int threads_;
  IndexData& index_;
  // Per item, its group; per group, one item holding its value.
  std::vector<uint32_t> title_group_, artist_group_, album_group_;
  std::vector<uint32_t> title_first_, artist_first_, album_first_;
  std::vector<TitleKeys> title_keys_;
  std::vector<TitleChunk> title_chunks_;
  std::vector<Counts> offsets_;  // postings per chunk of items, then where each chunk starts
};

}  // namespace

struct Matcher::Index : IndexData {};

Matcher::Matcher(std::unique_ptr<Index> index, MatchOptions options)
    : index_(std::move(index)), options_(options) {}
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

size_t Matcher::size() const { return index_->items.size(); }

void Matcher::SetOverrides(MatchOverrides overrides) { overrides_ = std::move(overrides); }

Matcher Matcher::Build(const LibraryItems& items, MatchOptions options) {
  options.Validate();
  if (items.size() >= kLocalSet) throw MatchError("library too large to index");
  auto index = std::make_unique<Index>();
  IndexBuilder(items, options.threads, *index).Build();
  return Matcher(std::move(index), options);
}

MatchResult Matcher::Match(const Track& track) const {
  const Index& index = *index_;
  MatchResult result;
  result.track_id = track.id;
  const TrackFeatures features(track);
  const View q = features.AsView();

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
    s.same_edition = s.same_album && q.album_full == it.album_full;
    s.same_version =
        ((q.flags ^ it.flags) & norm::kRemaster) == 0 && q.remaster_year == it.remaster_year;
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
    auto [begin, end] = Lookup(list, Key(key));
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
    for (size_t c = 0; c < q.credits.size(); ++c) {
      auto [begin, end] = Lookup(index.exact, ExactKey(Hash(q.core), q.credits[c]));
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
    float d = index.durations[item];
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
      // Cheap checks on the record first: titles too far apart to be similar enough,
      // unless their main parts are equal (TitleSimilarity's other way to pass).
      const TitleEntry& title = index.Title(item);
      if (FarApart(q.core.size(), q.core_mask, title.core.size, title.core_mask, kTitleFloor) &&
          index.Main(item) != q.main) {
        continue;
      }
      View it = index.ItemView(item);
      double score = FuzzyScore(q, it);
      if (score >= 0) ranked.push_back(describe(item, score));
    }
    std::vector<uint32_t> merged;
    std::merge(scored.begin(), scored.end(), candidates.begin(), candidates.end(),
               std::back_inserter(merged));
    scored.swap(merged);
  };
  std::vector<uint32_t> candidates;
  for (size_t c = 0; c < q.credits.size(); ++c) {
    auto [begin, end] = Lookup(index.credits, Key(q.credits[c]));
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
    // (postings, word) of the title's words the library knows, rarest first.
    std::vector<std::pair<size_t, std::string_view>> known;
    for (auto word : norm::Words(q.core)) {
      size_t count = CountPostings(index.tokens, Key(word));
      if (count > 0) known.emplace_back(count, word);
    }
    std::sort(known.begin(), known.end());
    known.erase(std::unique(known.begin(), known.end()), known.end());
    auto add_window =
        [&](std::pair<PostingList::const_iterator, PostingList::const_iterator> range) {
          for (auto p = range.first; p != range.second; ++p) {
            if (in_window(p->item)) candidates.push_back(p->item);
          }
        };
    if (known.size() == 1 && known[0].first <= kMaxTokenPostings) {
      add_window(Lookup(index.tokens, Key(known[0].second)));
    } else if (known.size() >= 2 && known[0].first <= kMaxTokenPostings * 4) {
      // Items holding the two rarest known words (a typo in one word leaves others).
      add_window(Lookup(index.word_pairs, PairKey(known[0].second, known[1].second)));
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
