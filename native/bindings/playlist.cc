#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "playlist/file_name.h"
#include "playlist/m3u.h"
#include "playlist/mirror.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

template <typename T>
void BytesProperty(py::class_<T>& cls, const char* name, std::string T::*member) {
  cls.def_property(
      name, [member](const T& self) { return py::bytes(self.*member); },
      [member](T& self, const py::handle& value) { self.*member = PathBytes(value); });
}

template <typename T>
void TextProperty(py::class_<T>& cls, const char* name, std::string T::*member) {
  cls.def_property(
      name, [member](const T& self) { return ToStr(self.*member); },
      [member](T& self, const std::string& value) { self.*member = value; });
}

}  // namespace

void BindPlaylist(py::module_& module, py::handle base_error) {
  RegisterException<PlaylistConfigError>(module, "PlaylistConfigError", base_error);
  static py::exception<MirrorError> mirror_error(module, "MirrorError", base_error);
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const MirrorError& error) {
      py::object type = py::reinterpret_borrow<py::object>(mirror_error.ptr());
      py::object instance = type(ToStr(error.what()));
      instance.attr("owned") = py::cast(error.owned());
      PyErr_SetObject(mirror_error.ptr(), instance.ptr());
    }
  });

  py::enum_<RelativeTo>(module, "RelativeTo")
      .value("LIBRARY", RelativeTo::kLibrary)
      .value("PLAYLIST", RelativeTo::kPlaylist)
      .value("ABSOLUTE", RelativeTo::kAbsolute);
  py::enum_<NonUtf8Policy>(module, "NonUtf8Policy")
      .value("SKIP", NonUtf8Policy::kSkip)
      .value("WRITE_RAW", NonUtf8Policy::kWriteRaw);
  py::enum_<MirrorStatus>(module, "MirrorStatus")
      .value("WRITTEN", MirrorStatus::kWritten)
      .value("UNCHANGED", MirrorStatus::kUnchanged)
      .value("KEPT", MirrorStatus::kKept)
      .value("SKIPPED", MirrorStatus::kSkipped);

  py::class_<PathStyle> style(module, "PathStyle");
  style.def(py::init<>())
      .def_readwrite("relative_to", &PathStyle::relative_to)
      .def_readwrite("path_prefix", &PathStyle::path_prefix)
      .def_readwrite("forward_slash", &PathStyle::forward_slash)
      .def_readwrite("extension", &PathStyle::extension);
  module.def("target_profile", &TargetProfile, py::arg("target"),
             "The path style of a target: mpd, sonos, navidrome, jellyfin, absolute, prefix.");
  module.def("parse_relative_to", &ParseRelativeTo, py::arg("value"));
  module.def("normalize_extension", &NormalizeExtension, py::arg("extension"));

  py::class_<MirrorEntry> entry(module, "MirrorEntry");
  entry.def(py::init<>())
      .def_static(
          "matched",
          [](const py::handle& path, double duration, const std::string& artist,
             const std::string& title, const std::string& spotify_uri) {
            return MirrorEntry::Matched(PathBytes(path), duration, artist, title, spotify_uri);
          },
          py::arg("path"), py::arg("duration"), py::arg("artist"), py::arg("title"),
          py::arg("spotify_uri") = "")
      .def_static("missing", &MirrorEntry::Missing, py::arg("artist"), py::arg("title"),
                  py::arg("spotify_uri") = "")
      .def_readwrite("is_matched", &MirrorEntry::matched)
      .def_readwrite("duration", &MirrorEntry::duration);
  BytesProperty(entry, "path", &MirrorEntry::path);
  TextProperty(entry, "artist", &MirrorEntry::artist);
  TextProperty(entry, "title", &MirrorEntry::title);
  TextProperty(entry, "spotify_uri", &MirrorEntry::spotify_uri);

  py::class_<MirrorPlaylist> playlist(module, "MirrorPlaylist");
  playlist
      .def(py::init([](const std::string& spotify_id, const std::string& name,
                       std::vector<MirrorEntry> entries) {
             return MirrorPlaylist{spotify_id, name, std::move(entries)};
           }),
           py::arg("spotify_id"), py::arg("name"), py::arg("entries"))
      .def_readwrite("entries", &MirrorPlaylist::entries);
  TextProperty(playlist, "spotify_id", &MirrorPlaylist::spotify_id);
  TextProperty(playlist, "name", &MirrorPlaylist::name);
  module.attr("LIKED_SONGS_ID") = kLikedSongsId;
  module.attr("LIKED_SONGS_NAME") = kLikedSongsName;

  py::class_<OwnedFile> owned(module, "OwnedFile");
  owned
      .def(py::init([](const std::string& spotify_id, const py::handle& path,
                       const std::string& content_hash) {
             return OwnedFile{spotify_id, PathBytes(path), content_hash};
           }),
           py::arg("spotify_id"), py::arg("path"), py::arg("content_hash"))
      .def_readwrite("spotify_id", &OwnedFile::spotify_id)
      .def_readwrite("content_hash", &OwnedFile::content_hash)
      .def("__repr__", [](const OwnedFile& file) {
        return "<OwnedFile " + file.spotify_id + " " + CleanLineText(file.path) + ">";
      });
  BytesProperty(owned, "path", &OwnedFile::path);

  py::class_<MirrorOptions> options(module, "MirrorOptions");
  options.def(py::init<>())
      .def_readwrite("style", &MirrorOptions::style)
      .def_readwrite("name_template", &MirrorOptions::name_template)
      .def_readwrite("missing_comments", &MirrorOptions::missing_comments)
      .def_readwrite("non_utf8", &MirrorOptions::non_utf8)
      .def_readwrite("max_name_bytes", &MirrorOptions::max_name_bytes)
      .def_readwrite("dry_run", &MirrorOptions::dry_run);
  BytesProperty(options, "playlist_dir", &MirrorOptions::playlist_dir);
  BytesProperty(options, "library_root", &MirrorOptions::library_root);

  py::class_<RenderStats>(module, "RenderStats")
      .def_readonly("entries", &RenderStats::entries)
      .def_readonly("missing", &RenderStats::missing)
      .def_readonly("skipped_non_utf8", &RenderStats::skipped_non_utf8)
      .def_readonly("skipped_outside_library", &RenderStats::skipped_outside_library)
      .def_readonly("skipped_unrepresentable", &RenderStats::skipped_unrepresentable)
      .def_property_readonly("skipped", &RenderStats::skipped);

  py::class_<PlaylistOutcome>(module, "PlaylistOutcome")
      .def_readonly("spotify_id", &PlaylistOutcome::spotify_id)
      .def_property_readonly("name", [](const PlaylistOutcome& o) { return ToStr(o.name); })
      .def_property_readonly("path", [](const PlaylistOutcome& o) { return py::bytes(o.path); })
      .def_readonly("status", &PlaylistOutcome::status)
      .def_readonly("stats", &PlaylistOutcome::stats)
      .def_property_readonly("message", [](const PlaylistOutcome& o) { return ToStr(o.message); });

  py::class_<MirrorResult>(module, "MirrorResult")
      .def_readonly("written", &MirrorResult::written)
      .def_readonly("unchanged", &MirrorResult::unchanged)
      .def_readonly("removed", &MirrorResult::removed)
      .def_readonly("kept", &MirrorResult::kept)
      .def_readonly("skipped", &MirrorResult::skipped)
      .def_readonly("playlists", &MirrorResult::playlists)
      .def_property_readonly("removed_paths",
                             [](const MirrorResult& r) {
                               py::list paths;
                               for (const auto& path : r.removed_paths)
                                 paths.append(py::bytes(path));
                               return paths;
                             })
      .def_property_readonly("warnings",
                             [](const MirrorResult& r) {
                               py::list warnings;
                               for (const auto& text : r.warnings) warnings.append(ToStr(text));
                               return warnings;
                             })
      .def_readonly("owned", &MirrorResult::owned);

  module.def(
      "mirror",
      [](const std::vector<MirrorPlaylist>& playlists, const std::vector<OwnedFile>& owned,
         const MirrorOptions& options) {
        py::gil_scoped_release release;
        return Mirror(playlists, owned, options);
      },
      py::arg("playlists"), py::arg("previously_owned"), py::arg("options"),
      "Write one m3u per playlist into options.playlist_dir; returns counts and the owned list.");
}

}  // namespace spotify_extract::bindings
