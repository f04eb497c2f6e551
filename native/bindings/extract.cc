#include <pybind11/chrono.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <memory>

#include "bindings/bindings.h"
#include "extract/add_to_wishlist.h"
#include "extract/coverage.h"
#include "extract/export_files.h"
#include "extract/import_export.h"
#include "extract/pipeline.h"
#include "extract/resolve_imported.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

// The pipeline with its own client and cancel token; run() from a worker thread while
// the main thread waits, so Ctrl-C there can call cancel().
struct PyPipeline {
  StateStore* store = nullptr;
  std::unique_ptr<SpotifyClient> client;
  PipelineOptions options;
  CancelToken cancel;
};

// How the use cases that read library.db read it, from their Python arguments.
LibraryReadOptions ReadOptions(const py::object& music_dir,
                               std::chrono::duration<double> busy_timeout) {
  LibraryReadOptions read;
  read.music_dir = PathBytes(music_dir);
  read.busy_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(busy_timeout);
  return read;
}

// A data export as a pipeline input: read (ReadExport), checked, imported (ImportExport).
void BindExport(py::module_& module) {
  // A ValueError, as before: beets commands turn it into one line naming the file.
  RegisterException<ExportError>(module, "ExportError", PyExc_ValueError);
  module.attr("MAX_EXPORT_FILE_BYTES") = kMaxExportFileBytes;

  py::class_<ExportSource>(module, "ExportSource")
      .def(py::init([](std::string display, const py::object& path, py::bytes bytes,
                       double modified) {
             return ExportSource{std::move(display), PathBytes(path), std::string(bytes), modified};
           }),
           py::arg("display"), py::arg("path") = py::none(), py::arg("bytes") = py::bytes(),
           py::arg("modified") = 0.0,
           "One export file: on disk (path), or its content (bytes, a zip member).");

  py::class_<ExportPlaylist>(module, "ExportPlaylist")
      .def_property_readonly("name", [](const ExportPlaylist& p) { return ToStr(p.name); })
      .def_property_readonly("description",
                             [](const ExportPlaylist& p) { return ToStr(p.description); })
      .def_readonly("modified", &ExportPlaylist::modified)
      .def_readonly("entries", &ExportPlaylist::entries)
      .def_readonly("source_file", &ExportPlaylist::source_file);

  py::class_<ExportData>(module, "ExportData")
      .def_readonly("playlists", &ExportData::playlists)
      .def_readonly("liked", &ExportData::liked)
      .def_readonly("albums", &ExportData::albums)
      .def_readonly("files", &ExportData::files)
      .def_readonly("complete", &ExportData::complete)
      .def_readonly("made_at", &ExportData::made_at);

  py::class_<ImportReport>(module, "ImportReport")
      .def_readonly("playlists", &ImportReport::playlists)
      .def_readonly("filled", &ImportReport::filled)
      .def_readonly("skipped", &ImportReport::skipped)
      .def_readonly("liked", &ImportReport::liked)
      .def_readonly("albums", &ImportReport::albums)
      .def_readonly("files", &ImportReport::files)
      .def_readonly("not_on_spotify", &ImportReport::not_on_spotify)
      .def_readonly("removed", &ImportReport::removed);

  module.def("read_export", &ReadExport, py::arg("sources"), py::arg("path"),
             py::call_guard<py::gil_scoped_release>(),
             "Parse the export files (account-data JSON, Exportify CSV); raises ExportError.");
  module.def("check_export_is_newest", &CheckExportIsNewest, py::arg("store"), py::arg("data"),
             py::call_guard<py::gil_scoped_release>(),
             "Refuse a complete export older than the one read before (ExportError).");
  module.def("import_export", &ImportExport, py::arg("store"), py::arg("snapshot"), py::arg("data"),
             py::arg("with_api"), py::call_guard<py::gil_scoped_release>(),
             "Write an export into the state database; returns an ImportReport.");
}

}  // namespace

