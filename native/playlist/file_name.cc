#include "playlist/file_name.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

namespace spotify_extract {

namespace {

constexpr utf8proc_int32_t kReplacement = 0xFFFD;

// Decodes UTF-8; each invalid sequence becomes one `invalid` code point.
std::vector<utf8proc_int32_t> Decode(std::string_view text, utf8proc_int32_t invalid) {
  std::vector<utf8proc_int32_t> out;
  out.reserve(text.size());
  auto* data = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t pos = 0;
  const auto size = static_cast<utf8proc_ssize_t>(text.size());
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(data + pos, size - pos, &cp);
    if (n <= 0) {
      out.push_back(invalid);
      ++pos;
      // Skip the continuation bytes of the broken sequence so it yields one replacement.
      while (pos < size && (data[pos] & 0xC0) == 0x80) ++pos;
      continue;
    }
    out.push_back(cp);
    pos += n;
  }
  return out;
}

std::string Encode(const std::vector<utf8proc_int32_t>& cps) {
  std::string out;
  out.reserve(cps.size());
  utf8proc_uint8_t buffer[4];
  for (utf8proc_int32_t cp : cps) {
    utf8proc_ssize_t n = utf8proc_encode_char(cp, buffer);
    out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
  }
  return out;
}

// Runs utf8proc_map on valid UTF-8; returns the input unchanged if utf8proc refuses it.
std::string Map(const std::string& valid_utf8, int options) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid_utf8.data()),
                                    static_cast<utf8proc_ssize_t>(valid_utf8.size()), &mapped,
                                    static_cast<utf8proc_option_t>(options));
  if (n < 0) return valid_utf8;
  std::string out(reinterpret_cast<char*>(mapped), static_cast<size_t>(n));
  std::free(mapped);
  return out;
}

