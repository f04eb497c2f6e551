#include "extract/export_files.h"

#include <malloc.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "extract/csv_reader.h"
#include "match/text.h"

namespace spotify_extract {

using json = nlohmann::json;

namespace {

constexpr std::array<const char*, 5> kLikedNames = {"liked songs", "liked", "liked_songs",
                                                    "your music", "saved tracks"};

bool IsBase62Id(std::string_view text) {
  return text.size() == 22 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c); });
}

std::string_view Strip(std::string_view text) {
  const char* space = " \t\n\r\v\f";
  size_t first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A name quoted for a message, on one line: 'Road Trip', 'a\nb'.
std::string Quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The file name of a source: the last part of its display name.
std::string SourceName(const std::string& display) {
  size_t slash = display.find_last_of("/\\");
  return slash == std::string::npos ? display : display.substr(slash + 1);
}

std::string ReadSource(const ExportSource& source) {
  if (source.path.empty()) return source.bytes;
  std::error_code error;
  std::filesystem::path path(source.path);
  uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw ExportError(source.display + ": " + error.message());
  if (size > kMaxExportFileBytes) {
    throw ExportError(source.display + ": larger than " +
                      std::to_string(kMaxExportFileBytes >> 20) + " MB, not an export");
  }
  std::ifstream stream(path, std::ios::binary);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!stream || !stream.read(bytes.data(), static_cast<std::streamsize>(size))) {
    throw ExportError(source.display + ": cannot be read (" + std::strerror(errno) + ")");
  }
  return bytes;
}

