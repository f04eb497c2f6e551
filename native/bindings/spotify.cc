// Python access to the Spotify client: login/logout/status and the fetch functions
// (for the plugin's --login/--status/--logout, tests and benchmarks). Conversion only.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <future>
#include <map>
#include <set>

#include "bindings/bindings.h"
#include "spotify/client.h"
#include "spotify/errors.h"
#include "spotify/login.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

py::list ToPy(const std::vector<ArtistRef>& artists) {
  py::list out;
  for (const auto& artist : artists) {
    py::dict item;
    item["id"] = ToStr(artist.id);
    item["name"] = ToStr(artist.name);
    out.append(item);
  }
  return out;
}

py::dict ToPy(const Track& track) {
  py::dict out;
  out["id"] = ToStr(track.id);
  out["name"] = ToStr(track.name);
  out["artists"] = ToPy(track.artists);
  out["album_id"] = ToStr(track.album_id);
  out["album_name"] = ToStr(track.album_name);
  out["album_artists"] = ToPy(track.album_artists);
  out["album_release_date"] = ToStr(track.album_release_date);
  out["cover_url"] = ToStr(track.cover_url);
  out["isrc"] = ToStr(track.isrc);
  out["duration_ms"] = track.duration_ms;
  out["disc_number"] = track.disc_number;
  out["track_number"] = track.track_number;
  out["explicit"] = track.explicit_content;
  out["is_local"] = track.is_local;
  out["is_playable"] = track.is_playable;
  out["popularity"] = track.popularity ? py::object(py::int_(*track.popularity)) : py::none();
  return out;
}

py::dict ToPy(const PlaylistEntry& entry) {
  py::dict out;
  out["kind"] = EntryKindName(entry.kind);
  out["added_at"] = ToStr(entry.added_at);
  out["added_by"] = ToStr(entry.added_by);
  out["track"] = ToPy(entry.track);
  return out;
}

py::dict ToPy(const Playlist& playlist) {
  py::dict out;
  out["id"] = ToStr(playlist.id);
  out["name"] = ToStr(playlist.name);
  out["description"] = ToStr(playlist.description);
  out["owner_id"] = ToStr(playlist.owner_id);
  out["owner_name"] = ToStr(playlist.owner_name);
  out["snapshot_id"] = ToStr(playlist.snapshot_id);
  out["image_url"] = ToStr(playlist.image_url);
  out["collaborative"] = playlist.collaborative;
  out["public"] = playlist.is_public;
  out["total_entries"] = playlist.total_entries;
  return out;
}

py::dict ToPy(const PlaylistItemsResult& result) {
  py::dict out;
  out["playlist_id"] = ToStr(result.playlist_id);
  out["access"] = PlaylistAccessName(result.access);
  out["total"] = result.total;
  py::list entries;
  for (const auto& entry : result.entries) entries.append(ToPy(entry));
  out["entries"] = entries;
  return out;
}

py::dict ToPy(const SavedTrack& saved) {
  py::dict out;
  out["added_at"] = ToStr(saved.added_at);
  out["track"] = ToPy(saved.track);
  return out;
}

py::dict ToPy(const SavedAlbum& saved) {
  py::dict out;
  out["added_at"] = ToStr(saved.added_at);
  out["id"] = ToStr(saved.album.id);
  out["name"] = ToStr(saved.album.name);
  out["artists"] = ToPy(saved.album.artists);
  out["release_date"] = ToStr(saved.album.release_date);
  out["upc"] = ToStr(saved.album.upc);
  out["total_tracks"] = saved.album.total_tracks;
  return out;
}

py::dict ToPy(const AlbumTracks& album_tracks) {
  const Album& album = album_tracks.album;
  py::dict out;
  out["id"] = ToStr(album.id);
  out["name"] = ToStr(album.name);
  out["artists"] = ToPy(album.artists);
  out["release_date"] = ToStr(album.release_date);
  out["total_tracks"] = album.total_tracks;
  py::list tracks;
  for (const auto& track : album_tracks.tracks) tracks.append(ToPy(track));
  out["tracks"] = tracks;
  return out;
}

py::dict ToPy(const Artist& artist) {
  py::dict out;
  out["id"] = ToStr(artist.id);
  out["name"] = ToStr(artist.name);
  py::list genres;
  for (const auto& genre : artist.genres) genres.append(ToStr(genre));
  out["genres"] = genres;
  return out;
}

