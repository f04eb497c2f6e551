#pragma once

#include <string>
#include <string_view>

// The check a downloaded file passes before it is imported: the matcher's version guards
// applied to the title the file carries.

namespace spotify_extract::norm {

// The hard version tags (live, remix, karaoke ...; VersionFlagNames, comma-separated)
// that `found_title` carries and the wanted track lacks: not in its title, and for a live
// take not in its album's name either ("Live at Wembley"). Empty when the found title is
// the wanted version; soft tags (edit, mono) and remasters never count.
std::string UnwantedVersions(std::string_view wanted_title, std::string_view wanted_album,
                             std::string_view found_title);

}  // namespace spotify_extract::norm
