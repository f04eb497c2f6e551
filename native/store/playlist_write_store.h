#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/rows.h"

// Writing to Spotify: the playlists this tool created (the only ones it ever changes) and
// the checkpoint of a write in progress, batch by batch, so that a run killed mid-write is
// continued by the next one (the created_playlists and playlist_writes tables).

namespace spotify_extract {

struct CreatedPlaylist {
  std::string playlist_id;
  std::string target;  // what it is for: "master:<name>", "push:<name>"
  std::string name;
  std::string snapshot_id;   // after the last complete write
  int item_count = 0;        // items of the last complete write
  std::string items_digest;  // of the URI list of the last complete write
  std::string created_at;
  std::string updated_at;
  bool gone = false;  // deleted on Spotify: never written again
};

struct PlaylistWrite {
  std::string target;
  std::string playlist_id;  // "" until Spotify answered the create
  std::string create_tag;   // in the description of the playlist being created
  std::string items_digest;
  int item_count = 0;
  int batches_done = 0;
  int items_done = 0;  // items known to be in place (a prefix of the intended list)
  std::string snapshot_id;
  std::string started_at;
  std::string updated_at;
};

class PlaylistWriteStore {
 public:
  explicit PlaylistWriteStore(SharedConnection shared) : shared_(shared) {}

  // The newest playlist created for `target` that is not gone.
  std::optional<CreatedPlaylist> CreatedFor(const std::string& target);
  bool IsCreated(const std::string& playlist_id);
  std::vector<CreatedPlaylist> ListCreated();
  // Spotify answered the create: the playlist is ours from now on, and the write in
  // progress for `target` (if any) writes to it. One transaction.
  void RecordCreated(const std::string& playlist_id, const std::string& target,
                     const std::string& name, const std::string& snapshot_id);
  // The playlist no longer exists on Spotify.
  void MarkGone(const std::string& playlist_id);

  std::optional<PlaylistWrite> GetWrite(const std::string& target);
  // Starts (or restarts, replacing a stale one) the write of `target`.
  PlaylistWrite BeginWrite(const std::string& target, const std::string& playlist_id,
                           const std::string& create_tag, const std::string& items_digest,
                           int item_count);
  // What is known to be in place after a batch (or after a check of the playlist).
  void Checkpoint(const std::string& target, int items_done, const std::string& snapshot_id,
                  bool batch_written);
  // The write is complete: the checkpoint goes, the created playlist records the result.
  void FinishWrite(const std::string& target, const std::string& snapshot_id);

 private:
  SharedConnection shared_;
};

}  // namespace spotify_extract