py::dict ToPy(const AudioFeatures& features) {
  py::dict out;
  out["id"] = ToStr(features.track_id);
  out["acousticness"] = features.acousticness;
  out["danceability"] = features.danceability;
  out["energy"] = features.energy;
  out["instrumentalness"] = features.instrumentalness;
  out["liveness"] = features.liveness;
  out["loudness"] = features.loudness;
  out["speechiness"] = features.speechiness;
  out["tempo"] = features.tempo;
  out["valence"] = features.valence;
  out["key"] = features.key;
  out["mode"] = features.mode;
  out["time_signature"] = features.time_signature;
  return out;
}

py::dict ToPy(const FetchStats& stats) {
  py::dict out;
  out["requests"] = stats.http.requests;
  out["rate_limited"] = stats.http.rate_limited;
  out["retries"] = stats.http.retries;
  out["faults"] = stats.http.faults;
  out["waited_seconds"] = stats.http.waited_seconds;
  out["token_refreshes"] = stats.token_refreshes;
  return out;
}

// A Python log callable that may be called from any engine thread.
LogFn MakeLog(const py::object& callable) {
  if (callable.is_none()) return {};
  auto holder = std::shared_ptr<py::object>(new py::object(callable), [](py::object* object) {
    py::gil_scoped_acquire gil;
    delete object;
  });
  return [holder](LogLevel level, const std::string& message) {
    py::gil_scoped_acquire gil;
    try {
      (*holder)(static_cast<int>(level), ToStr(message));
    } catch (py::error_already_set&) {
      // A failing log callback must not break a fetch.
    }
  };
}

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

// A "whole library" fetch in one call (tests and benchmarks): the phases the pipeline
// runs, with playlists in parallel.
py::dict FetchLibrary(PyClient& self, bool audio_features) {
  UserProfile user;
  std::vector<Playlist> playlists;
  std::vector<PlaylistItemsResult> items;
  std::vector<SavedTrack> liked;
  std::vector<SavedAlbum> albums;
  std::vector<Artist> artists;
  AudioFeaturesResult features;
  {
    py::gil_scoped_release release;
    SpotifyClient& client = *self.client;
    // Independent phases run at once (they share the client's pacer and in-flight bound).
    CancelToken run(&self.cancel);
    auto profile = std::async(std::launch::async, [&] { return client.GetCurrentUser(&run); });
    std::future<void> liked_job, albums_job;
    std::future<std::vector<Artist>> artists_job;
    try {
      liked_job = std::async(std::launch::async, [&] {
        client.GetSavedTracks(
            {},
            [&](Page<SavedTrack>&& page) {
              for (auto& saved : page.items) liked.push_back(std::move(saved));
              return PageAction::kContinue;
            },
            &run);
      });
      albums_job = std::async(std::launch::async, [&] {
        client.GetSavedAlbums(
            {},
            [&](Page<SavedAlbum>&& page) {
              for (auto& saved : page.items) albums.push_back(std::move(saved));
              return PageAction::kContinue;
            },
            &run);
      });
      artists_job = std::async(std::launch::async, [&] { return client.GetFollowedArtists(&run); });
      playlists = client.GetPlaylists(&run);
      std::vector<PlaylistItemsRequest> requests;
      for (const auto& playlist : playlists) {
        requests.push_back({playlist.id, playlist.total_entries});
      }
      client.GetPlaylistsItems(
          requests, [&](PlaylistItemsResult&& result) { items.push_back(std::move(result)); },
          &run);
      user = profile.get();
      liked_job.get();
      albums_job.get();
      artists = artists_job.get();
    } catch (...) {
      run.Cancel();
      for (auto* job : {&liked_job, &albums_job}) {
        if (job->valid()) job->wait();
      }
      if (artists_job.valid()) artists_job.wait();
      if (profile.valid()) profile.wait();
      throw;
    }
    if (audio_features) {
      std::vector<std::string> ids;
      std::set<std::string> seen;
      auto add = [&](const Track& track) {
        if (!track.id.empty() && !track.is_local && seen.insert(track.id).second) {
          ids.push_back(track.id);
        }
      };
      for (const auto& result : items) {
        for (const auto& entry : result.entries) {
          if (entry.kind == EntryKind::kTrack || entry.kind == EntryKind::kUnavailable) {
            add(entry.track);
          }
        }
      }
      for (const auto& saved : liked) add(saved.track);
      features = client.GetAudioFeatures(ids, &self.cancel);
    }
  }
  py::dict out;
  out["user"] =
      py::dict(py::arg("id") = ToStr(user.id), py::arg("display_name") = ToStr(user.display_name));
  py::list playlist_list, item_list, liked_list, album_list, artist_list, feature_list;
  for (const auto& playlist : playlists) playlist_list.append(ToPy(playlist));
  // In the order of the playlist list, whatever order they completed in.
  std::map<std::string, const PlaylistItemsResult*> by_id;
  for (const auto& result : items) by_id[result.playlist_id] = &result;
  for (const auto& playlist : playlists) {
    auto it = by_id.find(playlist.id);
    if (it != by_id.end()) item_list.append(ToPy(*it->second));
  }
  for (const auto& saved : liked) liked_list.append(ToPy(saved));
  for (const auto& saved : albums) album_list.append(ToPy(saved));
  for (const auto& artist : artists) artist_list.append(ToPy(artist));
  for (const auto& feature : features.features) feature_list.append(ToPy(feature));
  out["playlists"] = playlist_list;
  out["playlist_items"] = item_list;
  out["liked"] = liked_list;
  out["saved_albums"] = album_list;
  out["followed_artists"] = artist_list;
  out["audio_features_status"] =
      audio_features ? (features.status == AudioFeaturesStatus::kOk ? "ok" : "forbidden")
                     : "skipped";
  out["audio_features"] = feature_list;
  return out;
}

}  // namespace