// The text of a file: UTF-8 (a byte order mark dropped), else ExportError.
std::string_view Utf8Text(const ExportSource& source, const std::string& bytes) {
  std::string_view text(bytes);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t size = static_cast<utf8proc_ssize_t>(text.size());
  for (utf8proc_ssize_t at = 0; at < size;) {
    if (data[at] < 0x80) {
      ++at;
      continue;
    }
    utf8proc_int32_t codepoint;
    utf8proc_ssize_t length = utf8proc_iterate(data + at, size - at, &codepoint);
    if (length < 0) {
      throw ExportError(source.display + ": not UTF-8 text (invalid byte at offset " +
                        std::to_string(at + (bytes.size() - text.size())) + ")");
    }
    at += length;
  }
  return text;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The \uXXXX escape at `at` (pointing at the backslash), or -1.
int EscapedUnit(std::string_view text, size_t at) {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return -1;
  int value = 0;
  for (size_t i = at + 2; i < at + 6; ++i) {
    int digit = HexValue(text[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// JSON may escape half a surrogate pair ("\ud800"), which is no character (UTF-8 cannot
// hold it): such an escape becomes U+FFFD, as any other broken character, instead of
// refusing the whole file.
std::string ReplaceLoneSurrogates(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      out += c;
      continue;
    }
    if (c == '"') {
      in_string = false;
      out += c;
      continue;
    }
    if (c != '\\' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    int unit = EscapedUnit(text, i);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int low = EscapedUnit(text, i + 6);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        out.append(text.substr(i, 12));
        i += 11;
      } else {
        out += "\\ufffd";
        i += 5;
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      out += "\\ufffd";
      i += 5;
    } else {
      out += c;
      out += text[++i];  // the escaped character: never a string's end
    }
  }
  return out;
}

// Deeper than any export (about 5 levels): a document nested like this is an attack.
constexpr int kMaxJsonDepth = 100;

json LoadJson(const ExportSource& source) {
  std::string bytes = ReadSource(source);
  std::string_view text = Utf8Text(source, bytes);
  auto limit_depth = [&](int depth, json::parse_event_t, json&) {
    if (depth > kMaxJsonDepth) {
      throw ExportError(source.display + ": JSON nested too deeply to be an export");
    }
    return true;
  };
  try {
    return json::parse(ReplaceLoneSurrogates(text), limit_depth);
  } catch (const json::parse_error& error) {
    std::string what = error.what();
    size_t at = what.find("parse error at ");
    what = at == std::string::npos ? what : what.substr(at + 15);
    throw ExportError(source.display + ": not valid JSON (" + what + ")");
  }
}

const char* TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "a list";
    case json::value_t::boolean:
      return "true/false";
    case json::value_t::null:
      return "null";
    case json::value_t::string:
      return "text";
    default:
      return "a number";
  }
}

const json& Object(const json& value, const std::string& where) {
  if (!value.is_object()) throw ExportError(where + ": expected an object, not " + TypeName(value));
  return value;
}

// A member of an object, or null when it is absent.
const json& Member(const json& object, const char* key) {
  static const json kNull;
  auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

std::string Text(const json& object, const char* key, const std::string& where) {
  const json& value = Member(object, key);
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();  // e.g. an album called 1989, stored as a number
  throw ExportError(where + ": '" + key + "' should be text, not " + TypeName(value));
}

const json& List(const json& object, const char* key, const std::string& where) {
  static const json kEmpty = json::array();
  const json& value = Member(object, key);
  if (value.is_null()) return kEmpty;
  if (!value.is_array()) {
    throw ExportError(where + ": '" + key + "' should be a list, not " + TypeName(value));
  }
  return value;
}

std::vector<ArtistRef> OneArtist(const std::string& name) {
  if (name.empty()) return {};
  return {ArtistRef{"", name}};
}

PlaylistEntry PlaylistItem(const json& raw, const std::string& where) {
  const json& item = Object(raw, where);
  PlaylistEntry entry;
  entry.added_at = Text(item, "addedDate", where);
  Track& track = entry.track;
  if (const json& value = Member(item, "track"); !value.is_null()) {
    const json& object = Object(value, where + ", track");
    std::string uri = Text(object, "trackUri", where);
    track.id = TrackIdFromUri(uri);
    track.name = Text(object, "trackName", where);
    track.artists = OneArtist(Text(object, "artistName", where));
    track.album_name = Text(object, "albumName", where);
    entry.kind = track.id.empty() ? EntryKind::kNull : EntryKind::kTrack;
  } else if (const json& local = Member(item, "localTrack"); !local.is_null()) {
    const json& object = Object(local, where + ", localTrack");
    track.name = Text(object, "trackName", where);
    track.artists = OneArtist(Text(object, "artistName", where));
    track.album_name = Text(object, "albumName", where);
    track.is_local = true;
    entry.kind = EntryKind::kLocalFile;
  } else if (const json& episode = Member(item, "episode"); !episode.is_null()) {
    const json& object = Object(episode, where + ", episode");
    track.name = Text(object, "episodeName", where);
    track.artists = {ArtistRef{"", Text(object, "showName", where)}};
    entry.kind = EntryKind::kEpisode;
  } else {
    entry.kind = EntryKind::kNull;
  }
  return entry;
}

std::vector<ExportPlaylist> ParsePlaylistJson(const ExportSource& source) {
  json document = LoadJson(source);
  const json& root = Object(document, source.display);
  std::vector<ExportPlaylist> playlists;
  const json& list = List(root, "playlists", source.display);
  for (size_t index = 0; index < list.size(); ++index) {
    std::string where = source.display + ": playlist " + std::to_string(index + 1);
    const json& raw = Object(list[index], where);
    ExportPlaylist playlist;
    playlist.name = std::string(Strip(Text(raw, "name", where)));
    if (playlist.name.empty()) playlist.name = kUntitledPlaylist;
    where += " (" + Quoted(playlist.name) + ")";
    playlist.description = Text(raw, "description", where);
    playlist.modified = Text(raw, "lastModifiedDate", where);
    playlist.source_file = source.display;
    const json& items = List(raw, "items", where);
    playlist.entries.reserve(items.size());
    for (size_t position = 0; position < items.size(); ++position) {
      playlist.entries.push_back(
          PlaylistItem(items[position], where + ", item " + std::to_string(position + 1)));
    }
    playlists.push_back(std::move(playlist));
  }
  return playlists;
}

std::string AlbumIdFromUri(const std::string& uri) {
  std::string_view text = Strip(uri);
  constexpr std::string_view kPrefix = "spotify:album:";
  if (text.substr(0, kPrefix.size()) != kPrefix) return "";
  std::string_view candidate = text.substr(kPrefix.size());
  return IsBase62Id(candidate) ? std::string(candidate) : "";
}

void ParseYourLibrary(const ExportSource& source, std::vector<PlaylistEntry>& liked,
                      std::vector<SavedAlbum>& albums) {
  json document = LoadJson(source);
  const json& root = Object(document, source.display);
  const json& tracks = List(root, "tracks", source.display);
  for (size_t index = 0; index < tracks.size(); ++index) {
    std::string where = source.display + ": tracks, entry " + std::to_string(index + 1);
    const json& raw = Object(tracks[index], where);
    std::string uri = Text(raw, "uri", where);
    PlaylistEntry entry;
    entry.track.id = TrackIdFromUri(uri);
    if (entry.track.id.empty()) {
      throw ExportError(where + ": 'uri' is not a Spotify track URI (" + Quoted(uri) + ")");
    }
    entry.track.name = Text(raw, "track", where);
    entry.track.artists = OneArtist(Text(raw, "artist", where));
    entry.track.album_name = Text(raw, "album", where);
    liked.push_back(std::move(entry));
  }
  const json& saved = List(root, "albums", source.display);
  for (size_t index = 0; index < saved.size(); ++index) {
    std::string where = source.display + ": albums, entry " + std::to_string(index + 1);
    const json& raw = Object(saved[index], where);
    std::string id = AlbumIdFromUri(Text(raw, "uri", where));
    if (id.empty()) continue;
    SavedAlbum album;
    album.album.id = id;
    album.album.name = Text(raw, "album", where);
    album.album.artists = {ArtistRef{"", Text(raw, "artist", where)}};
    albums.push_back(std::move(album));
  }
}

// Exportify column aliases: watsonbox/exportify and pavelkomarov/exportify (exportify.app).
enum Column { kUri, kName, kArtists, kAlbum, kAlbumArtists, kIsrc, kDuration, kAddedAt, kAddedBy };
const std::vector<std::vector<std::string_view>> kColumnAliases = {
    {"track uri", "uri", "spotify uri"},
    {"track name", "title", "name"},
    {"artist name(s)", "artist names", "artist name", "artist(s)", "artists"},
    {"album name", "album"},
    {"album artist name(s)", "album artist names", "album artist"},
    {"isrc"},
    {"track duration (ms)", "duration (ms)", "duration_ms", "duration"},
    {"added at", "date added"},
    {"added by"},
};

// Milliseconds as Python's int(float(text)) reads them; throws with the reason.
int ParseDuration(std::string_view text, const std::string& where) {
  auto refuse = [&] {
    return ExportError(where + ": duration " + Quoted(text) + " is not a number of milliseconds");
  };
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool between_digits = c == '_' && i > 0 && i + 1 < text.size() &&
                          std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                          std::isdigit(static_cast<unsigned char>(text[i + 1]));
    if (between_digits) continue;
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+' &&
        c != 'e' && c != 'E') {
      throw refuse();
    }
    digits += c;
  }
  char* end = nullptr;
  double value = std::strtod(digits.c_str(), &end);
  if (digits.empty() || end != digits.c_str() + digits.size() || !std::isfinite(value)) {
    throw refuse();
  }
  double truncated = std::trunc(value);
  if (truncated < 0 || truncated > 24.0 * 3600 * 1000) {
    char number[64];
    std::snprintf(number, sizeof number, "%.0f", truncated);
    throw ExportError(where + ": duration " + number + " ms is out of range");
  }
  return static_cast<int>(truncated);
}

