#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace spotify_extract::bindings {

// Engine strings are UTF-8 from Spotify or beets; bad bytes must not raise in Python.
inline pybind11::str ToStr(const std::string& utf8) {
  return pybind11::reinterpret_steal<pybind11::str>(
      PyUnicode_DecodeUTF8(utf8.data(), static_cast<Py_ssize_t>(utf8.size()), "replace"));
}

// Each part of the engine registers its types and functions from its own file.
void BindLibrary(pybind11::module_& module, pybind11::handle base_error);
void BindModel(pybind11::module_& module, pybind11::handle base_error);
void BindStore(pybind11::module_& module, pybind11::handle base_error);
void BindExtract(pybind11::module_& module, pybind11::handle base_error);
void BindMatch(pybind11::module_& module, pybind11::handle base_error);
void BindPlaylist(pybind11::module_& module, pybind11::handle base_error);
void BindSpotify(pybind11::module_& module, pybind11::handle base_error);

}  // namespace spotify_extract::bindings
