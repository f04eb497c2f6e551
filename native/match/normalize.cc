#include "match/normalize.h"

#include <algorithm>
#include <array>

namespace spotify_extract::norm {
namespace {

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

}  // namespace spotify_extract::norm
