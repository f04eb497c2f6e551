#include "spotify/model.h"

#include <stdexcept>

namespace spotify_extract {

std::string JoinArtists(const std::vector<ArtistRef>& artists) {
  std::string joined;
  for (const ArtistRef& artist : artists) {
    if (artist.name.empty()) continue;
    if (!joined.empty()) joined += ", ";
    joined += artist.name;
  }
  return joined;
}

std::string EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kTrack:
      return "track";
    case EntryKind::kEpisode:
      return "episode";
    case EntryKind::kLocalFile:
      return "local";
    case EntryKind::kUnavailable:
      return "unavailable";
    case EntryKind::kNull:
      return "null";
  }
  return "null";
}

EntryKind EntryKindFromName(const std::string& name) {
  if (name == "track") return EntryKind::kTrack;
  if (name == "episode") return EntryKind::kEpisode;
  if (name == "local") return EntryKind::kLocalFile;
  if (name == "unavailable") return EntryKind::kUnavailable;
  return EntryKind::kNull;
}

const char* PlaylistAccessName(PlaylistAccess access) {
  switch (access) {
    case PlaylistAccess::kReadable:
      return "readable";
    case PlaylistAccess::kNotShared:
      return "not_shared";
    case PlaylistAccess::kUnavailable:
      return "unavailable";
  }
  return "readable";
}

namespace {
// The value whose name is `name`, or std::invalid_argument naming every known one.
template <typename Enum, size_t N>
Enum FromName(const std::string& name, const Enum (&values)[N], const char* (*name_of)(Enum),
              const char* what) {
  std::string known;
  for (Enum value : values) {
    if (name == name_of(value)) return value;
    known += known.empty() ? "" : ", ";
    known += name_of(value);
  }
  throw std::invalid_argument("unknown " + std::string(what) + " \"" + name + "\" (one of " +
                              known + ")");
}
}  // namespace

PlaylistAccess PlaylistAccessFromName(const std::string& name) {
  static constexpr PlaylistAccess kAll[] = {PlaylistAccess::kReadable, PlaylistAccess::kNotShared,
                                            PlaylistAccess::kUnavailable};
  return FromName(name, kAll, PlaylistAccessName, "playlist access");
}

const char* PlaylistSourceName(PlaylistSource source) {
  return source == PlaylistSource::kExport ? "export" : "api";
}

PlaylistSource PlaylistSourceFromName(const std::string& name) {
  static constexpr PlaylistSource kAll[] = {PlaylistSource::kApi, PlaylistSource::kExport};
  return FromName(name, kAll, PlaylistSourceName, "playlist source");
}

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

MatchMethod MatchMethodFromName(const std::string& name) {
  static constexpr MatchMethod kAll[] = {MatchMethod::kNone,      MatchMethod::kOverride,
                                         MatchMethod::kSpotifyId, MatchMethod::kIsrc,
                                         MatchMethod::kExact,     MatchMethod::kFuzzy};
  return FromName(name, kAll, MatchMethodName, "match method");
}

MatchStatus MatchStatusFromName(const std::string& name) {
  static constexpr MatchStatus kAll[] = {MatchStatus::kMatched, MatchStatus::kReview,
                                         MatchStatus::kUnmatched};
  return FromName(name, kAll, MatchStatusName, "match status");
}

}  // namespace spotify_extract
