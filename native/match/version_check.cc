#include "match/version_check.h"

#include <cstdint>

#include "match/normalize.h"

namespace spotify_extract::norm {

std::string UnwantedVersions(std::string_view wanted_title, std::string_view wanted_album,
                             std::string_view found_title) {
  uint32_t wanted = ParseTitle(wanted_title).flags | (ParseAlbum(wanted_album).flags & kLive);
  uint32_t found = ParseTitle(found_title).flags & kHardVersionFlags;
  return VersionFlagNames(found & ~wanted);
}

}  // namespace spotify_extract::norm
