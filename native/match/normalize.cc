#include "match/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace spotify_extract::norm {
namespace {

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool IsAsciiAlnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Decodes UTF-8, dropping invalid bytes (hostile input must not throw or crash).
std::u32string DecodeLenient(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      ++p;
      --left;
      continue;
    }
    out.push_back(static_cast<char32_t>(cp));
    p += n;
    left -= n;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  utf8proc_uint8_t buffer[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

// utf8proc_decompose into code points; false when `text` is not valid UTF-8.
bool DecomposeValid(std::string_view text, std::u32string& out) {
  const auto options = static_cast<utf8proc_option_t>(
      UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_LUMP |
      UTF8PROC_IGNORE | UTF8PROC_STRIPCC | UTF8PROC_NLF2LS);
  const auto* input = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto length = static_cast<utf8proc_ssize_t>(text.size());
  out.assign(text.size() * 2 + 8, U'\0');
  for (;;) {
    utf8proc_ssize_t n =
        utf8proc_decompose(input, length, reinterpret_cast<utf8proc_int32_t*>(out.data()),
                           static_cast<utf8proc_ssize_t>(out.size()), options);
    if (n < 0) return false;
    const bool fits = static_cast<size_t>(n) <= out.size();
    out.resize(static_cast<size_t>(n));
    if (fits) return true;
  }
}

// Decomposes (NFKD + case fold + lumping + ignorables removed) into code points. Invalid
// UTF-8 bytes are dropped first (hostile input must not throw or crash).
std::u32string Decompose(std::string_view text) {
  std::u32string out;
  if (DecomposeValid(text, out)) return out;
  std::string valid;
  valid.reserve(text.size());
  for (char32_t cp : DecodeLenient(text)) AppendUtf8(valid, cp);
  if (!DecomposeValid(valid, out)) out.clear();
  return out;
}

void Compose(std::u32string& cps) {
  if (cps.empty()) return;
  utf8proc_ssize_t n = utf8proc_normalize_utf32(
      reinterpret_cast<utf8proc_int32_t*>(cps.data()), static_cast<utf8proc_ssize_t>(cps.size()),
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n >= 0) cps.resize(static_cast<size_t>(n));
}

bool IsMark(utf8proc_category_t category) {
  return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
         category == UTF8PROC_CATEGORY_ME;
}

bool IsLetterOrNumber(utf8proc_category_t category) {
  switch (category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool IsSymbol(utf8proc_category_t category) {
  return category == UTF8PROC_CATEGORY_SM || category == UTF8PROC_CATEGORY_SC ||
         category == UTF8PROC_CATEGORY_SK || category == UTF8PROC_CATEGORY_SO;
}

// Scripts whose diacritics are folded: Latin, IPA, Greek, Cyrillic and their extensions.
bool FoldsMarks(char32_t base) {
  return base < 0x0530 || (base >= 0x1D00 && base <= 0x1FFF) ||
         (base >= 0x2C60 && base <= 0x2C7F) || (base >= 0xA640 && base <= 0xA7FF);
}

const char* SpelledOut(char32_t cp) {
  switch (cp) {
    case U'ø':
      return "o";
    case U'æ':
      return "ae";
    case U'œ':
      return "oe";
    case U'ł':
      return "l";
    case U'đ':
      return "d";
    case U'ð':
      return "d";
    case U'þ':
      return "th";
    case U'ı':
      return "i";
    case U'ħ':
      return "h";
    default:
      return nullptr;
  }
}

bool IsApostrophe(char32_t cp) {
  return cp == U'\'' || cp == U'`' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x00B4;
}

// Shared by the ASCII and Unicode paths: appends a word character, inserting one space
// before it when a separator was seen.
class WordWriter {
 public:
  explicit WordWriter(std::string& out) : out_(out) {}
  void Separator() { pending_space_ = true; }
  void Char(char c) {
    Space();
    out_ += c;
  }
  void Text(const char* text) {
    Space();
    out_ += text;
  }
  void CodePoint(char32_t cp) {
    Space();
    AppendUtf8(out_, cp);
  }

 private:
  void Space() {
    if (pending_space_ && !out_.empty()) out_ += ' ';
    pending_space_ = false;
  }
  std::string& out_;
  bool pending_space_ = false;
};

std::string FoldAscii(std::string_view text, bool keep_symbols) {
  std::string out;
  out.reserve(text.size());
  WordWriter writer(out);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (IsAsciiAlnum(u)) {
      writer.Char(AsciiLower(c));
    } else if (c == '\'' || c == '`') {
      // "don't" -> "dont"
    } else if (c == '&') {
      writer.Separator();
      writer.Text("and");
      writer.Separator();
    } else if (keep_symbols && u > ' ' && u < 0x7F) {
      writer.Char(c);
    } else {
      writer.Separator();
    }
  }
  return out;
}

std::string FoldUnicode(std::string_view text, bool fold_accents, bool keep_symbols) {
  std::u32string cps = Decompose(text);
  // Remove the marks of scripts whose accents are folded, then recompose the rest.
  if (fold_accents) {
    std::u32string kept;
    kept.reserve(cps.size());
    char32_t base = 0;
    for (char32_t cp : cps) {
      auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
      if (IsMark(category)) {
        if (FoldsMarks(base)) continue;
      } else {
        base = cp;
      }
      kept.push_back(cp);
    }
    cps.swap(kept);
  }
  Compose(cps);
  std::string out;
  out.reserve(text.size());
  WordWriter writer(out);
  for (char32_t cp : cps) {
    if (cp < 0x80) {
      auto c = static_cast<char>(cp);
      if (IsAsciiAlnum(static_cast<unsigned char>(c))) {
        writer.Char(AsciiLower(c));
        continue;
      }
    }
    if (IsApostrophe(cp)) continue;
    if (cp == U'&') {
      writer.Separator();
      writer.Text("and");
      writer.Separator();
      continue;
    }
    auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    if (IsLetterOrNumber(category) || IsMark(category)) {
      const char* spelled = fold_accents ? SpelledOut(cp) : nullptr;
      if (spelled != nullptr) {
        writer.Text(spelled);
      } else {
        writer.CodePoint(cp);
      }
    } else if (keep_symbols && (IsSymbol(category) || (category >= UTF8PROC_CATEGORY_PC &&
                                                       category <= UTF8PROC_CATEGORY_PO))) {
      writer.CodePoint(cp);
    } else {
      writer.Separator();
    }
  }
  return out;
}

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(' ');
  return std::string(text.substr(begin, end - begin + 1));
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsYear(std::string_view word) {
  if (word.size() != 4) return false;
  for (char c : word) {
    if (c < '0' || c > '9') return false;
  }
  return word[0] == '1' || word[0] == '2';
}

bool In(std::string_view word, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

// Words that may appear in a bracket or dash tag without making it part of the title.
bool IsNeutralTagWord(std::string_view word) {
  return IsYear(word) ||
         In(word, {"version",    "original", "album",    "single",   "bonus",       "track",
                   "explicit",   "clean",    "deluxe",   "edition",  "anniversary", "mixed",
                   "digital",    "official", "main",     "from",     "soundtrack",  "ost",
                   "theme",      "motion",   "picture",  "film",     "movie",       "the",
                   "a",          "of",       "and",      "recorded", "at",          "in",
                   "on",         "session",  "sessions", "bbc",      "remastered",  "remaster",
                   "mix",        "video",    "audio",    "lp",       "ep",          "vocal",
                   "uncensored", "censored", "expanded", "special",  "th",          "st",
                   "nd",         "rd",       "hd",       "mp3",      "bonustrack"});
}

// Version words of scripts written without spaces (Japanese, Chinese, Korean), found
// anywhere inside a word of a tag: "(ライブ)", "(Live版)" -> "live 版", "(現場版)", "(라이브)".
struct CjkVersionWord {
  std::string_view text;  // NFC, as FoldText leaves it
  uint32_t flags;
};
constexpr std::array<CjkVersionWord, 27> kCjkVersionWords = {{
    {"ライブ", kLive},
    {"ライヴ", kLive},
    {"现场", kLive},
    {"現場", kLive},
    {"演唱会", kLive},
    {"演唱會", kLive},
    {"라이브", kLive},
    {"不插电", kLive | kAcoustic},
    {"不插電", kLive | kAcoustic},
    {"リミックス", kRemix},
    {"리믹스", kRemix},
    {"アコースティック", kAcoustic},
    {"어쿠스틱", kAcoustic},
    {"インスト", kInstrumental},
    {"伴奏", kInstrumental},
    {"纯音乐", kInstrumental},
    {"純音樂", kInstrumental},
    {"인스트루멘탈", kInstrumental},
    {"カラオケ", kKaraoke},
    {"翻唱", kCover},
    {"カバー", kCover},
    {"커버", kCover},
    {"デモ", kDemo},
    {"리마스터", kRemaster},
    {"リマスター", kRemaster},
    {"リマスタード", kRemaster},
    {"重制", kRemaster},
}};

uint32_t CjkVersionFlags(std::string_view word) {
  uint32_t flags = 0;
  for (const auto& entry : kCjkVersionWords) {
    if (word.find(entry.text) != std::string_view::npos) flags |= entry.flags;
  }
  return flags;
}

// "版" (edition), "バージョン", "버전" (version): neutral in a tag, like "version".
bool IsNeutralCjkWord(std::string_view word) {
  return In(word, {"版", "バージョン", "ヴァージョン", "버전", "ver"});
}

// A space where a word switches between ASCII letters or digits and another script:
// scripts without spaces glue tags to Latin words ("live版").
std::string SplitAtScriptChanges(std::string_view folded) {
  std::string out;
  out.reserve(folded.size() + 4);
  int previous = 0;  // 0 none or space, 1 ASCII letter/digit, 2 other
  for (size_t i = 0; i < folded.size(); ++i) {
    auto c = static_cast<unsigned char>(folded[i]);
    int kind = c == ' ' ? 0 : c < 0x80 ? 1 : 2;
    const bool continuation = (c & 0xC0) == 0x80;
    if (!continuation && kind != 0 && previous != 0 && kind != previous) out += ' ';
    out += static_cast<char>(c);
    if (!continuation) previous = kind;
  }
  return out;
}

struct Classified {
  bool recognized = false;
  uint32_t flags = 0;
  std::string remixer;
  int year = 0;
  std::vector<std::string> featured;
};

std::string_view AfterFirstWord(std::string_view segment) {
  size_t begin = segment.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  size_t end = segment.find(' ', begin);
  if (end == std::string_view::npos) return {};
  return segment.substr(end + 1);
}

// Words that describe a mix rather than name its remixer.
bool IsMixDescriptor(std::string_view word) {
  return In(word,
            {"extended", "club",         "original", "radio", "official", "edit", "dub",     "the",
             "vocal",    "instrumental", "dance",    "12",    "7",        "inch", "version", "new",
             "single",   "album",        "short",    "long",  "full",     "a"});
}

// Classifies one bracketed or dash-separated part of a title (canonical lower case).
Classified ClassifyTag(std::string_view segment, bool bracketed) {
  Classified result;
  std::string folded = FoldText(segment);
  if (!IsAscii(folded)) folded = SplitAtScriptChanges(folded);
  std::vector<std::string_view> words = Words(folded);
  if (words.empty()) {
    result.recognized = true;
    return result;
  }
  std::string_view first = words.front();
  if (In(first, {"feat", "ft", "featuring", "starring"}) ||
      (bracketed && In(first, {"with", "w"}))) {
    result.recognized = true;
    for (auto& name : SplitArtists(AfterFirstWord(segment))) {
      result.featured.push_back(std::move(name));
    }
    return result;
  }
  bool all_neutral = true;
  auto remixer_before = [&](size_t end) {
    std::string name;
    for (size_t j = 0; j < end; ++j) {
      if (IsMixDescriptor(words[j])) continue;
      if (!name.empty()) name += ' ';
      name += words[j];
    }
    return name;
  };
  size_t n = words.size();
  for (size_t i = 0; i < n; ++i) {
    std::string_view w = words[i];
    std::string_view next = i + 1 < n ? words[i + 1] : std::string_view();
    std::string_view prev = i > 0 ? words[i - 1] : std::string_view();
    uint32_t flag = 0;
    if (w == "live" || (w == "vivo" && (prev == "en" || prev == "ao")) ||
        (w == "concert" && prev == "in") || w == "livestream") {
      flag = kLive;
    } else if (w == "unplugged") {
      flag = kLive | kAcoustic;
    } else if (In(w, {"remix", "remixed", "rmx", "rework", "reworked", "bootleg", "remake", "dub",
                      "vip", "flip", "mashup"})) {
      flag = kRemix;
      if (result.remixer.empty()) result.remixer = remixer_before(i);
    } else if (w == "mix" || w == "mixes") {
      if (In(prev, {"original", "album", "main", "single"})) {
        flag = 0;
      } else if (prev == "radio") {
        flag = kEdit;
      } else if (prev == "extended") {
        flag = kExtended;
      } else if (prev == "mono") {
        flag = kMono;
      } else if (prev == "stereo") {
        flag = kStereo;
      } else {
        flag = kRemix;
        if (result.remixer.empty()) result.remixer = remixer_before(i);
      }
    } else if (In(w, {"acoustic", "acustico", "akustik", "acoustique", "stripped"})) {
      flag = kAcoustic;
    } else if (w == "instrumental" || w == "inst" || (w == "off" && next == "vocal")) {
      flag = kInstrumental;
    } else if (In(w, {"acapella", "acappella", "accapella"}) || (w == "cappella" && prev == "a") ||
               (w == "capella" && prev == "a")) {
      flag = kAcappella;
    } else if (In(w, {"demo", "alternate", "alt", "outtake", "rehearsal"}) ||
               (w == "take" &&
                (IsYear(next) || (!next.empty() && next[0] >= '0' && next[0] <= '9')))) {
      flag = kDemo;
    } else if (w == "edit" || (w == "version" && In(prev, {"radio", "short", "single"}))) {
      flag = kEdit;
    } else if (In(w, {"remaster", "remastered", "remastering", "remasterizado"})) {
      flag = kRemaster;
    } else if (w == "mono") {
      flag = kMono;
    } else if (w == "stereo") {
      flag = kStereo;
    } else if (w == "extended" || (w == "version" && prev == "long")) {
      flag = kExtended;
    } else if (w == "slowed" || w == "reverb") {
      flag = kSlowed;
    } else if (w == "nightcore" || (w == "up" && (prev == "sped" || prev == "speed"))) {
      flag = kSpedUp;
    } else if (w == "karaoke" || (w == "performed" && prev == "originally") ||
               (w == "style" && prev == "the" && i >= 2 && words[i - 2] == "in")) {
      flag = kKaraoke;
    } else if (w == "cover" || w == "tribute") {
      flag = kCover;
    } else if ((w == "version" && prev == "taylors") || w == "rerecorded" || w == "rerecording" ||
               (prev == "re" && (w == "recorded" || w == "record" || w == "recording"))) {
      flag = kRerecorded;
    } else if (!IsAscii(w)) {
      flag = CjkVersionFlags(w);
    }
    if (flag != 0) {
      result.flags |= flag;
    } else if (!IsNeutralTagWord(w) && !IsNeutralCjkWord(w)) {
      all_neutral = false;
    }
    if (IsYear(w) && result.year == 0)
      result.year = (w[0] - '0') * 1000 + (w[1] - '0') * 100 + (w[2] - '0') * 10 + (w[3] - '0');
  }
  if ((result.flags & kRemaster) == 0) result.year = 0;
  result.recognized = result.flags != 0 || all_neutral || first == "from" ||
                      (first == "taken" && n > 1 && words[1] == "from") ||
                      (first == "theme" && n > 1 && words[1] == "from");
  return result;
}

struct Split {
  std::string main;                                // outside brackets, before any dash tag
  std::vector<std::pair<std::string, bool>> tags;  // text, bracketed
};

// Separates bracketed parts and " - " suffixes from the main text (canonical lower).
Split SplitTags(std::string_view text) {
  Split split;
  std::string outside;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(' || c == '[' || c == '{') {
      if (depth > 0) current += c;
      ++depth;
      outside += ' ';
    } else if ((c == ')' || c == ']' || c == '}')) {
      if (depth == 0) {
        outside += ' ';
        continue;
      }
      --depth;
      if (depth == 0) {
        split.tags.emplace_back(std::move(current), true);
        current.clear();
      } else {
        current += c;
      }
    } else if (depth > 0) {
      current += c;
    } else {
      outside += c;
    }
  }
  if (depth > 0 && !current.empty()) split.tags.emplace_back(std::move(current), true);
  // " - Live at X", " - 2011 Remaster": each dash part after the first is a tag.
  size_t pos = outside.find(" - ");
  if (pos != std::string::npos) {
    split.main = outside.substr(0, pos);
    while (pos != std::string::npos) {
      size_t start = pos + 3;
      size_t next = outside.find(" - ", start);
      split.tags.emplace_back(
          outside.substr(start, next == std::string::npos ? std::string::npos : next - start),
          false);
      pos = next;
    }
  } else {
    split.main = std::move(outside);
  }
  return split;
}

// Finds an unbracketed " feat. X" in the main text; returns the position or npos.
size_t FindFeat(std::string_view text) {
  static constexpr std::array<std::string_view, 5> kMarkers = {" feat. ", " feat ", " ft. ", " ft ",
                                                               " featuring "};
  size_t best = std::string_view::npos;
  for (auto marker : kMarkers) {
    size_t pos = text.find(marker);
    if (pos < best) best = pos;
  }
  return best;
}

// A number as written in a title: digits ("02" -> "2"), a Roman numeral up to XX, or an
// English number word up to twenty. Empty when `word` is none of these.
std::string NumberValue(std::string_view word) {
  if (!word.empty() &&
      std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    size_t first = word.find_first_not_of('0');
    return first == std::string_view::npos ? "0" : std::string(word.substr(first));
  }
  static constexpr std::array<std::string_view, 20> kRoman = {
      "i",  "ii",  "iii",  "iv",  "v",  "vi",  "vii",  "viii",  "ix",  "x",
      "xi", "xii", "xiii", "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"};
  static constexpr std::array<std::string_view, 20> kWords = {
      "one",     "two",     "three",     "four",     "five",     "six",      "seven",
      "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen", "fourteen",
      "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
  for (size_t i = 0; i < kRoman.size(); ++i) {
    if (word == kRoman[i] || word == kWords[i]) return std::to_string(i + 1);
  }
  return {};
}

// How a series marker is written in a folded title. Spotify abbreviates ("Pt. 2",
// "Pts. 1-5", "Vol. 3"), MusicBrainz spells out ("Part 2", "Parts I-V", "Volume 3").
struct SeriesMarker {
  std::string_view canonical;  // empty: not a marker
  bool plural = false;         // numbers follow as a list or range ("parts 1 5")
  bool digits_only = false;    // "no", "op": a title word unless digits follow
};

SeriesMarker FindSeriesMarker(std::string_view word) {
  if (word == "part" || word == "pt") return {"part"};
  if (word == "parts" || word == "pts") return {"parts", true};
  if (word == "volume" || word == "vol") return {"volume"};
  if (word == "volumes" || word == "vols") return {"volumes", true};
  if (word == "chapter" || word == "chap" || word == "ch") return {"chapter"};
  if (word == "number" || word == "no" || word == "nr") return {"number", false, true};
  if (word == "opus" || word == "op") return {"opus", false, true};
  return {};
}

bool StartsWithDigit(std::string_view word) {
  return !word.empty() && word[0] >= '0' && word[0] <= '9';
}

// "suite pt 2" -> "suite part 2", "part ii" / "part two" -> "part 2", "pts 1 5" and
// "parts i v" -> "parts 1 5": a series marker followed by numbers, both written one way.
// Other words stay as they are ("no woman no cry", "one more time").
std::string CanonicalSeriesNumbers(const std::string& folded) {
  std::vector<std::string_view> words = Words(folded);
  std::string out;
  out.reserve(folded.size());
  for (size_t i = 0; i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    const SeriesMarker marker = FindSeriesMarker(words[i]);
    const bool numbered =
        !marker.canonical.empty() && i + 1 < words.size() &&
        (marker.digits_only ? StartsWithDigit(words[i + 1]) : !NumberValue(words[i + 1]).empty());
    if (!numbered) {
      out += words[i];
      continue;
    }
    out += marker.canonical;
    // One number; for a plural marker, the list or range after it ("1 and 2", "i v").
    size_t j = i + 1;
    do {
      std::string number = NumberValue(words[j]);
      if (number.empty()) {
        out += ' ';
        out += words[j];  // "and" inside a list
      } else {
        out += ' ';
        out += number;
      }
      ++j;
    } while (marker.plural && j < words.size() &&
             (!NumberValue(words[j]).empty() ||
              (words[j] == "and" && j + 1 < words.size() && !NumberValue(words[j + 1]).empty())));
    i = j - 1;
  }
  return out;
}

}  // namespace

std::string VersionFlagNames(uint32_t flags) {
  static constexpr std::array<std::string_view, 16> kNames = {
      "live",     "remix",   "acoustic",   "instrumental", "demo",   "edit",
      "remaster", "mono",    "stereo",     "extended",     "slowed", "sped_up",
      "cover",    "karaoke", "rerecorded", "acappella"};
  std::string out;
  for (size_t i = 0; i < kNames.size(); ++i) {
    if ((flags & (1u << i)) == 0) continue;
    if (!out.empty()) out += ',';
    out += kNames[i];
  }
  return out;
}

std::string FoldText(std::string_view text, bool fold_accents) {
  bool ascii = IsAscii(text);
  std::string out = ascii ? FoldAscii(text, false) : FoldUnicode(text, fold_accents, false);
  if (out.empty() && !text.empty()) {
    // Only symbols (an emoji title, "!!!"): keep them rather than return nothing.
    out = ascii ? FoldAscii(text, true) : FoldUnicode(text, fold_accents, true);
  }
  return out;
}

std::string CanonicalLower(std::string_view text) {
  std::string out;
  if (IsAscii(text)) {
    out.reserve(text.size());
    for (char c : text) {
      auto u = static_cast<unsigned char>(c);
      out += (u < 0x20 || u == 0x7F) ? ' ' : AsciiLower(c);
    }
    return out;
  }
  std::u32string cps = Decompose(text);
  Compose(cps);
  out.reserve(text.size());
  for (char32_t cp : cps) AppendUtf8(out, cp);
  return out;
}

std::vector<std::string_view> Words(std::string_view folded) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < folded.size()) {
    size_t end = folded.find(' ', pos);
    if (end == std::string_view::npos) end = folded.size();
    if (end > pos) words.push_back(folded.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

ParsedTitle ParseTitle(std::string_view title) {
  ParsedTitle parsed;
  std::string lower = CanonicalLower(title);
  Split split = SplitTags(lower);
  size_t feat = FindFeat(split.main);
  if (feat != std::string::npos) {
    std::string_view rest = std::string_view(split.main).substr(feat + 1);
    for (auto& name : SplitArtists(AfterFirstWord(rest))) parsed.featured.push_back(name);
    split.main.resize(feat);
  }
  std::string kept = split.main;
  for (auto& [text, bracketed] : split.tags) {
    Classified tag = ClassifyTag(text, bracketed);
    if (!tag.recognized) {
      kept += ' ';
      kept += text;
      continue;
    }
    parsed.flags |= tag.flags;
    if (!tag.remixer.empty() && parsed.remixer.empty()) parsed.remixer = ArtistKey(tag.remixer);
    if (tag.year != 0 && parsed.remaster_year == 0) parsed.remaster_year = tag.year;
    for (auto& name : tag.featured) parsed.featured.push_back(std::move(name));
  }
  parsed.core = CanonicalSeriesNumbers(FoldText(kept));
  parsed.core_unfolded =
      IsAscii(kept) ? parsed.core : CanonicalSeriesNumbers(FoldText(kept, false));
  parsed.main = kept == split.main ? parsed.core : CanonicalSeriesNumbers(FoldText(split.main));
  if (parsed.core.empty()) {
    // Nothing but tags ("(Intro)", "[Untitled]"): the whole title is the title.
    parsed.core = FoldText(lower);
    parsed.core_unfolded = FoldText(lower, false);
  }
  if (parsed.main.empty()) parsed.main = parsed.core;
  return parsed;
}

std::vector<std::string> SplitArtists(std::string_view credit) {
  std::string lower = CanonicalLower(credit);
  std::string text = Trim(lower);
  if (EndsWith(text, ", the")) text.resize(text.size() - 5);
  static constexpr std::array<std::string_view, 17> kSeparators = {
      " featuring ", " feat. ", " feat ", " ft. ", " ft ", " with ", " vs. ", " vs ", " and ",
      " & ",         " x ",     " × ",    " + ",   " / ",  ",",      ";",     "/"};
  std::vector<std::string> names;
  std::string current;
  size_t i = 0;
  while (i < text.size()) {
    bool matched = false;
    // Every separator starts with one of these bytes (" × " too): skip the rest fast.
    const char c = text[i];
    if (c != ' ' && c != ',' && c != ';' && c != '/') {
      current += c;
      ++i;
      continue;
    }
    for (auto separator : kSeparators) {
      if (text.compare(i, separator.size(), separator) == 0) {
        names.push_back(Trim(current));
        current.clear();
        i += separator.size();
        matched = true;
        break;
      }
    }
    if (!matched) current += text[i++];
  }
  names.push_back(Trim(current));
  std::vector<std::string> out;
  for (auto& name : names) {
    // "Tyler, The Creator" -> "tyler", "the creator": both kept, plus the whole name
    // by the callers; a bare "the" is dropped.
    if (name.empty() || name == "the") continue;
    out.push_back(std::move(name));
  }
  return out;
}

std::string ArtistKey(std::string_view name) {
  std::string lower = Trim(CanonicalLower(name));
  if (EndsWith(lower, ", the")) lower.resize(lower.size() - 5);
  // A spaced "+" joins names as "&" and "and" do ("Florence + the Machine"); "+44" or
  // "1+1" stay as written.
  for (size_t pos = lower.find(" + "); pos != std::string::npos; pos = lower.find(" + ", pos)) {
    lower.replace(pos, 3, " & ");
  }
  std::string key = FoldText(lower);
  if (StartsWith(key, "the ") && key.size() > 4) key.erase(0, 4);
  return key;
}

std::string SongKey(std::string_view artist, std::string_view title) {
  std::vector<std::string> names = SplitArtists(artist);
  std::string key = ArtistKey(names.empty() ? artist : std::string_view(names.front()));
  ParsedTitle parsed = ParseTitle(title);
  key += '\0';
  key += parsed.core;
  key += '\0';
  key += VersionFlagNames(parsed.flags & kHardVersionFlags);  // a live take is another song
  return key;
}

ParsedAlbum ParseAlbum(std::string_view album) {
  ParsedAlbum parsed;
  std::string lower = CanonicalLower(album);
  Split split = SplitTags(lower);
  std::string kept = split.main;
  for (auto& [text, bracketed] : split.tags) {
    Classified tag = ClassifyTag(text, bracketed);
    if (tag.flags & kLive) parsed.flags |= kLive;
    if (tag.flags & kAcoustic) parsed.flags |= kAcoustic;
    bool edition = tag.recognized;
    std::string folded = FoldText(text);
    for (auto word : Words(folded)) {
      if (In(word, {"edition", "deluxe", "expanded", "anniversary", "reissue", "legacy",
                    "collectors", "remastered", "remaster", "bonus", "version", "special"})) {
        edition = true;
      }
    }
    if (!edition) {
      kept += ' ';
      kept += text;
    }
  }
  std::string main_folded = FoldText(split.main);
  std::vector<std::string_view> words = Words(main_folded);
  for (size_t i = 0; i < words.size(); ++i) {
    std::string_view w = words[i];
    std::string_view next = i + 1 < words.size() ? words[i + 1] : std::string_view();
    if ((w == "live" && (next.empty() || In(next, {"at", "in", "from", "on", "aus", "au", "a"}))) ||
        (w == "concert" && i > 0 && words[i - 1] == "in") ||
        (w == "vivo" && i > 0 && (words[i - 1] == "en" || words[i - 1] == "ao"))) {
      parsed.flags |= kLive;
    } else if (w == "unplugged") {
      parsed.flags |= kLive | kAcoustic;
    } else if (!IsAscii(w)) {
      parsed.flags |= CjkVersionFlags(w) & (kLive | kAcoustic);
    }
  }
  parsed.key = FoldText(kept);
  parsed.full = FoldText(lower);
  if (parsed.key.empty()) parsed.key = parsed.full;
  return parsed;
}

std::string CanonicalIsrc(std::string_view isrc) {
  std::string out;
  for (char c : isrc) {
    if (c == '-' || c == ' ') continue;
    if (!IsAsciiAlnum(static_cast<unsigned char>(c))) return {};
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out.size() == 12 ? out : std::string();
}

int BoundedLevenshtein(std::string_view a, std::string_view b, int max_distance) {
  if (a.size() < b.size()) std::swap(a, b);
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (n - m > max_distance) return max_distance + 1;
  if (m == 0) return n;
  // Optimal string alignment: insert, delete, substitute, swap two adjacent bytes.
  thread_local std::vector<int> rows;
  const auto width = static_cast<size_t>(m) + 1;
  rows.assign(width * 3, 0);
  int* before = rows.data();        // row i - 2
  int* previous = before + width;   // row i - 1
  int* current = previous + width;  // row i
  for (int j = 0; j <= m; ++j) previous[j] = j;
  int previous_min = 0;
  for (int i = 1; i <= n; ++i) {
    current[0] = i;
    int row_min = i;
    const char ca = a[static_cast<size_t>(i - 1)];
    for (int j = 1; j <= m; ++j) {
      const char cb = b[static_cast<size_t>(j - 1)];
      int cost = ca == cb ? 0 : 1;
      int value = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && ca == b[static_cast<size_t>(j - 2)] &&
          a[static_cast<size_t>(i - 2)] == cb) {
        value = std::min(value, before[j - 2] + 1);
      }
      current[j] = value;
      row_min = std::min(row_min, value);
    }
    if (row_min > max_distance && previous_min > max_distance) return max_distance + 1;
    previous_min = row_min;
    int* recycled = before;
    before = previous;
    previous = current;
    current = recycled;
  }
  return std::min(previous[m], max_distance + 1);
}

double Similarity(std::string_view a, std::string_view b) {
  if (a == b) return 1.0;
  size_t longer = std::max(a.size(), b.size());
  if (longer == 0) return 1.0;
  int distance = BoundedLevenshtein(a, b, static_cast<int>(longer));
  return 1.0 - static_cast<double>(distance) / static_cast<double>(longer);
}

double SimilarityAtLeast(std::string_view a, std::string_view b, double floor) {
  if (a == b) return 1.0;
  size_t longer = std::max(a.size(), b.size());
  if (longer == 0) return 1.0;
  size_t shorter = std::min(a.size(), b.size());
  double bound = static_cast<double>(shorter) / static_cast<double>(longer);
  if (bound < floor) return bound;
  int max_distance = static_cast<int>((1.0 - floor) * static_cast<double>(longer));
  int distance = BoundedLevenshtein(a, b, max_distance);
  return 1.0 - static_cast<double>(distance) / static_cast<double>(longer);
}

double TokenSortSimilarity(std::string_view a, std::string_view b, double floor) {
  auto sorted = [](std::string_view text) {
    std::vector<std::string_view> words = Words(text);
    std::sort(words.begin(), words.end());
    std::string joined;
    for (auto word : words) {
      if (!joined.empty()) joined += ' ';
      joined += word;
    }
    return joined;
  };
  if (a.size() != b.size() &&
      static_cast<double>(std::min(a.size(), b.size())) / std::max(a.size(), b.size()) < floor) {
    return 0.0;  // cannot reach the floor (sorting keeps the lengths)
  }
  return SimilarityAtLeast(sorted(a), sorted(b), floor);
}

}  // namespace spotify_extract::norm