void BindExtract(py::module_& module, py::handle /*base_error*/) {
  module.attr("PHASES") = std::vector<std::string>(std::begin(kPhases), std::end(kPhases));
  module.attr("COOLDOWN_PHASES") =
      std::vector<std::string>(std::begin(kCooldownPhases), std::end(kCooldownPhases));
  BindExport(module);

  py::class_<PipelineOptions>(module, "PipelineOptions")
      .def(py::init<>())
      .def_readwrite("source", &PipelineOptions::source)
      .def_readwrite("dry_run", &PipelineOptions::dry_run)
      .def_readwrite("accept_library_size", &PipelineOptions::accept_library_size)
      .def_readwrite("audio_features", &PipelineOptions::audio_features)
      .def_readwrite("liked_songs_playlist", &PipelineOptions::liked_songs_playlist)
      .def_property(
          "library_db", [](const PipelineOptions& o) { return py::bytes(o.library_db); },
          [](PipelineOptions& o, const py::object& value) { o.library_db = PathBytes(value); })
      .def_property(
          "music_dir", [](const PipelineOptions& o) { return py::bytes(o.music_dir); },
          [](PipelineOptions& o, const py::object& value) { o.music_dir = PathBytes(value); })
      .def_readwrite("library_busy_timeout", &PipelineOptions::library_busy_timeout)
      .def_readwrite("match", &PipelineOptions::match)
      .def_readwrite("mirror", &PipelineOptions::mirror)
      .def_readwrite("mirror_options", &PipelineOptions::mirror_options)
      .def_readwrite("resume_within", &PipelineOptions::resume_within)
      .def_readwrite("release_watch", &PipelineOptions::release_watch)
      .def_readwrite("releases", &PipelineOptions::releases)
      .def_readwrite("cooldowns", &PipelineOptions::cooldowns)
      .def_readwrite("ignore_cooldowns", &PipelineOptions::ignore_cooldowns)
      .def_readwrite("artwork", &PipelineOptions::artwork)
      .def_property(
          "import_export", [](const PipelineOptions&) { return py::none(); },
          [](PipelineOptions& o, const py::object& callable) {
            // Unlike progress, an import failure must fail the run: exceptions propagate.
            o.import_export = PythonCallback<int64_t>(callable, CallbackErrors::kPropagate);
          });

  py::class_<PipelineResult>(module, "PipelineResult")
      .def_readonly("snapshot", &PipelineResult::snapshot)
      .def_property_readonly("status",
                             [](const PipelineResult& r) { return SnapshotStatusName(r.status); })
      .def_property_readonly("error", [](const PipelineResult& r) { return ToStr(r.error); })
      .def_readonly("resumed", &PipelineResult::resumed)
      .def_readonly("requests", &PipelineResult::requests)
      .def_readonly("rate_limited", &PipelineResult::rate_limited)
      .def_readonly("phase_seconds", &PipelineResult::phase_seconds)
      .def_readonly("notes", &PipelineResult::notes)
      .def_readonly("summary", &PipelineResult::summary)
      .def_readonly("changes", &PipelineResult::changes)
      .def_readonly("not_shared", &PipelineResult::not_shared)
      .def_readonly("unavailable", &PipelineResult::unavailable)
      .def_readonly("mirror", &PipelineResult::mirror)
      .def_readonly("wishlist", &PipelineResult::wishlist)
      .def_readonly("library_items", &PipelineResult::library_items)
      .def_readonly("releases", &PipelineResult::releases)
      .def_readonly("cooled_down", &PipelineResult::cooled_down)
      .def_readonly("artwork", &PipelineResult::artwork);

  py::class_<PyPipeline>(module, "Pipeline")
      .def(py::init([](StateStore& store, const py::object& config, const PipelineOptions& options,
                       const py::object& log) {
             auto self = std::make_unique<PyPipeline>();
             self->store = &store;
             self->options = options;
             if (!config.is_none()) {
               SpotifyConfig spotify = config.cast<SpotifyConfig>();
               LogFn log_fn = PythonLog(log);
               py::gil_scoped_release release;
               self->client = SpotifyClient::Open(spotify, log_fn);
             }
             return self;
           }),
           py::arg("store"), py::arg("config"), py::arg("options"), py::arg("log") = py::none(),
           py::keep_alive<1, 2>(),
           "A run of the pipeline; config is a SpotifyConfig, or None for offline (export).")
      .def(
          "run",
          [](PyPipeline& self, const py::object& progress, const py::object& log) {
            ProgressFn progress_fn;
            auto call = PythonCallback<const std::string&, int64_t, int64_t, const std::string&>(
                progress, CallbackErrors::kReport);
            if (call) {
              progress_fn = [call](const ProgressEvent& event) {
                call(event.phase, event.done, event.total, event.detail);
              };
            }
            Pipeline pipeline(*self.store, self.client.get(), self.options, progress_fn,
                              PythonLog(log));
            py::gil_scoped_release release;
            return pipeline.Run(&self.cancel);
          },
          py::arg("progress") = py::none(), py::arg("log") = py::none(),
          "Run every phase (releases the GIL); progress(phase, done, total, detail).")
      .def(
          "cancel", [](PyPipeline& self) { self.cancel.Cancel(); },
          "Stop between requests; run() then returns with status 'cancelled'.")
      .def_property_readonly("cancelled",
                             [](const PyPipeline& self) { return self.cancel.IsCancelled(); });

  module.def(
      "mirror_from_store",
      [](StateStore& store, const PipelineOptions& options) {
        py::gil_scoped_release release;
        return Pipeline::MirrorFromStore(store, options);
      },
      py::arg("store"), py::arg("options"),
      "Render every stored playlist from the stored matches (after an import).");

  py::class_<ResolveResult>(module, "ResolveResult")
      .def_readonly("closed", &ResolveResult::closed)
      .def_readonly("playlists", &ResolveResult::playlists);
  module.def(
      "resolve_imported_items",
      [](StateStore& store, const py::object& library_db, const py::object& music_dir,
         const MatchOptions& options, const std::vector<int64_t>& item_ids,
         std::chrono::duration<double> busy_timeout) {
        LibraryReadOptions read = ReadOptions(music_dir, busy_timeout);
        std::string path = PathBytes(library_db);
        py::gil_scoped_release release;
        return ResolveImportedItems(store, path, read, options, item_ids);
      },
      py::arg("store"), py::arg("library_db"), py::arg("music_dir"), py::arg("options"),
      py::arg("item_ids"), py::arg("busy_timeout") = std::chrono::duration<double>(5.0),
      "Close the wishlist entries that the newly imported beets items satisfy.");

  module.attr("MANUAL_KEY_PREFIX") = kManualKeyPrefix;
  py::class_<AddResult>(module, "AddResult")
      .def_readonly("added", &AddResult::added)
      .def_readonly("already", &AddResult::already)
      .def_readonly("owned", &AddResult::owned);
  module.def(
      "add_to_wishlist",
      [](StateStore& store, const py::object& library_db, const py::object& music_dir,
         const MatchOptions& options, const std::vector<Track>& tracks,
         std::chrono::duration<double> busy_timeout, const std::string& requested_by) {
        LibraryReadOptions read = ReadOptions(music_dir, busy_timeout);
        std::string path = PathBytes(library_db);
        py::gil_scoped_release release;
        return AddToWishlist(store, path, read, options, tracks, requested_by);
      },
      py::arg("store"), py::arg("library_db"), py::arg("music_dir"), py::arg("options"),
      py::arg("tracks"), py::arg("busy_timeout") = std::chrono::duration<double>(5.0),
      py::arg("requested_by") = "manual",
      "Put the tracks the beets library lacks on the wishlist (beet wishlist add).");
  module.def(
      "match_coverage",
      [](StateStore* store, const py::object& library_db, const py::object& music_dir,
         const MatchOptions& options, const std::vector<Track>& tracks,
         std::chrono::duration<double> busy_timeout) {
        LibraryReadOptions read = ReadOptions(music_dir, busy_timeout);
        std::string path = PathBytes(library_db);
        py::gil_scoped_release release;
        return MatchCoverage(store, path, read, options, tracks);
      },
      py::arg("store"), py::arg("library_db"), py::arg("music_dir"), py::arg("options"),
      py::arg("tracks"), py::arg("busy_timeout") = std::chrono::duration<double>(5.0),
      "Match the tracks against the beets library with the review decisions of `store` "
      "(None: none); reads only (beet spotify-coverage).");
}

}  // namespace spotify_extract::bindings
