#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "playlist/file_name.h"
#include "playlist/m3u.h"

// Mirroring Spotify playlists into a folder of m3u files that the plugin owns.
//
// The caller (the pipeline) keeps the list of files the plugin wrote (`OwnedFile`) in its
// state database and passes it back on the next run; this part never touches the store.
// Rules:
//  - one file per playlist with at least one playable entry, named by the template and
//    sanitised; its second line is the marker "#SPOTIFY-EXTRACT:playlist=<id>";
//  - a playlist given here with no playable entry keeps the file it has, unchanged
//    (items that vanish from the library in one run must not cost the person a file);
//    only a playlist no longer given (deleted on Spotify) loses its file;
//  - a file is ours when the caller recorded it (`previously_owned`) or it carries our
//    marker for the same playlist id (the state database was lost or the folder moved);
//    any other file is never overwritten or removed: the playlist takes the next free
//    name ("<name> [<id prefix>]") and a warning says so; if none is free it is skipped;
//  - two playlists never share a file: when names collide (also case-insensitively, as
//    on SMB) the one that already owns the plain name keeps it, the other gets a suffix
//    from its Spotify id, and its outcome says so; a name that sanitises to nothing
//    always gets the suffix ("Untitled [<id prefix>]"); names stay stable between runs;
//  - files recorded in another folder (playlist_dir changed) are left where they are and
//    forgotten, and a warning names that folder;
//  - content equal to what is on disk is not rewritten (mtime kept, no rescans);
//  - every new file is first written to a temporary file in the same folder and fsynced;
//    only when all of them are written are they renamed into place (then the folder is
//    fsynced), and only then are files of deleted/renamed playlists removed. A failure
//    while writing (permissions, full disk) removes the temporary files, changes nothing
//    and throws MirrorError;
//  - the mirrored files are generated: edits made to them are replaced on the next run.

namespace spotify_extract {

// The id the pipeline gives to the Liked Songs pseudo-playlist.
inline constexpr char kLikedSongsId[] = "liked";
inline constexpr char kLikedSongsName[] = "Liked Songs";

struct MirrorPlaylist {
  std::string spotify_id;  // stable key; kLikedSongsId for Liked Songs
  std::string name;        // as on Spotify (any bytes; sanitised for the file name)
  std::vector<MirrorEntry> entries;
};

// A file written by the plugin, as recorded by the caller.
struct OwnedFile {
  std::string spotify_id;
  std::string path;          // absolute path bytes of the m3u
  std::string content_hash;  // ContentHash() of what was written
};

using WriteFunction = std::function<ssize_t(int fd, const void* data, size_t size)>;

struct MirrorOptions {
  std::string playlist_dir;  // created when missing
  std::string library_root;  // beets' music directory
  PathStyle style;
  std::string name_template = "{name} (Spotify)";
  bool missing_comments = false;
  NonUtf8Policy non_utf8 = NonUtf8Policy::kSkip;
  size_t max_name_bytes = kDefaultMaxNameBytes;
  bool dry_run = false;  // plan and count, write and remove nothing
  // For tests: replaces write(2) (e.g. to inject ENOSPC). Empty: write(2).
  WriteFunction write_function;
};

// kKept: no playable entry now; the file it had is left as it was.
enum class MirrorStatus { kWritten, kUnchanged, kKept, kSkipped };

struct PlaylistOutcome {
  std::string spotify_id;
  std::string name;
  std::string path;  // the m3u (empty when skipped)
  MirrorStatus status = MirrorStatus::kSkipped;
  RenderStats stats;
  std::string message;  // why it was skipped, kept or renamed; empty otherwise
};

struct MirrorResult {
  int written = 0;
  int unchanged = 0;
  int removed = 0;
  int kept = 0;
  int skipped = 0;
  std::vector<PlaylistOutcome> playlists;  // one per input playlist, in input order
  std::vector<std::string> removed_paths;
  // Foreign files avoided, files that could not be removed, old folders left alone.
  std::vector<std::string> warnings;
  std::vector<OwnedFile> owned;  // what the caller records for the next run
};

// A write failed; nothing was changed on disk unless `owned` says otherwise (it is the list
// to record after the failure: `previously_owned` when nothing was replaced).
class MirrorError : public std::runtime_error {
 public:
  MirrorError(const std::string& message, std::vector<OwnedFile> owned)
      : std::runtime_error(message), owned_(std::move(owned)) {}
  const std::vector<OwnedFile>& owned() const { return owned_; }

 private:
  std::vector<OwnedFile> owned_;
};

// The hash recorded for a file's content (SHA-256, hex).
std::string ContentHash(std::string_view content);

// The file name (stem + extension) for a playlist; `attempt` 0 is the plain name, 1 adds a
// short id suffix, 2 the whole id. A name that sanitises to nothing is "Untitled" with the
// suffix at every attempt.
std::string PlaylistFileName(const MirrorPlaylist& playlist, const MirrorOptions& options,
                             int attempt);

MirrorResult Mirror(const std::vector<MirrorPlaylist>& playlists,
                    const std::vector<OwnedFile>& previously_owned, const MirrorOptions& options);

}  // namespace spotify_extract
