// Python access to the release watch (extract/release_sync.h) and the artwork records:
// conversion only.
#include <pybind11/chrono.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <memory>

#include "bindings/bindings.h"
#include "extract/artwork.h"
#include "extract/release_sync.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

// A client for `beet spotify-releases`; run from a worker thread, cancel() from the main.
struct PyReleaseWatch {
  StateStore* store = nullptr;
  std::unique_ptr<SpotifyClient> client;
  CancelToken cancel;
};

SaveArtworkFn PythonArtworkSaver(const py::object& callable) {
  // A failure to write an image fails the phase (a full disk should not pass silently).
  auto call =
      PythonCallback<const std::string&, Bytes, Bytes>(callable, CallbackErrors::kPropagate);
  if (!call) return {};
  return [call](const std::string& kind, const std::string& path, const std::string& bytes) {
    call(kind, Bytes{path}, Bytes{bytes});
  };
}

}  // namespace

void BindReleases(py::module_& module, py::handle /*base_error*/) {
  py::class_<WatchedArtist>(module, "WatchedArtist")
      .def(py::init<>())
      .def_readwrite("id", &WatchedArtist::id)
      .def_readwrite("name", &WatchedArtist::name);

  py::class_<ReleaseSyncOptions>(module, "ReleaseSyncOptions")
      .def(py::init<>())
      .def_readwrite("check_interval", &ReleaseSyncOptions::check_interval)
      .def_readwrite("artists_per_run", &ReleaseSyncOptions::artists_per_run)
      .def_readwrite("include_groups", &ReleaseSyncOptions::include_groups);

  py::class_<ReleaseSyncResult>(module, "ReleaseSyncResult")
      .def_readonly("artists_watched", &ReleaseSyncResult::artists_watched)
      .def_readonly("artists_due", &ReleaseSyncResult::artists_due)
      .def_readonly("artists_synced", &ReleaseSyncResult::artists_synced)
      .def_readonly("new_releases", &ReleaseSyncResult::new_releases)
      .def_readonly("catalogue", &ReleaseSyncResult::catalogue);

  py::class_<ArtistRelease>(module, "ArtistRelease")
      .def_readonly("album", &ArtistRelease::album)
      .def_readonly("album_type", &ArtistRelease::album_type)
      .def_readonly("album_group", &ArtistRelease::album_group);

  py::class_<ReleaseRecord>(module, "ReleaseRecord")
      .def_readonly("release", &ReleaseRecord::release)
      .def_readonly("artist_id", &ReleaseRecord::artist_id)
      .def_readonly("found_at", &ReleaseRecord::found_at)
      .def_readonly("is_new", &ReleaseRecord::is_new)
      .def_readonly("listed_at", &ReleaseRecord::listed_at);

  py::class_<WishReleasesResult>(module, "WishReleasesResult")
      .def_readonly("releases", &WishReleasesResult::releases)
      .def_readonly("added", &WishReleasesResult::added)
      .def_readonly("already", &WishReleasesResult::already)
      .def_readonly("owned", &WishReleasesResult::owned);

  py::class_<LibraryAlbums>(module, "LibraryAlbums").def("__len__", &LibraryAlbums::size);

  module.def(
      "read_library_albums",
      [](const py::object& library_db, const py::object& music_dir,
         std::chrono::duration<double> busy_timeout) {
        LibraryReadOptions read;
        read.music_dir = PathBytes(music_dir);
        read.busy_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(busy_timeout);
        std::string path = PathBytes(library_db);
        py::gil_scoped_release release;
        return LibraryAlbums::Read(path, read);
      },
      py::arg("library_db"), py::arg("music_dir"),
      py::arg("busy_timeout") = std::chrono::duration<double>(5.0),
      "The album keys of a beets library (album artist + normalised album, live or not).");

  module.def("watched_artists", &WatchedArtists, py::arg("store"), py::arg("library_artists"));

  module.def(
      "releases_not_in_library",
      [](StateStore& store, const LibraryAlbums& library, const std::vector<WatchedArtist>& artists,
         const std::string& since) {
        py::gil_scoped_release release;
        return ReleasesNotInLibrary(store, library, artists, since);
      },
      py::arg("store"), py::arg("library"), py::arg("artists"), py::arg("since") = "");

  module.def(
      "mark_releases_listed",
      [](StateStore& store, const std::vector<std::string>& ids) {
        store.releases().MarkListed(ids);
      },
      py::arg("store"), py::arg("release_ids"));

  py::class_<ArtworkRecord>(module, "ArtworkRecord")
      .def(py::init<>())
      .def_readwrite("kind", &ArtworkRecord::kind)
      .def_readwrite("spotify_id", &ArtworkRecord::spotify_id)
      .def_readwrite("url", &ArtworkRecord::url)
      .def_property(
          "path", [](const ArtworkRecord& r) { return py::bytes(r.path); },
          [](ArtworkRecord& r, const py::object& value) { r.path = PathBytes(value); })
      .def_readwrite("bytes", &ArtworkRecord::bytes)
      .def_readwrite("fetched_at", &ArtworkRecord::fetched_at);
  module.def(
      "artwork_records", [](StateStore& store) { return store.releases().Artwork(); },
      py::arg("store"));

  py::class_<ArtworkOptions>(module, "ArtworkOptions")
      .def(py::init<>())
      .def_readwrite("kinds", &ArtworkOptions::kinds)
      .def_property(
          "dir", [](const ArtworkOptions& o) { return py::bytes(o.dir); },
          [](ArtworkOptions& o, const py::object& value) { o.dir = PathBytes(value); })
      .def_property(
          "save", [](const ArtworkOptions&) { return py::none(); },
          [](ArtworkOptions& o, const py::object& callable) {
            o.save = PythonArtworkSaver(callable);
          },
          "save(kind, path: bytes, data: bytes): convert and write one image.");
  py::class_<ArtworkResult>(module, "ArtworkResult")
      .def_readonly("fetched", &ArtworkResult::fetched)
      .def_readonly("unchanged", &ArtworkResult::unchanged)
      .def_readonly("missing", &ArtworkResult::missing)
      .def_readonly("removed", &ArtworkResult::removed);

  py::class_<PyReleaseWatch>(module, "ReleaseWatch")
      .def(py::init([](StateStore& store, const SpotifyConfig& config, const py::object& log) {
             auto self = std::make_unique<PyReleaseWatch>();
             self->store = &store;
             LogFn log_fn = PythonLog(log);
             py::gil_scoped_release release;
             self->client = SpotifyClient::Open(config, log_fn);
             return self;
           }),
           py::arg("store"), py::arg("config"), py::arg("log") = py::none(), py::keep_alive<1, 2>())
      .def(
          "sync",
          [](PyReleaseWatch& self, const std::vector<WatchedArtist>& artists,
             const ReleaseSyncOptions& options, const py::object& progress) {
            auto call = PythonCallback<int64_t, int64_t, const std::string&>(
                progress, CallbackErrors::kReport);
            py::gil_scoped_release release;
            return SyncReleases(*self.store, *self.client, artists, options, &self.cancel, call);
          },
          py::arg("artists"), py::arg("options"), py::arg("progress") = py::none(),
          "Sync the due artists' releases (releases the GIL); progress(done, total, artist).")
      .def(
          "wish",
          [](PyReleaseWatch& self, const py::object& library_db, const py::object& music_dir,
             const MatchOptions& options, const std::vector<ReleaseRecord>& releases,
             std::chrono::duration<double> busy_timeout) {
            LibraryReadOptions read;
            read.music_dir = PathBytes(music_dir);
            read.busy_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(busy_timeout);
            std::string path = PathBytes(library_db);
            py::gil_scoped_release release;
            return WishReleases(*self.store, *self.client, path, read, options, releases,
                                &self.cancel);
          },
          py::arg("library_db"), py::arg("music_dir"), py::arg("options"), py::arg("releases"),
          py::arg("busy_timeout") = std::chrono::duration<double>(5.0),
          "Put the releases' tracks the library lacks on the wishlist.")
      .def("requests", [](PyReleaseWatch& self) { return self.client->stats().http.requests; })
      .def(
          "cancel", [](PyReleaseWatch& self) { self.cancel.Cancel(); },
          "Stop between requests (the running call raises CancelledError).");
}

}  // namespace spotify_extract::bindings