std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

ExportPlaylist ParseExportifyCsv(const ExportSource& source) {
  std::string bytes = ReadSource(source);
  std::string_view text = Utf8Text(source, bytes);
  CsvReader reader(text);
  std::vector<std::string> row;
  try {
    if (!reader.Next(row)) throw ExportError(source.display + ": empty file");
  } catch (const CsvError& error) {
    throw ExportError(source.display + ", line 1: " + error.what());
  }
  std::vector<std::string> lowered;
  for (const std::string& column : row) lowered.push_back(AsciiLower(Strip(column)));
  std::vector<int> index(kColumnAliases.size(), -1);
  for (size_t key = 0; key < kColumnAliases.size(); ++key) {
    for (std::string_view alias : kColumnAliases[key]) {
      auto found = std::find(lowered.begin(), lowered.end(), alias);
      if (found != lowered.end()) {
        index[key] = static_cast<int>(found - lowered.begin());
        break;
      }
    }
  }
  if (index[kUri] < 0 || index[kName] < 0) {
    throw ExportError(source.display +
                      ": no 'Track URI' and 'Track Name' columns (not an Exportify CSV?)");
  }
  std::string stem = SourceName(source.display);
  if (size_t dot = stem.rfind('.'); dot != std::string::npos) stem.resize(dot);
  std::replace(stem.begin(), stem.end(), '_', ' ');
  ExportPlaylist playlist;
  playlist.name = std::string(Strip(stem));
  if (playlist.name.empty()) playlist.name = kUntitledPlaylist;
  playlist.source_file = source.display;

  auto cell = [&](Column key) -> std::string {
    int column = index[key];
    return column >= 0 && static_cast<size_t>(column) < row.size()
               ? std::string(Strip(row[static_cast<size_t>(column)]))
               : std::string();
  };
  int line = 1;
  try {
    while (reader.Next(row)) {
      line = reader.line();
      if (std::all_of(row.begin(), row.end(),
                      [](const std::string& field) { return Strip(field).empty(); })) {
        continue;
      }
      std::string where = source.display + ", line " + std::to_string(line);
      std::string uri = cell(kUri);
      std::string duration_text = cell(kDuration);
      PlaylistEntry entry;
      Track& track = entry.track;
      track.duration_ms = duration_text.empty() ? 0 : ParseDuration(duration_text, where);
      entry.kind = EntryKind::kTrack;
      if (uri.rfind("spotify:local:", 0) == 0) {
        entry.kind = EntryKind::kLocalFile;
        track.is_local = true;
      } else if (uri.rfind("spotify:episode:", 0) == 0) {
        entry.kind = EntryKind::kEpisode;
      } else if ((track.id = TrackIdFromUri(uri)).empty()) {
        if (!uri.empty()) {
          throw ExportError(where + ": " + Quoted(uri) + " is not a Spotify track URI");
        }
        entry.kind = EntryKind::kNull;
      }
      track.name = cell(kName);
      for (std::string& name : SplitArtists(cell(kArtists))) track.artists.push_back({"", name});
      track.album_name = cell(kAlbum);
      for (std::string& name : SplitArtists(cell(kAlbumArtists))) {
        track.album_artists.push_back({"", name});
      }
      track.isrc = AsciiUpper(cell(kIsrc));
      entry.added_at = cell(kAddedAt);
      entry.added_by = cell(kAddedBy);
      playlist.entries.push_back(std::move(entry));
    }
  } catch (const CsvError& error) {
    throw ExportError(source.display + ", line " + std::to_string(line) + ": " + error.what());
  }
  return playlist;
}

