#include "spotify/model.h"

#include <pybind11/stl.h>

#include "bindings/bindings.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

// The shared Spotify model structs (native/spotify/model.h), read-write so Python can
// build them too (export readers, tests).
void BindModel(py::module_& module, py::handle /*base_error*/) {
  py::class_<ArtistRef>(module, "ArtistRef")
      .def(py::init<>())
      .def(py::init([](std::string id, std::string name) {
             return ArtistRef{std::move(id), std::move(name)};
           }),
           py::arg("id"), py::arg("name"))
      .def_readwrite("id", &ArtistRef::id)
      .def_property(
          "name", [](const ArtistRef& a) { return ToStr(a.name); },
          [](ArtistRef& a, std::string value) { a.name = std::move(value); })
      .def("__repr__", [](const ArtistRef& a) { return "<ArtistRef " + a.name + ">"; });

  py::class_<Track>(module, "Track")
      .def(py::init<>())
      .def_readwrite("id", &Track::id)
      .def_property(
          "name", [](const Track& t) { return ToStr(t.name); },
          [](Track& t, std::string value) { t.name = std::move(value); })
      .def_readwrite("artists", &Track::artists)
      .def_readwrite("album_id", &Track::album_id)
      .def_property(
          "album_name", [](const Track& t) { return ToStr(t.album_name); },
          [](Track& t, std::string value) { t.album_name = std::move(value); })
      .def_readwrite("album_artists", &Track::album_artists)
      .def_readwrite("album_release_date", &Track::album_release_date)
      .def_readwrite("cover_url", &Track::cover_url)
      .def_readwrite("preview_url", &Track::preview_url)
      .def_readwrite("isrc", &Track::isrc)
      .def_readwrite("duration_ms", &Track::duration_ms)
      .def_readwrite("disc_number", &Track::disc_number)
      .def_readwrite("track_number", &Track::track_number)
      .def_readwrite("explicit_content", &Track::explicit_content)
      .def_readwrite("is_local", &Track::is_local)
      .def_readwrite("is_playable", &Track::is_playable)
      .def_readwrite("popularity", &Track::popularity)
      .def("__repr__", [](const Track& t) { return "<Track " + t.id + " " + t.name + ">"; });

  py::enum_<EntryKind>(module, "EntryKind")
      .value("TRACK", EntryKind::kTrack)
      .value("EPISODE", EntryKind::kEpisode)
      .value("LOCAL_FILE", EntryKind::kLocalFile)
      .value("UNAVAILABLE", EntryKind::kUnavailable)
      .value("NULL", EntryKind::kNull);

  py::class_<PlaylistEntry>(module, "PlaylistEntry")
      .def(py::init<>())
      .def_readwrite("kind", &PlaylistEntry::kind)
      .def_readwrite("track", &PlaylistEntry::track)
      .def_readwrite("added_at", &PlaylistEntry::added_at)
      .def_readwrite("added_by", &PlaylistEntry::added_by);

  py::enum_<PlaylistAccess>(module, "PlaylistAccess")
      .value("READABLE", PlaylistAccess::kReadable)
      .value("NOT_SHARED", PlaylistAccess::kNotShared)
      .value("UNAVAILABLE", PlaylistAccess::kUnavailable);

  py::class_<Playlist>(module, "Playlist")
      .def(py::init<>())
      .def_readwrite("id", &Playlist::id)
      .def_property(
          "name", [](const Playlist& p) { return ToStr(p.name); },
          [](Playlist& p, std::string value) { p.name = std::move(value); })
      .def_property(
          "description", [](const Playlist& p) { return ToStr(p.description); },
          [](Playlist& p, std::string value) { p.description = std::move(value); })
      .def_readwrite("owner_id", &Playlist::owner_id)
      .def_readwrite("owner_name", &Playlist::owner_name)
      .def_readwrite("snapshot_id", &Playlist::snapshot_id)
      .def_readwrite("image_url", &Playlist::image_url)
      .def_readwrite("collaborative", &Playlist::collaborative)
      .def_readwrite("is_public", &Playlist::is_public)
      .def_readwrite("total_entries", &Playlist::total_entries);

  py::class_<Album>(module, "Album")
      .def(py::init<>())
      .def_readwrite("id", &Album::id)
      .def_readwrite("name", &Album::name)
      .def_readwrite("artists", &Album::artists)
      .def_readwrite("release_date", &Album::release_date)
      .def_readwrite("upc", &Album::upc)
      .def_readwrite("cover_url", &Album::cover_url)
      .def_readwrite("total_tracks", &Album::total_tracks);

  py::class_<SavedAlbum>(module, "SavedAlbum")
      .def(py::init<>())
      .def_readwrite("added_at", &SavedAlbum::added_at)
      .def_readwrite("album", &SavedAlbum::album);

  py::class_<SavedTrack>(module, "SavedTrack")
      .def(py::init<>())
      .def_readwrite("added_at", &SavedTrack::added_at)
      .def_readwrite("track", &SavedTrack::track);

  py::class_<Artist>(module, "Artist")
      .def(py::init<>())
      .def_readwrite("id", &Artist::id)
      .def_readwrite("name", &Artist::name)
      .def_readwrite("genres", &Artist::genres)
      .def_readwrite("popularity", &Artist::popularity)
      .def_readwrite("image_url", &Artist::image_url);

  py::class_<AudioFeatures>(module, "AudioFeatures")
      .def(py::init<>())
      .def_readwrite("track_id", &AudioFeatures::track_id)
      .def_readwrite("acousticness", &AudioFeatures::acousticness)
      .def_readwrite("danceability", &AudioFeatures::danceability)
      .def_readwrite("energy", &AudioFeatures::energy)
      .def_readwrite("instrumentalness", &AudioFeatures::instrumentalness)
      .def_readwrite("liveness", &AudioFeatures::liveness)
      .def_readwrite("loudness", &AudioFeatures::loudness)
      .def_readwrite("speechiness", &AudioFeatures::speechiness)
      .def_readwrite("tempo", &AudioFeatures::tempo)
      .def_readwrite("valence", &AudioFeatures::valence)
      .def_readwrite("key", &AudioFeatures::key)
      .def_readwrite("mode", &AudioFeatures::mode)
      .def_readwrite("time_signature", &AudioFeatures::time_signature);

  py::class_<UserProfile>(module, "UserProfile")
      .def(py::init<>())
      .def_readwrite("id", &UserProfile::id)
      .def_readwrite("display_name", &UserProfile::display_name)
      .def_readwrite("product", &UserProfile::product);
}

}  // namespace spotify_extract::bindings
