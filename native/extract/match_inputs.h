#pragma once

#include <string>
#include <vector>

#include "match/matcher.h"
#include "spotify/model.h"
#include "store/state_store.h"

// What the stored matches were computed from, as one digest: the beets library file (its
// size, modification time and inode, and those of its WAL), the music directory, the
// tracks to match, the person's decisions, the thresholds and the engine build itself.
// When the digest equals the one recorded after the last match, matching again would
// give the same result, so a rerun with nothing changed skips it. Any write to
// library.db (an import, `beet modify`, even an album's art) changes the digest: the
// test is conservative, never stale.

namespace spotify_extract {

inline constexpr const char* kMatchInputsKey = "match_inputs_digest";
// The library part alone, recorded beside the digest: a run whose library is as at the
// last match can leave building the matcher until it knows the tracks changed.
inline constexpr const char* kMatchLibraryStampKey = "match_library_stamp";

// The engine build, library.db and its WAL, and the music directory, taken before the
// library is read (a write during the read then shows as a change next time).
std::string LibraryStamp(const std::string& library_db, const std::string& music_dir);

std::string MatchInputsDigest(const std::string& library_stamp, const MatchOptions& options,
                              const std::vector<Track>& tracks,
                              const std::vector<Override>& overrides);

}  // namespace spotify_extract
