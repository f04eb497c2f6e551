#include <pybind11/pybind11.h>

#include "bindings/bindings.h"

PYBIND11_MODULE(_native, module) {
  namespace bindings = spotify_extract::bindings;
  module.doc() = "The native engine of beets-spotify-extract.";
  // Every engine error is a SpotifyExtractError in Python, one subclass per kind.
  static pybind11::exception<std::runtime_error> base_error(module, "SpotifyExtractError");
  bindings::BindLibrary(module, base_error);
  bindings::BindModel(module, base_error);
  bindings::BindStore(module, base_error);
  bindings::BindMatch(module, base_error);
  bindings::BindPlaylist(module, base_error);
  bindings::BindSpotify(module, base_error);
  bindings::BindExtract(module, base_error);
  bindings::BindReleases(module, base_error);
}
