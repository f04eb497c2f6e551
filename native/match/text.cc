#include "match/text.h"

#include <utf8proc.h>

#include <algorithm>

namespace spotify_extract::norm {
namespace {

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

bool IsLetterOrNumberCategory(utf8proc_category_t category) {
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
    if (IsLetterOrNumberCategory(category) || IsMark(category)) {
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

}  // namespace

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool IsLetterOrNumber(char32_t code_point) {
  return IsLetterOrNumberCategory(utf8proc_category(static_cast<utf8proc_int32_t>(code_point)));
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
