#include <pybind11/chrono.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <memory>

#include "bindings/bindings.h"
#include "extract/pipeline.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

std::string FsBytes(const py::handle& value) {
  if (value.is_none()) return std::string();
  return py::module_::import("os").attr("fsencode")(value).cast<std::string>();
}

// A Python callable as an engine callback: the GIL is taken for the call, and a failing
// callback never breaks the run (progress and log are informational).
template <typename... Args>
std::function<void(Args...)> Informational(const py::object& callable) {
  if (callable.is_none()) return {};
  auto holder = std::shared_ptr<py::object>(new py::object(callable), [](py::object* object) {
    py::gil_scoped_acquire gil;
    delete object;
  });
  return [holder](Args... args) {
    py::gil_scoped_acquire gil;
    try {
      (*holder)(args...);
    } catch (py::error_already_set& error) {
      error.discard_as_unraisable("spotify-extract progress callback");
    }
  };
}

// The pipeline with its own client and cancel token; run() from a worker thread while
// the main thread waits, so Ctrl-C there can call cancel().
struct PyPipeline {
  StateStore* store = nullptr;
  std::unique_ptr<SpotifyClient> client;
  PipelineOptions options;
  CancelToken cancel;
};

}  // namespace

void BindExtract(py::module_& module, py::handle /*base_error*/) {
  module.attr("PHASES") = std::vector<std::string>(std::begin(kPhases), std::end(kPhases));

  py::class_<PipelineOptions>(module, "PipelineOptions")
      .def(py::init<>())
      .def_readwrite("source", &PipelineOptions::source)
      .def_readwrite("dry_run", &PipelineOptions::dry_run)
      .def_readwrite("accept_library_size", &PipelineOptions::accept_library_size)
      .def_readwrite("audio_features", &PipelineOptions::audio_features)
      .def_readwrite("liked_songs_playlist", &PipelineOptions::liked_songs_playlist)
      .def_property(
          "library_db", [](const PipelineOptions& o) { return py::bytes(o.library_db); },
          [](PipelineOptions& o, const py::object& value) { o.library_db = FsBytes(value); })
      .def_property(
          "music_dir", [](const PipelineOptions& o) { return py::bytes(o.music_dir); },
          [](PipelineOptions& o, const py::object& value) { o.music_dir = FsBytes(value); })
      .def_property(
          "library_busy_timeout",
          [](const PipelineOptions& o) { return o.library_busy_timeout.count() / 1000.0; },
          [](PipelineOptions& o, double seconds) {
            o.library_busy_timeout =
                std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
          })
      .def_readwrite("match", &PipelineOptions::match)
      .def_readwrite("mirror", &PipelineOptions::mirror)
      .def_readwrite("mirror_options", &PipelineOptions::mirror_options)
      .def_property(
          "resume_within", [](const PipelineOptions& o) { return o.resume_within.count(); },
          [](PipelineOptions& o, int64_t seconds) {
            o.resume_within = std::chrono::seconds(seconds);
          })
      .def_property(
          "import_export", [](const PipelineOptions&) { return py::none(); },
          [](PipelineOptions& o, const py::object& callable) {
            if (callable.is_none()) {
              o.import_export = {};
              return;
            }
            // Unlike progress, an import failure must fail the run: exceptions propagate.
            auto holder =
                std::shared_ptr<py::object>(new py::object(callable), [](py::object* object) {
                  py::gil_scoped_acquire gil;
                  delete object;
                });
            o.import_export = [holder](int64_t snapshot) {
              py::gil_scoped_acquire gil;
              (*holder)(snapshot);
            };
          });

  py::class_<PipelineResult>(module, "PipelineResult")
      .def_readonly("snapshot", &PipelineResult::snapshot)
      .def_readonly("status", &PipelineResult::status)
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
      .def_readonly("library_items", &PipelineResult::library_items);

  py::class_<PyPipeline>(module, "Pipeline")
      .def(py::init([](StateStore& store, const py::object& config, const PipelineOptions& options,
                       const py::object& log) {
             auto self = std::make_unique<PyPipeline>();
             self->store = &store;
             self->options = options;
             if (!config.is_none()) {
               SpotifyConfig spotify = config.cast<SpotifyConfig>();
               LogFn log_fn;
               if (!log.is_none()) {
                 auto call = Informational<int, const std::string&>(log);
                 log_fn = [call](LogLevel level, const std::string& message) {
                   call(static_cast<int>(level), message);
                 };
               }
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
            if (!progress.is_none()) {
              auto call =
                  Informational<const std::string&, int64_t, int64_t, const std::string&>(progress);
              progress_fn = [call](const ProgressEvent& event) {
                call(event.phase, event.done, event.total, event.detail);
              };
            }
            LogFn log_fn;
            if (!log.is_none()) {
              auto call = Informational<int, const std::string&>(log);
              log_fn = [call](LogLevel level, const std::string& message) {
                call(static_cast<int>(level), message);
              };
            }
            Pipeline pipeline(*self.store, self.client.get(), self.options, progress_fn, log_fn);
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
}

}  // namespace spotify_extract::bindings
