#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "store/run_lock.h"
#include "store/state_store.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

// A method of one part of the store, bound on StateStore: Python keeps one store object.
template <typename Part, typename Result, typename... Args>
auto On(Part& (StateStore::*part)(), Result (Part::*method)(Args...)) {
  return [part, method](StateStore& store, Args... args) -> Result {
    return ((store.*part)().*method)(std::forward<Args>(args)...);
  };
}

}  // namespace

void BindStore(py::module_& module, py::handle base_error) {
  auto& store_error = RegisterException<StoreError>(module, "StoreError", base_error);
  RegisterException<RunLockedError>(module, "RunLockedError", store_error);
  module.attr("STATE_DATABASE_NAME") = kStateDatabaseName;
  std::vector<std::string> status_names;
  for (WishlistStatus status : kWishlistStatuses)
    status_names.push_back(WishlistStatusName(status));
  module.attr("WISHLIST_STATUSES") = status_names;

  py::class_<RunLock>(module, "RunLock")
      .def_static("acquire", &RunLock::Acquire, py::arg("lock_path"), py::arg("what"),
                  "Take the one-run-at-a-time lock, or raise RunLockedError.")
      .def("release", &RunLock::Release)
      .def_property_readonly("held", &RunLock::held)
      .def("__enter__", [](RunLock& lock) -> RunLock& { return lock; })
      .def("__exit__", [](RunLock& lock, py::args) { lock.Release(); });

  py::class_<SnapshotRecord>(module, "SnapshotRecord")
      .def_readonly("id", &SnapshotRecord::id)
      .def_readonly("started_at", &SnapshotRecord::started_at)
      .def_readonly("finished_at", &SnapshotRecord::finished_at)
      .def_property_readonly("status",
                             [](const SnapshotRecord& s) { return SnapshotStatusName(s.status); })
      .def_readonly("source", &SnapshotRecord::source)
      .def_readonly("dry_run", &SnapshotRecord::dry_run)
      .def_readonly("phase", &SnapshotRecord::phase)
      .def_property_readonly("phases_json",
                             [](const SnapshotRecord& s) { return ToStr(s.phases_json); })
      .def_property_readonly("counts_json",
                             [](const SnapshotRecord& s) { return ToStr(s.counts_json); })
      .def_readonly("requests", &SnapshotRecord::requests)
      .def_property_readonly("error", [](const SnapshotRecord& s) { return ToStr(s.error); })
      .def_readonly("resumed", &SnapshotRecord::resumed);

  py::class_<PlaylistRecord>(module, "PlaylistRecord")
      .def_readonly("playlist", &PlaylistRecord::playlist)
      .def_property_readonly("id", [](const PlaylistRecord& p) { return p.playlist.id; })
      .def_property_readonly("name", [](const PlaylistRecord& p) { return ToStr(p.playlist.name); })
      .def_property_readonly("access",
                             [](const PlaylistRecord& p) { return PlaylistAccessName(p.access); })
      .def_readonly("fetched_snapshot_id", &PlaylistRecord::fetched_snapshot_id)
      .def_property_readonly("source",
                             [](const PlaylistRecord& p) { return PlaylistSourceName(p.source); })
      .def_readonly("removed", &PlaylistRecord::removed)
      .def_readonly("position", &PlaylistRecord::position)
      .def_readonly("entry_count", &PlaylistRecord::entry_count);

  py::class_<FetchProgress>(module, "FetchProgress")
      .def_readonly("scope", &FetchProgress::scope)
      .def_readonly("version", &FetchProgress::version)
      .def_readonly("next_offset", &FetchProgress::next_offset)
      .def_readonly("next_cursor", &FetchProgress::next_cursor)
      .def_readonly("total", &FetchProgress::total)
      .def_readonly("staged", &FetchProgress::staged);

  py::class_<StoredEntry>(module, "StoredEntry")
      .def_readonly("position", &StoredEntry::position)
      .def_readonly("kind", &StoredEntry::kind)
      .def_readonly("track", &StoredEntry::track)
      .def_readonly("added_at", &StoredEntry::added_at)
      .def_readonly("added_by", &StoredEntry::added_by);

  py::class_<MatchRecord>(module, "MatchRecord")
      .def(py::init<>())
      .def_readwrite("spotify_track_id", &MatchRecord::spotify_track_id)
      .def_readwrite("item_id", &MatchRecord::item_id)
      .def_property(
          "method", [](const MatchRecord& m) { return MatchMethodName(m.method); },
          [](MatchRecord& m, const std::string& name) { m.method = MatchMethodFromName(name); })
      .def_readwrite("confidence", &MatchRecord::confidence)
      .def_readwrite("runners_up_json", &MatchRecord::runners_up_json)
      .def_readwrite("overridden", &MatchRecord::overridden)
      .def_property(
          "status", [](const MatchRecord& m) { return MatchStatusName(m.status); },
          [](MatchRecord& m, const std::string& name) { m.status = MatchStatusFromName(name); });

  py::class_<Override>(module, "Override")
      .def_readonly("spotify_track_id", &Override::spotify_track_id)
      .def_readonly("item_id", &Override::item_id)
      .def_readonly("rejected", &Override::rejected)
      .def_readonly("decided_at", &Override::decided_at);

  py::class_<MirroredFile>(module, "MirroredFile")
      .def(py::init<>())
      .def(py::init([](const py::object& path, std::string playlist_id, std::string hash) {
             return MirroredFile{PathBytes(path), std::move(playlist_id), std::move(hash), ""};
           }),
           py::arg("path"), py::arg("playlist_id"), py::arg("content_hash"))
      .def_property(
          "path", [](const MirroredFile& f) { return py::bytes(f.path); },
          [](MirroredFile& f, const py::object& value) { f.path = PathBytes(value); })
      .def_readwrite("playlist_id", &MirroredFile::playlist_id)
      .def_readwrite("content_hash", &MirroredFile::content_hash)
      .def_readwrite("written_at", &MirroredFile::written_at);

  py::class_<PlaylistRef>(module, "PlaylistRef")
      .def_readonly("id", &PlaylistRef::id)
      .def_property_readonly("name", [](const PlaylistRef& p) { return ToStr(p.name); })
      .def("__repr__", [](const PlaylistRef& p) { return "<PlaylistRef " + p.name + ">"; });

  py::class_<WishlistEntry>(module, "WishlistEntry")
      .def(py::init<>())
      .def_readwrite("spotify_track_id", &WishlistEntry::spotify_track_id)
      .def_property(
          "artist", [](const WishlistEntry& e) { return ToStr(e.artist); },
          [](WishlistEntry& e, std::string value) { e.artist = std::move(value); })
      .def_property(
          "title", [](const WishlistEntry& e) { return ToStr(e.title); },
          [](WishlistEntry& e, std::string value) { e.title = std::move(value); })
      .def_property(
          "album", [](const WishlistEntry& e) { return ToStr(e.album); },
          [](WishlistEntry& e, std::string value) { e.album = std::move(value); })
      .def_readwrite("isrc", &WishlistEntry::isrc)
      .def_readwrite("duration_ms", &WishlistEntry::duration_ms)
      .def_readwrite("cover_url", &WishlistEntry::cover_url)
      .def_readwrite("spotify_url", &WishlistEntry::spotify_url)
      .def_property(
          "status", [](const WishlistEntry& e) { return WishlistStatusName(e.status); },
          [](WishlistEntry& e, const std::string& name) {
            e.status = WishlistStatusFromName(name);
          })
      .def_property(
          "error", [](const WishlistEntry& e) { return ToStr(e.error); },
          [](WishlistEntry& e, std::string value) { e.error = std::move(value); })
      .def_readwrite("retries", &WishlistEntry::retries)
      .def_property(
          "file_path", [](const WishlistEntry& e) { return py::bytes(e.file_path); },
          [](WishlistEntry& e, const py::object& value) { e.file_path = PathBytes(value); })
      .def_readwrite("item_id", &WishlistEntry::item_id)
      .def_readwrite("source", &WishlistEntry::source)
      .def_readwrite("requested_by", &WishlistEntry::requested_by)
      .def_readwrite("added_at", &WishlistEntry::added_at)
      .def_readwrite("updated_at", &WishlistEntry::updated_at)
      .def_readwrite("downloaded_at", &WishlistEntry::downloaded_at)
      .def_readwrite("imported_at", &WishlistEntry::imported_at)
      .def_readonly("wanted_by", &WishlistEntry::wanted_by)
      .def("__repr__", [](const WishlistEntry& e) {
        return "<WishlistEntry " + e.spotify_track_id + " " + e.artist + " - " + e.title + " [" +
               WishlistStatusName(e.status) + "]>";
      });

  py::class_<WishlistFilter>(module, "WishlistFilter")
      .def(py::init<>())
      .def_property(
          "statuses",
          [](const WishlistFilter& f) {
            std::vector<std::string> names;
            for (WishlistStatus status : f.statuses) names.push_back(WishlistStatusName(status));
            return names;
          },
          [](WishlistFilter& f, const std::vector<std::string>& names) {
            f.statuses.clear();
            for (const std::string& name : names) {
              f.statuses.push_back(WishlistStatusFromName(name));
            }
          })
      .def_readwrite("playlist", &WishlistFilter::playlist)
      .def_readwrite("text", &WishlistFilter::text)
      .def_readwrite("limit", &WishlistFilter::limit)
      .def_readwrite("offset", &WishlistFilter::offset);

  py::class_<WishlistStats>(module, "WishlistStats")
      .def_property_readonly("by_status",
                             [](const WishlistStats& stats) {
                               std::map<std::string, int> by_name;
                               for (const auto& [status, count] : stats.by_status) {
                                 by_name[WishlistStatusName(status)] = count;
                               }
                               return by_name;
                             })
      .def_readonly("total", &WishlistStats::total)
      .def_readonly("downloaded_last_week", &WishlistStats::downloaded_last_week)
      .def_readonly("imported_last_week", &WishlistStats::imported_last_week)
      .def_readonly("failed_attempts", &WishlistStats::failed_attempts);

  py::class_<WishlistSyncResult>(module, "WishlistSyncResult")
      .def_readonly("added", &WishlistSyncResult::added)
      .def_readonly("closed", &WishlistSyncResult::closed)
      .def_readonly("reopened", &WishlistSyncResult::reopened)
      .def_readonly("dropped", &WishlistSyncResult::dropped)
      .def_readonly("pending", &WishlistSyncResult::pending);

  py::class_<Change>(module, "Change")
      .def_readonly("kind", &Change::kind)
      .def_readonly("subject", &Change::subject)
      .def_property_readonly("detail", [](const Change& c) { return ToStr(c.detail); });

  py::class_<SummaryCounts>(module, "SummaryCounts")
      .def_readonly("tracks", &SummaryCounts::tracks)
      .def_readonly("matched", &SummaryCounts::matched)
      .def_readonly("review", &SummaryCounts::review)
      .def_readonly("missing", &SummaryCounts::missing)
      .def_readonly("matched_by_method", &SummaryCounts::matched_by_method)
      .def_readonly("playlists", &SummaryCounts::playlists)
      .def_readonly("playlists_readable", &SummaryCounts::playlists_readable)
      .def_readonly("playlists_not_shared", &SummaryCounts::playlists_not_shared)
      .def_readonly("playlists_unavailable", &SummaryCounts::playlists_unavailable)
      .def_readonly("playlist_entries", &SummaryCounts::playlist_entries)
      .def_readonly("liked", &SummaryCounts::liked)
      .def_readonly("saved_albums", &SummaryCounts::saved_albums)
      .def_readonly("followed_artists", &SummaryCounts::followed_artists)
      .def_readonly("audio_features", &SummaryCounts::audio_features)
      .def_readonly("local_files", &SummaryCounts::local_files)
      .def_readonly("episodes", &SummaryCounts::episodes)
      .def_readonly("missing_by_status", &SummaryCounts::missing_by_status)
      .def_readonly("wishlist_pending", &SummaryCounts::wishlist_pending)
      .def_readonly("wishlist_others", &SummaryCounts::wishlist_others);

  using S = StateStore;
  using Release = py::call_guard<py::gil_scoped_release>;
  py::class_<S>(module, "StateStore")
      .def(py::init([](const py::object& path, std::chrono::milliseconds busy_timeout) {
             S::Options options;
             options.busy_timeout = busy_timeout;
             std::string bytes = PathBytes(path);
             py::gil_scoped_release release;
             return std::make_unique<S>(bytes, options);
           }),
           py::arg("path"), py::arg("busy_timeout") = std::chrono::milliseconds(10000))
      .def_property_readonly("path", &S::path)
      .def("lock_path", &S::LockPath)
      .def("get_meta", &S::GetMeta, py::arg("key"), Release())
      .def("set_meta", &S::SetMeta, py::arg("key"), py::arg("value"), Release())
      // snapshots
      .def("begin_snapshot", On(&S::snapshots, &SnapshotStore::Begin), py::arg("source") = "api",
           py::arg("dry_run") = false,
           py::arg("resume_within") = std::chrono::seconds(std::chrono::hours(24)), Release())
      .def("get_snapshot", On(&S::snapshots, &SnapshotStore::Get), py::arg("id"), Release())
      .def(
          "last_snapshot",
          [](S& store, const std::string& status) {
            std::optional<SnapshotStatus> typed;
            if (!status.empty()) typed = SnapshotStatusFromName(status);
            py::gil_scoped_release release;
            return store.snapshots().Last(typed);
          },
          py::arg("status") = "")
      .def(
          "finish_snapshot",
          [](S& store, int64_t snapshot, const std::string& status, const std::string& error,
             const std::string& counts_json) {
            SnapshotStatus typed = SnapshotStatusFromName(status);
            py::gil_scoped_release release;
            store.snapshots().Finish(snapshot, typed, error, counts_json);
          },
          py::arg("snapshot"), py::arg("status"), py::arg("error") = "",
          py::arg("counts_json") = "{}")
      .def("changes", On(&S::snapshots, &SnapshotStore::Changes), py::arg("snapshot"), Release())
      // playlists and entries
      .def("save_playlist_page", On(&S::catalog, &CatalogStore::SavePlaylistPage), Release())
      .def(
          "finish_playlist_listing",
          [](S& store, int64_t snapshot, const std::string& source) {
            PlaylistSource typed = PlaylistSourceFromName(source);
            py::gil_scoped_release release;
            return store.catalog().FinishPlaylistListing(snapshot, typed);
          },
          py::arg("snapshot"), py::arg("source") = "api")
      .def("get_playlist", On(&S::catalog, &CatalogStore::GetPlaylist), py::arg("id"), Release())
      .def("list_playlists", On(&S::catalog, &CatalogStore::ListPlaylists),
           py::arg("include_removed") = false, Release())
      .def("playlists_needing_entries", On(&S::catalog, &CatalogStore::PlaylistsNeedingEntries),
           Release())
      .def("set_playlist_access",
           [](S& store, int64_t snapshot, const std::string& playlist_id, const std::string& access,
              const std::string& version) {
             PlaylistAccess typed = PlaylistAccessFromName(access);
             py::gil_scoped_release release;
             store.catalog().SetPlaylistAccess(snapshot, playlist_id, typed, version);
           })
      .def("replace_playlist_entries", On(&S::catalog, &CatalogStore::ReplacePlaylistEntries),
           py::arg("snapshot"), py::arg("playlist_id"), py::arg("entries"), py::arg("version"),
           Release())
      .def("playlist_entries", On(&S::catalog, &CatalogStore::PlaylistEntries),
           py::arg("playlist_id"), Release())
      .def("liked_count", On(&S::saved, &SavedLibraryStore::LikedCount), Release())
      .def("liked_entries", On(&S::saved, &SavedLibraryStore::LikedEntries), Release())
      .def("saved_albums", On(&S::saved, &SavedLibraryStore::SavedAlbums), Release())
      .def("saved_album_count", On(&S::saved, &SavedLibraryStore::SavedAlbumCount), Release())
      .def("tracks_needing_enrichment", On(&S::catalog, &CatalogStore::TracksNeedingEnrichment),
           py::arg("limit") = 0, Release())
      .def("followed_artists", On(&S::saved, &SavedLibraryStore::FollowedArtists), Release())
      // tracks, features
      .def("upsert_tracks", On(&S::catalog, &CatalogStore::UpsertTracks), Release())
      .def("get_track", On(&S::catalog, &CatalogStore::GetTrack), py::arg("id"), Release())
      .def("wanted_tracks", On(&S::catalog, &CatalogStore::WantedTracks), Release())
      .def("save_audio_features", On(&S::saved, &SavedLibraryStore::SaveAudioFeatures),
           py::arg("features"), py::arg("missing") = std::vector<std::string>(), Release())
      .def("get_audio_features", On(&S::saved, &SavedLibraryStore::GetAudioFeatures), Release())
      // matches, overrides
      .def("save_matches", On(&S::matches, &MatchStore::Save), py::arg("snapshot"),
           py::arg("matches"), Release())
      .def("get_match", On(&S::matches, &MatchStore::Get), Release())
      .def("all_matches", On(&S::matches, &MatchStore::All), Release())
      .def("get_override", On(&S::matches, &MatchStore::GetOverride), Release())
      .def("list_overrides", On(&S::matches, &MatchStore::ListOverrides), Release())
      .def("set_override", On(&S::matches, &MatchStore::SetOverride), py::arg("spotify_track_id"),
           py::arg("item_id"), Release())
      .def("reject_match", On(&S::matches, &MatchStore::Reject), py::arg("spotify_track_id"),
           py::arg("item_id") = 0, Release())
      .def("clear_override", On(&S::matches, &MatchStore::ClearOverride), Release())
      // mirrored files
      .def("mirrored_files", On(&S::mirrored_files, &MirroredFileStore::All), Release())
      .def("replace_mirrored_files", On(&S::mirrored_files, &MirroredFileStore::Replace), Release())
      // wishlist
      .def("sync_wishlist", On(&S::wishlist, &WishlistStore::Sync), Release())
      .def("list_wishlist", On(&S::wishlist, &WishlistStore::List),
           py::arg("filter") = WishlistFilter(), Release())
      .def("count_wishlist", On(&S::wishlist, &WishlistStore::Count),
           py::arg("filter") = WishlistFilter(), Release())
      .def("get_wishlist_entry", On(&S::wishlist, &WishlistStore::Get), Release())
      .def("add_wishlist_entry", On(&S::wishlist, &WishlistStore::Add), Release())
      .def(
          "set_wishlist_status",
          [](S& store, const std::string& id, const std::string& status, const std::string& error,
             const py::object& file_path, int64_t item_id) {
            WishlistStatus typed = WishlistStatusFromName(status);
            std::string path = PathBytes(file_path);
            py::gil_scoped_release release;
            store.wishlist().SetStatus(id, typed, error, path, item_id);
          },
          py::arg("spotify_track_id"), py::arg("status"), py::arg("error") = "",
          py::arg("file_path") = py::bytes(), py::arg("item_id") = 0)
      .def("dismiss_wishlist_entry", On(&S::wishlist, &WishlistStore::Dismiss), Release())
      .def("restore_wishlist_entry", On(&S::wishlist, &WishlistStore::Restore), Release())
      .def("retry_wishlist", On(&S::wishlist, &WishlistStore::Retry),
           py::arg("spotify_track_id") = "", Release())
      .def("reset_interrupted_downloads",
           On(&S::wishlist, &WishlistStore::ResetInterruptedDownloads), Release())
      .def("get_wishlist_stats", On(&S::wishlist, &WishlistStore::Stats), Release())
      .def("wanted_by", On(&S::wishlist, &WishlistStore::WantedBy), Release())
      .def("summary", &S::Summary, Release());
}

}  // namespace spotify_extract::bindings
