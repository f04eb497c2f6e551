#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "library/library_reader.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

void BindLibrary(py::module_& module, py::handle base_error) {
  RegisterException<LibraryError>(module, "LibraryError", base_error);

  py::class_<LibraryItem>(module, "LibraryItem")
      .def_readonly("id", &LibraryItem::id)
      .def_property_readonly("path", [](const LibraryItem& i) { return py::bytes(i.path); })
      .def_property_readonly("title", [](const LibraryItem& i) { return ToStr(i.title); })
      .def_property_readonly("artist", [](const LibraryItem& i) { return ToStr(i.artist); })
      .def_readonly("artists", &LibraryItem::artists)
      .def_property_readonly("album", [](const LibraryItem& i) { return ToStr(i.album); })
      .def_property_readonly("albumartist",
                             [](const LibraryItem& i) { return ToStr(i.albumartist); })
      .def_readonly("length", &LibraryItem::length)
      .def_readonly("track", &LibraryItem::track)
      .def_readonly("disc", &LibraryItem::disc)
      .def_readonly("year", &LibraryItem::year)
      .def_readonly("isrc", &LibraryItem::isrc)
      .def_readonly("mb_trackid", &LibraryItem::mb_trackid)
      .def_readonly("bpm", &LibraryItem::bpm)
      .def_readonly("initial_key", &LibraryItem::initial_key)
      .def_readonly("mtime", &LibraryItem::mtime)
      .def_readonly("spotify_track_id", &LibraryItem::spotify_track_id)
      .def_readonly("data_source", &LibraryItem::data_source)
      .def("__repr__", [](const LibraryItem& i) {
        return "<LibraryItem " + std::to_string(i.id) + " " + i.artist + " - " + i.title + ">";
      });

  // The compact container, seen from Python as a read-only sequence of LibraryItem.
  py::class_<LibraryItems>(module, "LibraryItems")
      .def("__len__", &LibraryItems::size)
      .def("__getitem__",
           [](const LibraryItems& items, py::ssize_t index) {
             const auto size = static_cast<py::ssize_t>(items.size());
             if (index < 0) index += size;
             if (index < 0 || index >= size) throw py::index_error("item index out of range");
             return items[static_cast<size_t>(index)].ToItem();
           })
      .def(
          "find",
          [](const LibraryItems& items, int64_t id) -> std::optional<LibraryItem> {
            int64_t found = items.Find(id);
            if (found < 0) return std::nullopt;
            return items[static_cast<size_t>(found)].ToItem();
          },
          py::arg("id"), "The item with this beets id, or None.");

  module.def(
      "read_library",
      [](const std::string& db_path, py::bytes music_dir, std::chrono::milliseconds busy_timeout) {
        LibraryReadOptions options;
        options.music_dir = music_dir;
        options.busy_timeout = busy_timeout;
        py::gil_scoped_release release;
        return ReadLibrary(db_path, options);
      },
      py::arg("db_path"), py::arg("music_dir") = py::bytes(),
      py::arg("busy_timeout") = std::chrono::milliseconds(5000),
      "Load every item of a beets library.db (opened read-only), sorted by id.");
}

}  // namespace spotify_extract::bindings