void BindSpotify(py::module_& module, py::handle base_error) {
  auto http_error = py::register_exception<HttpError>(module, "HttpError", base_error);
  py::register_exception<TlsError>(module, "TlsError", http_error);
  py::register_exception<TransportError>(module, "TransportError", http_error);
  py::register_exception<CancelledError>(module, "CancelledError", http_error);
  py::register_exception<SpotifyApiError>(module, "SpotifyApiError", http_error);
  py::register_exception<LoginRequiredError>(module, "LoginRequiredError", http_error);
  py::register_exception<LoginError>(module, "LoginError", http_error);
  // RateLimitError carries when to retry: translated by hand to keep the attributes.
  static py::handle rate_limit_type =
      py::exception<RateLimitError>(module, "RateLimitError", http_error).release();
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const RateLimitError& error) {
      py::object instance =
          py::reinterpret_borrow<py::object>(rate_limit_type)(py::str(error.what()));
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
          "window_seconds",
          [](const SpotifyConfig& c) { return c.http.pacer.window.count() / 1000.0; },
          [](SpotifyConfig& c, double v) {
            c.http.pacer.window = std::chrono::milliseconds(static_cast<int64_t>(v * 1000));
          })
      .def_property(
          "max_retry_after",
          [](const SpotifyConfig& c) { return c.http.retry.max_retry_after.count(); },
          [](SpotifyConfig& c, int64_t v) {
            c.http.retry.max_retry_after = std::chrono::seconds(v);
          })
      .def_property(
          "max_attempts", [](const SpotifyConfig& c) { return c.http.retry.max_attempts; },
          [](SpotifyConfig& c, int v) { c.http.retry.max_attempts = v; })
      .def_property(
          "base_backoff",
          [](const SpotifyConfig& c) { return c.http.retry.base_backoff.count() / 1000.0; },
          [](SpotifyConfig& c, double v) {
            c.http.retry.base_backoff = std::chrono::milliseconds(static_cast<int64_t>(v * 1000));
          })
      .def_property(
          "read_timeout",
          [](const SpotifyConfig& c) { return c.http.transport.read_timeout.count() / 1000.0; },
          [](SpotifyConfig& c, double v) {
            c.http.transport.read_timeout =
                std::chrono::milliseconds(static_cast<int64_t>(v * 1000));
          })
      .def_property(
          "connect_timeout",
          [](const SpotifyConfig& c) { return c.http.transport.connect_timeout.count() / 1000.0; },
          [](SpotifyConfig& c, double v) {
            c.http.transport.connect_timeout =
                std::chrono::milliseconds(static_cast<int64_t>(v * 1000));
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
          [](PyLoginFlow& self, double timeout) {
            py::gil_scoped_release release;
            self.flow.Wait(std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000)),
                           &self.cancel);
          },
          py::arg("timeout") = 300.0,
          "Wait for the browser's callback, exchange the code and save the token; "
          "CancelledError after cancel().")
      .def(
          "cancel", [](PyLoginFlow& self) { self.cancel.Cancel(); },
          "Stop wait() from another thread (Ctrl-C); nothing is saved.");

  module.def(
      "logout",
      [](const SpotifyConfig& config) { return TokenStore::InStateDir(config.state_dir).Remove(); },
      py::arg("config"), "Delete the saved token; True when there was one.");

  py::class_<PyClient>(module, "SpotifyClient")
      .def(py::init([](const SpotifyConfig& config, const py::object& log) {
             auto self = std::make_unique<PyClient>();
             self->client = SpotifyClient::Open(config, MakeLog(log));
             return self;
           }),
           py::arg("config"), py::arg("log") = py::none())
      .def("cancel", [](PyClient& self) { self.cancel.Cancel(); })
      .def("current_user",
           [](PyClient& self) {
             UserProfile user;
             {
               py::gil_scoped_release release;
               user = self.client->GetCurrentUser(&self.cancel);
             }
             return py::dict(py::arg("id") = ToStr(user.id),
                             py::arg("display_name") = ToStr(user.display_name),
                             py::arg("product") = ToStr(user.product));
           })
      .def("playlists",
           [](PyClient& self) {
             std::vector<Playlist> playlists;
             {
               py::gil_scoped_release release;
               playlists = self.client->GetPlaylists(&self.cancel);
             }
             py::list out;
             for (const auto& playlist : playlists) out.append(ToPy(playlist));
             return out;
           })
      .def(
          "playlist_items",
          [](PyClient& self, const std::string& playlist_id, int total_hint) {
            PlaylistItemsResult result;
            {
              py::gil_scoped_release release;
              result = self.client->GetPlaylistItems({playlist_id, total_hint}, &self.cancel);
            }
            return ToPy(result);
          },
          py::arg("playlist_id"), py::arg("total_hint") = -1)
      .def(
          "saved_tracks",
          [](PyClient& self, int start_offset, int prefetch, const py::object& on_page) {
            py::list out;
            {
              py::gil_scoped_release release;
              self.client->GetSavedTracks(
                  {start_offset, prefetch},
                  [&](Page<SavedTrack>&& page) {
                    py::gil_scoped_acquire gil;
                    py::list items;
                    for (const auto& saved : page.items) items.append(ToPy(saved));
                    for (auto item : items) out.append(item);
                    if (!on_page.is_none()) {
                      py::object answer = on_page(page.offset, page.total, items);
                      if (!answer.is_none() && !py::bool_(answer)) return PageAction::kStop;
                    }
                    return PageAction::kContinue;
                  },
                  &self.cancel);
            }
            return out;
          },
          py::arg("start_offset") = 0, py::arg("prefetch") = -1, py::arg("on_page") = py::none(),
          "Liked Songs; on_page(offset, total, items) returning False stops early.")
      .def("followed_artists",
           [](PyClient& self) {
             std::vector<Artist> artists;
             {
               py::gil_scoped_release release;
               artists = self.client->GetFollowedArtists(&self.cancel);
             }
             py::list out;
             for (const auto& artist : artists) out.append(ToPy(artist));
             return out;
           })
      .def("audio_features",
           [](PyClient& self, const std::vector<std::string>& ids) {
             AudioFeaturesResult result;
             {
               py::gil_scoped_release release;
               result = self.client->GetAudioFeatures(ids, &self.cancel);
             }
             py::list features;
             for (const auto& item : result.features) features.append(ToPy(item));
             return py::make_tuple(result.status == AudioFeaturesStatus::kOk ? "ok" : "forbidden",
                                   features);
           })
      .def(
          "album_tracks",
          [](PyClient& self, const std::string& album_id) {
            AlbumTracks result;
            {
              py::gil_scoped_release release;
              result = self.client->GetAlbumTracks(album_id, &self.cancel);
            }
            return ToPy(result);
          },
          py::arg("album_id"), "An album ({id, name, artists, ..., tracks: [track]}).")
      .def("tracks",
           [](PyClient& self, const std::vector<std::string>& ids) {
             std::vector<Track> tracks;
             {
               py::gil_scoped_release release;
               tracks = self.client->GetTracks(ids, &self.cancel);
             }
             py::list out;
             for (const auto& track : tracks) out.append(ToPy(track));
             return out;
           })
      .def("fetch_library", &FetchLibrary, py::arg("audio_features") = true,
           "Everything (profile, playlists and their items, Liked Songs, saved albums, "
           "followed artists, audio features), independent requests in parallel.")
      .def("stats", [](PyClient& self) { return ToPy(self.client->stats()); });
}

}  // namespace spotify_extract::bindings