bool IsPlaylistJsonName(const std::string& lowered) {
  constexpr std::string_view kPrefix = "playlist", kSuffix = ".json";
  if (lowered.size() < kPrefix.size() + kSuffix.size()) return false;
  if (lowered.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  if (lowered.compare(lowered.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
    return false;
  }
  std::string_view middle(lowered.data() + kPrefix.size(),
                          lowered.size() - kPrefix.size() - kSuffix.size());
  return std::all_of(middle.begin(), middle.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool IsLikedName(const std::string& name) {
  std::string key = NameKey(name);
  return std::any_of(kLikedNames.begin(), kLikedNames.end(),
                     [&](const char* liked) { return NameKey(liked) == key; });
}

}  // namespace

std::string TrackIdFromUri(const std::string& uri) {
  std::string_view text = Strip(uri);
  std::string_view candidate;
  constexpr std::string_view kPrefix = "spotify:track:", kWeb = "open.spotify.com/track/";
  if (text.substr(0, kPrefix.size()) == kPrefix) {
    candidate = text.substr(kPrefix.size());
  } else if (size_t at = text.find(kWeb); at != std::string_view::npos) {
    candidate = text.substr(at + kWeb.size());
    candidate = candidate.substr(0, candidate.find('?'));
    while (!candidate.empty() && candidate.front() == '/') candidate.remove_prefix(1);
    while (!candidate.empty() && candidate.back() == '/') candidate.remove_suffix(1);
  } else {
    return "";
  }
  return IsBase62Id(candidate) ? std::string(candidate) : "";
}

std::vector<std::string> SplitArtists(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  auto finish = [&] {
    std::string_view stripped = Strip(current);
    if (!stripped.empty()) parts.emplace_back(stripped);
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && text[i + 1] == ',') {
      current += ',';
      ++i;
    } else if (c == ',' && i + 1 < text.size() && text[i + 1] == ' ') {
      finish();
      ++i;
    } else {
      current += c;
    }
  }
  finish();
  return parts;
}

std::string NameKey(const std::string& name) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                   static_cast<utf8proc_ssize_t>(name.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                  UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (length < 0) return "";
  std::string key;
  for (utf8proc_ssize_t at = 0; at < length;) {
    utf8proc_int32_t codepoint;
    utf8proc_ssize_t step = utf8proc_iterate(mapped + at, length - at, &codepoint);
    if (step <= 0) break;
    if (norm::IsLetterOrNumber(static_cast<char32_t>(codepoint))) {
      key.append(reinterpret_cast<const char*>(mapped + at), static_cast<size_t>(step));
    }
    at += step;
  }
  std::free(mapped);
  return key;
}

ExportData ReadExport(const std::vector<ExportSource>& sources, const std::string& path) {
  ExportData data;
  for (const ExportSource& source : sources) {
    std::string name = AsciiLower(SourceName(source.display));
    if (name == "yourlibrary.json") {
      if (!data.liked) data.liked.emplace();
      if (!data.albums) data.albums.emplace();
      ParseYourLibrary(source, *data.liked, *data.albums);
    } else if (IsPlaylistJsonName(name)) {
      for (ExportPlaylist& playlist : ParsePlaylistJson(source)) {
        data.playlists.push_back(std::move(playlist));
      }
      data.complete = true;
    } else if (name.size() >= 4 && name.compare(name.size() - 4, 4, ".csv") == 0) {
      ExportPlaylist playlist = ParseExportifyCsv(source);
      if (IsLikedName(playlist.name)) {
        if (!data.liked) data.liked.emplace();
        for (PlaylistEntry& entry : playlist.entries) data.liked->push_back(std::move(entry));
      } else {
        data.playlists.push_back(std::move(playlist));
      }
    } else {
      continue;
    }
    data.files.push_back(source.display);
    data.made_at = std::max(data.made_at, source.modified);
  }
  if (data.files.empty()) {
    throw ExportError(path +
                      ": no Spotify export found (expected YourLibrary.json, Playlist1.json… "
                      "from Spotify's 'Download your data', or Exportify .csv files)");
  }
  // The parsed documents (many times their file's size) are gone: their pages go back to
  // the system before the run reads the library, instead of adding to its peak.
  malloc_trim(0);
  return data;
}

}  // namespace spotify_extract
