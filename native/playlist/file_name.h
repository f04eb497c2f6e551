#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace spotify_extract {

// The longest file-name stem (template applied, before a disambiguation suffix and the
// extension) in UTF-8 bytes. File systems allow 255 bytes per name (eCryptfs 143, SMB 255
// UTF-16 units); 180 leaves room for " [abc123]" + ".m3u" and for cautious shares.
inline constexpr size_t kDefaultMaxNameBytes = 180;

// Turns a playlist name (any bytes, hostile or not) into a file-name stem that every file
// system and SMB share accepts and that cannot leave its directory:
//  - invalid UTF-8 sequences, control characters (C0, DEL, C1), line/paragraph separators,
//    '/', '\\' and the characters Windows/SMB reject (< > : " | ? *) become '_';
//    bidi overrides/isolates and BOMs are dropped (they disguise names);
//  - the result is NFC, trimmed, without trailing dots or spaces (Windows drops them);
//  - a leading '.' gets a '_' in front (no hidden files, no "..");
//  - Windows reserved device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with or without an
//    extension, any case) get a '_' in front;
//  - at most `max_bytes` bytes, cut on a grapheme-cluster boundary (UTF-8 safe);
//  - `if_empty` when nothing is left ("Untitled"; the mirror asks for "" to see it).
std::string SanitizeFileStem(std::string_view name, size_t max_bytes = kDefaultMaxNameBytes,
                             std::string_view if_empty = "Untitled");

// The key under which two file names collide on a case-insensitive or normalising file
// system (SMB, macOS, Windows): NFC + Unicode case folding.
std::string FileNameKey(std::string_view file_name);

// Applies a name template: "{name}" is the playlist name, "{id}" its Spotify id; "{{" and
// "}}" are literal braces. Other text is kept as is (it is sanitised afterwards).
std::string ExpandNameTemplate(std::string_view name_template, std::string_view name,
                               std::string_view id);

// Replaces invalid UTF-8 sequences with U+FFFD and control characters (which would break a
// line-based m3u) with a space; for text shown in #EXTINF and comment lines.
std::string CleanLineText(std::string_view text);

// True when `bytes` is valid UTF-8.
bool IsValidUtf8(std::string_view bytes);

}  // namespace spotify_extract
