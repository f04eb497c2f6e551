#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/rows.h"

// The wishlist: every wanted track the library lacks, and manual additions, with the
// download and import state a cron job can drive (the wishlist table).

namespace spotify_extract {

// pending -> downloading -> downloaded -> imported, or failed (error, retry count), or
// dismissed by the person.
enum class WishlistStatus { kPending, kDownloading, kDownloaded, kImported, kFailed, kDismissed };
inline constexpr WishlistStatus kWishlistStatuses[] = {
    WishlistStatus::kPending,  WishlistStatus::kDownloading, WishlistStatus::kDownloaded,
    WishlistStatus::kImported, WishlistStatus::kFailed,      WishlistStatus::kDismissed};
// "pending", "downloading", ...: the wishlist.status column and Python's name.
const char* WishlistStatusName(WishlistStatus status);
// The inverse; throws StoreError naming the known statuses.
WishlistStatus WishlistStatusFromName(const std::string& name);

struct PlaylistRef {
  std::string id;  // "liked" for Liked Songs
  std::string name;
};

struct WishlistEntry {
  std::string spotify_track_id;
  std::string artist;
  std::string title;
  std::string album;
  std::string isrc;
  int duration_ms = 0;
  std::string cover_url;
  std::string spotify_url;
  WishlistStatus status = WishlistStatus::kPending;
  std::string error;
  int retries = 0;
  std::string file_path;  // bytes
  int64_t item_id = 0;
  std::string source = "manual";          // extract (the pipeline) | manual (beet wishlist add)
  std::vector<std::string> requested_by;  // manual additions: what asked for it
  std::string added_at;
  std::string updated_at;
  std::string downloaded_at;
  std::string imported_at;
  std::vector<PlaylistRef> wanted_by;  // filled by the list calls
};

struct WishlistFilter {
  std::vector<WishlistStatus> statuses;  // empty: all
  std::string playlist;                  // a playlist id or name (case-insensitive), "" = any
  std::string text;                      // substring of artist, title or album, case-insensitive
  int limit = 0;                         // 0 = no limit
  int offset = 0;
};

struct WishlistStats {
  std::map<WishlistStatus, int> by_status;  // every status, 0 when none
  int total = 0;
  int downloaded_last_week = 0;
  int imported_last_week = 0;
  int failed_attempts = 0;  // sum of retries
};

struct WishlistSyncResult {
  int added = 0;     // new pending entries
  int closed = 0;    // entries whose track is matched now (-> imported)
  int reopened = 0;  // imported entries whose match went away (-> pending)
  int dropped = 0;   // pending entries no playlist wants any more
  int pending = 0;   // pending after the sync
};

class WishlistStore {
 public:
  explicit WishlistStore(SharedConnection shared) : shared_(shared) {}

  // Every unmatched wanted track gets (or keeps) an entry; entries of tracks matched
  // now close (imported, with the item); pending extract entries nobody wants drop.
  WishlistSyncResult Sync(int64_t snapshot);
  std::vector<WishlistEntry> List(const WishlistFilter& filter = {});
  int Count(const WishlistFilter& filter = {});
  std::optional<WishlistEntry> Get(const std::string& spotify_track_id);
  // A manual addition; an existing entry is kept (a dismissed one comes back pending).
  // Returns true when a new entry was created.
  bool Add(const WishlistEntry& entry);
  // Any status change; kFailed counts a retry and keeps the error, kDownloaded and
  // kImported record the time (and file path / item when given).
  void SetStatus(const std::string& spotify_track_id, WishlistStatus status,
                 const std::string& error = "", const std::string& file_path = "",
                 int64_t item_id = 0);
  void Dismiss(const std::string& spotify_track_id);
  void Restore(const std::string& spotify_track_id);
  // failed -> pending (one id, or every failed entry when id is empty); returns how many.
  int Retry(const std::string& spotify_track_id = "");
  // downloading -> pending after an interrupted download run; returns how many.
  int ResetInterruptedDownloads();
  WishlistStats Stats();
  // The live playlists (and Liked Songs) that want the track.
  std::vector<PlaylistRef> WantedBy(const std::string& spotify_track_id);

 private:
  std::string Where(const WishlistFilter& filter, std::vector<std::string>& params);
  void FillWantedBy(std::vector<WishlistEntry>& entries);

  SharedConnection shared_;
};

}  // namespace spotify_extract
