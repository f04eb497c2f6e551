#pragma once

#include <optional>
#include <string>
#include <vector>

#include "playlist/mirror.h"
#include "store/state_store.h"

// What the mirrored files were rendered from, as one digest, so that a rerun with nothing
// changed does not read the beets library again only to render the same files: the stored
// playlists and their entries (each matched item id, or the text of a missing track), the
// mirror's settings, and what the match phase recorded of the library file (its size,
// modification time and inode: any write to library.db changes it) and of the engine.
// The files are not rendered again only when the digest equals the one recorded after the
// last mirror that met no foreign file (that depends on what else is in the folder) and
// every file the mirror owns is on disk with the content it wrote; the last result is then
// reported (its notes too) with every written file as unchanged.

namespace spotify_extract {

inline constexpr const char* kMirrorInputsKey = "mirror_inputs_digest";
inline constexpr const char* kMirrorResultKey = "mirror_result";

// One entry as the store gives it, before the library is read: the item it matched (0:
// none) and what a missing entry's comment says.
struct StoredMirrorEntry {
  int64_t item_id = 0;
  std::string artist;
  std::string title;
  std::string uri;  // "spotify:track:<id>"; empty for a local file
};

struct StoredMirrorPlaylist {
  std::string spotify_id;
  std::string name;
  std::vector<StoredMirrorEntry> entries;
};

std::string MirrorInputsDigest(const std::string& match_inputs, const MirrorOptions& options,
                               const std::vector<StoredMirrorPlaylist>& playlists);

// The last result when the digest is the recorded one and every owned file is on disk as
// written; nullopt when the mirror must run.
std::optional<MirrorResult> UnchangedMirror(StateStore& store, const std::string& digest);

// After a mirror that wrote what it had to: its digest and result for the next run.
// Otherwise (a foreign file in the way, a failure) nothing is recorded and the next run
// mirrors again.
void RecordMirror(StateStore& store, const std::string& digest, const MirrorResult& result);
// Before mirroring: a mirror that fails half-way must not leave a digest behind.
void ForgetMirror(StateStore& store);

}  // namespace spotify_extract
