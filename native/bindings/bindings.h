#pragma once

#include <pybind11/pybind11.h>

#include <functional>
#include <memory>
#include <string>

#include "http/http_client.h"

namespace spotify_extract::bindings {

// Engine strings are UTF-8 from Spotify or beets; bad bytes must not raise in Python.
inline pybind11::str ToStr(const std::string& utf8) {
  return pybind11::reinterpret_steal<pybind11::str>(
      PyUnicode_DecodeUTF8(utf8.data(), static_cast<Py_ssize_t>(utf8.size()), "replace"));
}

// Registers the engine error T as the Python exception `name`. Its message is decoded
// leniently: an error quoting a file name or file content that is not valid UTF-8 must
// still reach the person as one line, not as a UnicodeDecodeError.
template <typename T>
pybind11::exception<T>& RegisterException(pybind11::handle scope, const char* name,
                                          pybind11::handle base) {
  static pybind11::exception<T>& type = pybind11::register_exception<T>(scope, name, base);
  // Registered after pybind11's own translator for T, so it is tried first.
  pybind11::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const T& error) {
      PyErr_SetObject(type.ptr(), ToStr(error.what()).ptr());
    }
  });
  return type;
}

// A path given as str, bytes or os.PathLike, as the bytes the file system uses (Python's
// os.fsencode); None is the empty path.
inline std::string PathBytes(const pybind11::handle& value) {
  if (value.is_none()) return {};
  return pybind11::module_::import("os").attr("fsencode")(value).cast<std::string>();
}

// What a Python callback's exception does to the engine: informational callbacks
// (progress, log) must never break a run; others (an export import) must fail it.
enum class CallbackErrors { kReport, kPropagate };

template <typename T>
pybind11::object ToPython(const T& value) {
  return pybind11::cast(value);
}
inline pybind11::object ToPython(const std::string& value) { return ToStr(value); }
// Bytes handed to a callback as Python bytes, not str (file paths, file content).
struct Bytes {
  const std::string& value;
};
inline pybind11::object ToPython(const Bytes& value) { return pybind11::bytes(value.value); }

// A Python callable as an engine callback, callable from any engine thread: the GIL is
// taken to call it and to drop the last reference to it.
template <typename... Args>
std::function<void(Args...)> PythonCallback(const pybind11::object& callable,
                                            CallbackErrors errors) {
  if (callable.is_none()) return {};
  auto holder = std::shared_ptr<pybind11::object>(new pybind11::object(callable),
                                                  [](pybind11::object* object) {
                                                    pybind11::gil_scoped_acquire gil;
                                                    delete object;
                                                  });
  return [holder, errors](Args... args) {
    pybind11::gil_scoped_acquire gil;
    if (errors == CallbackErrors::kPropagate) {
      (*holder)(ToPython(args)...);
      return;
    }
    try {
      (*holder)(ToPython(args)...);
    } catch (pybind11::error_already_set& error) {
      error.discard_as_unraisable("spotify-extract callback");
    }
  };
}

// A Python log(level: int, message: str) as the engine's log function.
inline LogFn PythonLog(const pybind11::object& callable) {
  auto call = PythonCallback<int, const std::string&>(callable, CallbackErrors::kReport);
  if (!call) return {};
  return [call](LogLevel level, const std::string& message) {
    call(static_cast<int>(level), message);
  };
}

// Each part of the engine registers its types and functions from its own file.
void BindLibrary(pybind11::module_& module, pybind11::handle base_error);
void BindModel(pybind11::module_& module, pybind11::handle base_error);
void BindStore(pybind11::module_& module, pybind11::handle base_error);
void BindExtract(pybind11::module_& module, pybind11::handle base_error);
void BindMatch(pybind11::module_& module, pybind11::handle base_error);
void BindPlaylist(pybind11::module_& module, pybind11::handle base_error);
void BindSpotify(pybind11::module_& module, pybind11::handle base_error);
void BindReleases(pybind11::module_& module, pybind11::handle base_error);

}  // namespace spotify_extract::bindings