bool IsControl(utf8proc_int32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

bool IsWindowsForbidden(utf8proc_int32_t cp) {
  switch (cp) {
    case '/':
    case '\\':
    case '<':
    case '>':
    case ':':
    case '"':
    case '|':
    case '?':
    case '*':
      return true;
    default:
      return false;
  }
}

// Characters that only disguise a name: bidi embeddings/overrides/isolates, BOM.
bool IsDisguise(utf8proc_int32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

bool IsSpace(utf8proc_int32_t cp) {
  if (cp == ' ' || cp == '\t') return true;
  const utf8proc_property_t* property = utf8proc_get_property(cp);
  return property->category == UTF8PROC_CATEGORY_ZS;
}

bool IsReservedDeviceName(std::string_view stem) {
  // Windows looks at the part before the first dot, ignoring trailing spaces.
  std::string base(stem.substr(0, stem.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  std::string upper;
  for (char c : base) {
    upper.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  static constexpr std::array<std::string_view, 6> kFixed = {"CON", "PRN",    "AUX",
                                                             "NUL", "CONIN$", "CONOUT$"};
  if (std::find(kFixed.begin(), kFixed.end(), upper) != kFixed.end()) return true;
  if (upper.size() == 4 && (upper.starts_with("COM") || upper.starts_with("LPT")) &&
      upper[3] >= '0' && upper[3] <= '9') {
    return true;
  }
  // COM¹ COM² COM³ LPT¹ ... (superscript digits, also reserved).
  if ((upper.starts_with("COM") || upper.starts_with("LPT")) &&
      (upper.substr(3) == "\xC2\xB9" || upper.substr(3) == "\xC2\xB2" ||
       upper.substr(3) == "\xC2\xB3")) {
    return true;
  }
  return false;
}

void TrimTrailing(std::vector<utf8proc_int32_t>& cps) {
  while (!cps.empty() && (cps.back() == '.' || IsSpace(cps.back()))) cps.pop_back();
}

// The byte offsets where a grapheme cluster starts, plus the end.
std::vector<size_t> GraphemeBoundaries(const std::vector<utf8proc_int32_t>& cps) {
  std::vector<size_t> boundaries;
  utf8proc_int32_t state = 0;
  size_t bytes = 0;
  utf8proc_uint8_t buffer[4];
  for (size_t i = 0; i < cps.size(); ++i) {
    if (i == 0 || utf8proc_grapheme_break_stateful(cps[i - 1], cps[i], &state)) {
      boundaries.push_back(bytes);
    }
    bytes += static_cast<size_t>(utf8proc_encode_char(cps[i], buffer));
  }
  boundaries.push_back(bytes);
  return boundaries;
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  auto* data = reinterpret_cast<const utf8proc_uint8_t*>(bytes.data());
  utf8proc_ssize_t pos = 0;
  const auto size = static_cast<utf8proc_ssize_t>(bytes.size());
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(data + pos, size - pos, &cp);
    if (n <= 0) return false;
    pos += n;
  }
  return true;
}

std::string CleanLineText(std::string_view text) {
  bool plain = true;  // printable ASCII needs no work
  for (char c : text) plain = plain && c >= 0x20 && c < 0x7F;
  if (plain) return std::string(text);
  std::vector<utf8proc_int32_t> cps = Decode(text, kReplacement);
  for (auto& cp : cps) {
    if (IsControl(cp)) cp = ' ';
  }
  return Encode(cps);
}

std::string SanitizeFileStem(std::string_view name, size_t max_bytes, std::string_view if_empty) {
  std::vector<utf8proc_int32_t> cps;
  for (utf8proc_int32_t cp : Decode(name, '_')) {
    if (IsDisguise(cp)) continue;
    cps.push_back(IsControl(cp) || IsWindowsForbidden(cp) ? '_' : cp);
  }
  // NFC, so that the same name typed on macOS (NFD) and elsewhere gives the same file.
  cps = Decode(Map(Encode(cps), UTF8PROC_STABLE | UTF8PROC_COMPOSE), '_');

  auto first = std::find_if(cps.begin(), cps.end(), [](auto cp) { return !IsSpace(cp); });
  cps.erase(cps.begin(), first);
  TrimTrailing(cps);

  std::string prefix;
  if (!cps.empty() && cps.front() == '.') prefix = "_";
  std::string stem = prefix + Encode(cps);
  if (IsReservedDeviceName(stem)) stem = "_" + stem;

  auto cap = [max_bytes](std::string& text) {
    if (text.size() <= max_bytes) return;
    std::vector<utf8proc_int32_t> all = Decode(text, '_');
    std::vector<size_t> boundaries = GraphemeBoundaries(all);
    size_t cut = 0;
    for (size_t boundary : boundaries) {
      if (boundary <= max_bytes) cut = boundary;
    }
    text.resize(cut);
    std::vector<utf8proc_int32_t> cut_cps = Decode(text, '_');
    TrimTrailing(cut_cps);
    text = Encode(cut_cps);
  };
  cap(stem);
  // Cutting can leave a reserved name ("NUL      x..." -> "NUL"): check again, and cap
  // again, which cannot make it reserved (it starts with '_').
  if (IsReservedDeviceName(stem)) {
    stem = "_" + stem;
    cap(stem);
  }
  if (stem.empty()) stem = if_empty;
  return stem;
}

std::string FileNameKey(std::string_view file_name) {
  std::string valid = Encode(Decode(file_name, kReplacement));
  return Map(valid, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
}

std::string ExpandNameTemplate(std::string_view name_template, std::string_view name,
                               std::string_view id) {
  std::string out;
  for (size_t i = 0; i < name_template.size();) {
    std::string_view rest = name_template.substr(i);
    if (rest.starts_with("{{")) {
      out.push_back('{');
      i += 2;
    } else if (rest.starts_with("}}")) {
      out.push_back('}');
      i += 2;
    } else if (rest.starts_with("{name}")) {
      out.append(name);
      i += 6;
    } else if (rest.starts_with("{id}")) {
      out.append(id);
      i += 4;
    } else {
      out.push_back(name_template[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace spotify_extract
