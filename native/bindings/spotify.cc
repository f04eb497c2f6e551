// Python access to the Spotify client: login/logout/status and the single requests
// (for the plugin's --login/--status/--logout, `wishlist add`, tests). Conversion only:
// the results are the bound model structs.
#include <pybind11/chrono.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "spotify/client.h"
#include "spotify/errors.h"
#include "spotify/login.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

// The Python side only holds a client; cancel() stops its waits from another thread.
struct PyClient {
  std::unique_ptr<SpotifyClient> client;
  CancelToken cancel;
};

// A login whose wait() runs in a worker thread; cancel() from the main thread ends it.
struct PyLoginFlow {
  PyLoginFlow(OAuthConfig config, std::shared_ptr<HttpClient> http, TokenStore store)
      : flow(std::move(config), std::move(http), std::move(store)) {}
  LoginFlow flow;
  CancelToken cancel;
};

// One request of the client with the GIL released.
template <typename Request>
auto WithoutGil(Request&& request) {
  py::gil_scoped_release release;
  return request();
}

}  // namespace

void BindSpotify(py::module_& module, py::handle base_error) {
  auto http_error = RegisterException<HttpError>(module, "HttpError", base_error);
  RegisterException<TlsError>(module, "TlsError", http_error);
  RegisterException<TransportError>(module, "TransportError", http_error);
  RegisterException<CancelledError>(module, "CancelledError", http_error);
  RegisterException<SpotifyApiError>(module, "SpotifyApiError", http_error);
  RegisterException<LoginRequiredError>(module, "LoginRequiredError", http_error);
  RegisterException<LoginError>(module, "LoginError", http_error);
  // RateLimitError carries when to retry: translated by hand to keep the attributes.
  static py::handle rate_limit_type =
      py::exception<RateLimitError>(module, "RateLimitError", http_error).release();
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const RateLimitError& error) {
      py::object instance =
          py::reinterpret_borrow<py::object>(rate_limit_type)(ToStr(error.what()));
      instance.attr("retry_after_seconds") = error.retry_after_seconds();
      instance.attr("retry_at_unix") = error.retry_at_unix();
      instance.attr("quota_exceeded") = error.quota_exceeded();
      PyErr_SetObject(rate_limit_type.ptr(), instance.ptr());
    }
  });

  py::class_<SpotifyConfig>(module, "SpotifyConfig")
      .def(py::init<>())
      .def_readwrite("client_id", &SpotifyConfig::client_id)
      .def_readwrite("client_secret", &SpotifyConfig::client_secret)
      .def_readwrite("api_url", &SpotifyConfig::api_url)
      .def_readwrite("auth_url", &SpotifyConfig::auth_url)
      .def_readwrite("ca_file", &SpotifyConfig::ca_file)
      .def_readwrite("state_dir", &SpotifyConfig::state_dir)
      .def_readwrite("redirect_port", &SpotifyConfig::redirect_port)
      .def_readwrite("market", &SpotifyConfig::market)
      .def_property(
          "max_in_flight", [](const SpotifyConfig& c) { return c.http.max_in_flight; },
          [](SpotifyConfig& c, int v) { c.http.max_in_flight = v; })
      .def_property(
          "requests_per_second",
          [](const SpotifyConfig& c) { return c.http.pacer.requests_per_second; },
          [](SpotifyConfig& c, double v) { c.http.pacer.requests_per_second = v; })
      .def_property(
          "burst", [](const SpotifyConfig& c) { return c.http.pacer.burst; },
          [](SpotifyConfig& c, double v) { c.http.pacer.burst = v; })
      .def_property(
          "window_requests", [](const SpotifyConfig& c) { return c.http.pacer.window_requests; },
          [](SpotifyConfig& c, int v) { c.http.pacer.window_requests = v; })
      .def_property(
          "window_seconds", [](const SpotifyConfig& c) { return c.http.pacer.window; },
          [](SpotifyConfig& c, std::chrono::milliseconds v) { c.http.pacer.window = v; })
      .def_property(
          "max_retry_after", [](const SpotifyConfig& c) { return c.http.retry.max_retry_after; },
          [](SpotifyConfig& c, std::chrono::seconds v) { c.http.retry.max_retry_after = v; })
      .def_property(
          "max_attempts", [](const SpotifyConfig& c) { return c.http.retry.max_attempts; },
          [](SpotifyConfig& c, int v) { c.http.retry.max_attempts = v; })
      .def_property(
          "base_backoff", [](const SpotifyConfig& c) { return c.http.retry.base_backoff; },
          [](SpotifyConfig& c, std::chrono::milliseconds v) { c.http.retry.base_backoff = v; })
      .def_property(
          "read_timeout", [](const SpotifyConfig& c) { return c.http.transport.read_timeout; },
          [](SpotifyConfig& c, std::chrono::milliseconds v) { c.http.transport.read_timeout = v; })
      .def_property(
          "connect_timeout",
          [](const SpotifyConfig& c) { return c.http.transport.connect_timeout; },
          [](SpotifyConfig& c, std::chrono::milliseconds v) {
            c.http.transport.connect_timeout = v;
          })
      .def_property_readonly("token_file", [](const SpotifyConfig& c) {
        return TokenStore::InStateDir(c.state_dir).path().string();
      });

  py::class_<PyLoginFlow>(module, "LoginFlow")
      .def(py::init([](const SpotifyConfig& config) {
             SpotifyConfig copy = config;
             copy.http.transport.ca_file = config.ca_file;
             auto http = std::make_shared<HttpClient>(copy.http);
             return std::make_unique<PyLoginFlow>(copy.oauth(), http,
                                                  TokenStore::InStateDir(copy.state_dir));
           }),
           py::arg("config"))
      .def(
          "start", [](PyLoginFlow& self) { return self.flow.Start(); },
          "Start the loopback server; returns the authorize URL.")
      .def_property_readonly("port", [](const PyLoginFlow& self) { return self.flow.port(); })
      .def_property_readonly("redirect_uri",
                             [](const PyLoginFlow& self) { return self.flow.redirect_uri(); })
      .def(
          "wait",
          [](PyLoginFlow& self, std::chrono::milliseconds timeout) {
            py::gil_scoped_release release;
            self.flow.Wait(timeout, &self.cancel);
          },
          py::arg("timeout") = std::chrono::milliseconds(std::chrono::minutes(5)),
          "Wait for the browser's callback, exchange the code and save the token; "
          "CancelledError after cancel().")
      .def(
          "cancel", [](PyLoginFlow& self) { self.cancel.Cancel(); },
          "Stop wait() from another thread (Ctrl-C); nothing is saved.");

  module.def(
      "logout",
      [](const SpotifyConfig& config) { return TokenStore::InStateDir(config.state_dir).Remove(); },
      py::arg("config"), "Delete the saved token; True when there was one.");

  py::class_<PlaylistItemsResult>(module, "PlaylistItemsResult")
      .def_readonly("playlist_id", &PlaylistItemsResult::playlist_id)
      .def_readonly("access", &PlaylistItemsResult::access)
      .def_readonly("total", &PlaylistItemsResult::total)
      .def_readonly("entries", &PlaylistItemsResult::entries);

  py::class_<AlbumTracks>(module, "AlbumTracks")
      .def_readonly("album", &AlbumTracks::album)
      .def_readonly("tracks", &AlbumTracks::tracks);

  py::enum_<AudioFeaturesStatus>(module, "AudioFeaturesStatus")
      .value("OK", AudioFeaturesStatus::kOk)
      .value("FORBIDDEN", AudioFeaturesStatus::kForbidden);

  py::class_<AudioFeaturesResult>(module, "AudioFeaturesResult")
      .def_readonly("status", &AudioFeaturesResult::status)
      .def_readonly("features", &AudioFeaturesResult::features);

  py::class_<HttpStats>(module, "HttpStats")
      .def_readonly("requests", &HttpStats::requests)
      .def_readonly("rate_limited", &HttpStats::rate_limited)
      .def_readonly("retries", &HttpStats::retries)
      .def_readonly("faults", &HttpStats::faults)
      .def_readonly("waited_seconds", &HttpStats::waited_seconds);

  py::class_<FetchStats>(module, "FetchStats")
      .def_readonly("http", &FetchStats::http)
      .def_readonly("token_refreshes", &FetchStats::token_refreshes);

  py::class_<PyClient>(module, "SpotifyClient")
      .def(py::init([](const SpotifyConfig& config, const py::object& log) {
             auto self = std::make_unique<PyClient>();
             self->client = SpotifyClient::Open(config, PythonLog(log));
             return self;
           }),
           py::arg("config"), py::arg("log") = py::none())
      .def("cancel", [](PyClient& self) { self.cancel.Cancel(); })
      .def("current_user",
           [](PyClient& self) {
             return WithoutGil([&] { return self.client->GetCurrentUser(&self.cancel); });
           })
      .def("playlists",
           [](PyClient& self) {
             return WithoutGil([&] { return self.client->GetPlaylists(&self.cancel); });
           })
      .def(
          "playlist_items",
          [](PyClient& self, const std::string& playlist_id, int total_hint) {
            return WithoutGil([&] {
              return self.client->GetPlaylistItems({playlist_id, total_hint}, &self.cancel);
            });
          },
          py::arg("playlist_id"), py::arg("total_hint") = -1)
      .def(
          "saved_tracks",
          [](PyClient& self, int start_offset, int prefetch, const py::object& on_page) {
            std::vector<SavedTrack> out;
            py::gil_scoped_release release;
            self.client->GetSavedTracks(
                {start_offset, prefetch},
                [&](Page<SavedTrack>&& page) {
                  PageAction action = PageAction::kContinue;
                  if (!on_page.is_none()) {
                    py::gil_scoped_acquire gil;
                    py::object answer = on_page(page.offset, page.total, page.items);
                    if (!answer.is_none() && !py::bool_(answer)) action = PageAction::kStop;
                  }
                  for (auto& saved : page.items) out.push_back(std::move(saved));
                  return action;
                },
                &self.cancel);
            return out;
          },
          py::arg("start_offset") = 0, py::arg("prefetch") = -1, py::arg("on_page") = py::none(),
          "Liked Songs; on_page(offset, total, items) returning False stops early.")
      .def("followed_artists",
           [](PyClient& self) {
             return WithoutGil([&] { return self.client->GetFollowedArtists(&self.cancel); });
           })
      .def("audio_features",
           [](PyClient& self, const std::vector<std::string>& ids) {
             return WithoutGil([&] { return self.client->GetAudioFeatures(ids, &self.cancel); });
           })
      .def(
          "album_tracks",
          [](PyClient& self, const std::string& album_id) {
            return WithoutGil([&] { return self.client->GetAlbumTracks(album_id, &self.cancel); });
          },
          py::arg("album_id"), "An album and its tracks in album order.")
      .def("tracks",
           [](PyClient& self, const std::vector<std::string>& ids) {
             return WithoutGil([&] { return self.client->GetTracks(ids, &self.cancel); });
           })
      .def("stats", [](PyClient& self) { return self.client->stats(); });
}

}  // namespace spotify_extract::bindings
