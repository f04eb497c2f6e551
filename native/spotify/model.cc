#include "spotify/model.h"

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

}  // namespace spotify_extract
