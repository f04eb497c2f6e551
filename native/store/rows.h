#pragma once

#include <cstdint>
#include <ctime>
#include <string>

// What every part of the state database shares: how times are written into rows.

namespace spotify_extract {

// ISO-8601 UTC with seconds, "2026-11-23T18:35:21Z".
std::string FormatUtc(std::time_t seconds);
std::string UtcNow();
std::string UtcSecondsAgo(int64_t seconds);
// Parses our own "YYYY-MM-DDTHH:MM:SSZ"; 0 when it is something else.
std::time_t ParseUtc(const std::string& text);

}  // namespace spotify_extract
