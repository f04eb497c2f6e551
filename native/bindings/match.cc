#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "library/library_reader.h"
#include "match/matcher.h"
#include "match/normalize.h"
#include "match/version_check.h"
#include "spotify/parse.h"

namespace spotify_extract::bindings {

namespace py = pybind11;

namespace {

std::string GetString(const py::dict& d, const char* key) {
  if (!d.contains(key) || d[key].is_none()) return {};
  return py::str(d[key]).cast<std::string>();
}

// A track from a bound Track or a Spotify Web API track object (a dict), read by the
// engine's own parser.
Track TrackFrom(py::handle value) {
  if (py::isinstance<py::dict>(value)) {
    std::string text = py::module_::import("json").attr("dumps")(value).cast<std::string>();
    return ParseTrack(nlohmann::json::parse(text));
  }
  try {
    return value.cast<Track>();
  } catch (const py::cast_error&) {
    throw py::type_error("a track must be a Track or a Spotify track object (dict), got " +
                         py::str(value.get_type()).cast<std::string>());
  }
}

// A library item from a bound LibraryItem or a dict with LibraryItem's field names.
LibraryItem ItemFrom(py::handle value) {
  if (!py::isinstance<py::dict>(value)) return value.cast<LibraryItem>();
  auto d = py::reinterpret_borrow<py::dict>(value);
  LibraryItem item;
  if (!d.contains("id")) throw py::value_error("a library item needs an 'id'");
  item.id = d["id"].cast<int64_t>();
  item.title = GetString(d, "title");
  item.artist = GetString(d, "artist");
  if (d.contains("artists") && !d["artists"].is_none()) {
    item.artists = d["artists"].cast<std::vector<std::string>>();
  }
  item.album = GetString(d, "album");
  item.albumartist = GetString(d, "albumartist");
  if (d.contains("length") && !d["length"].is_none()) item.length = d["length"].cast<double>();
  item.isrc = GetString(d, "isrc");
  item.mb_trackid = GetString(d, "mb_trackid");
  item.spotify_track_id = GetString(d, "spotify_track_id");
  item.data_source = GetString(d, "data_source");
  return item;
}

MatchOverride::Action ActionFrom(const std::string& action) {
  if (action == "accept") return MatchOverride::Action::kAccept;
  if (action == "reject") return MatchOverride::Action::kReject;
  throw py::value_error("override action must be 'accept' or 'reject', got '" + action + "'");
}

}  // namespace

void BindMatch(py::module_& module, py::handle base_error) {
  RegisterException<MatchError>(module, "MatchError", base_error);

  py::class_<MatchOptions>(module, "MatchOptions")
      .def(py::init([](double min_confidence, double review_confidence, int threads,
                       int max_runners_up) {
             MatchOptions options;
             options.min_confidence = min_confidence;
             options.review_confidence = review_confidence;
             options.threads = threads;
             options.max_runners_up = max_runners_up;
             options.Validate();
             return options;
           }),
           // The defaults are the struct's own (native/match/matcher.h), not copies.
           py::arg("min_confidence") = MatchOptions{}.min_confidence,
           py::arg("review_confidence") = MatchOptions{}.review_confidence,
           py::arg("threads") = MatchOptions{}.threads,
           py::arg("max_runners_up") = MatchOptions{}.max_runners_up)
      .def_readonly("min_confidence", &MatchOptions::min_confidence)
      .def_readonly("review_confidence", &MatchOptions::review_confidence)
      .def_readonly("threads", &MatchOptions::threads)
      .def_readonly("max_runners_up", &MatchOptions::max_runners_up);

  py::class_<MatchCandidate>(module, "MatchCandidate")
      .def_readonly("item_id", &MatchCandidate::item_id)
      .def_readonly("score", &MatchCandidate::score)
      .def("__repr__", [](const MatchCandidate& c) {
        return "<MatchCandidate " + std::to_string(c.item_id) + " " + std::to_string(c.score) + ">";
      });

  py::class_<MatchResult>(module, "MatchResult")
      .def_readonly("track_id", &MatchResult::track_id)
      .def_property_readonly("item_id",
                             [](const MatchResult& r) -> py::object {
                               if (r.item_id == 0) return py::none();
                               return py::int_(r.item_id);
                             })
      .def_property_readonly("method",
                             [](const MatchResult& r) { return MatchMethodName(r.method); })
      .def_property_readonly("status",
                             [](const MatchResult& r) { return MatchStatusName(r.status); })
      .def_readonly("confidence", &MatchResult::confidence)
      .def_readonly("runners_up", &MatchResult::runners_up)
      .def("__repr__", [](const MatchResult& r) {
        return "<MatchResult " + r.track_id + " -> " + std::to_string(r.item_id) + " " +
               MatchMethodName(r.method) + " " + MatchStatusName(r.status) + " " +
               std::to_string(r.confidence) + ">";
      });

  module.def("song_key", &norm::SongKey, py::arg("artist"), py::arg("title"),
             "The matcher's identity of an 'Artist - Title' (NUL-separated).");
  module.def("unwanted_versions", &norm::UnwantedVersions, py::arg("wanted_title"),
             py::arg("wanted_album"), py::arg("found_title"),
             "Hard version tags (live, remix ...) found_title has and the wanted track "
             "lacks, comma-separated; empty when none.");

  py::class_<Matcher>(module, "Matcher")
      .def_static(
          "build",
          [](py::iterable values, const MatchOptions& options) {
            if (py::isinstance<LibraryItems>(values)) {
              const auto& items = values.cast<const LibraryItems&>();
              py::gil_scoped_release release;
              return Matcher::Build(items, options);
            }
            std::vector<LibraryItem> converted;
            for (py::handle value : values) converted.push_back(ItemFrom(value));
            py::gil_scoped_release release;
            return Matcher::Build(LibraryItems(converted), options);
          },
          py::arg("items"), py::arg("options") = MatchOptions(),
          "Index library items (LibraryItem from read_library, or dicts) for matching.")
      .def_static(
          "from_library",
          [](const std::string& db_path, py::bytes music_dir, const MatchOptions& options,
             std::chrono::milliseconds busy_timeout) {
            LibraryReadOptions read;
            read.music_dir = music_dir;
            read.busy_timeout = busy_timeout;
            py::gil_scoped_release release;
            return Matcher::Build(ReadGroupedLibrary(db_path, read), options);
          },
          py::arg("db_path"), py::arg("music_dir") = py::bytes(),
          py::arg("options") = MatchOptions(),
          py::arg("busy_timeout") = std::chrono::milliseconds(5000),
          "Read a beets library.db (read-only) and index it for matching.")
      .def(
          "set_overrides",
          [](Matcher& matcher, const py::dict& overrides) {
            MatchOverrides converted;
            for (auto [key, decisions] : overrides) {
              auto& list = converted[py::str(key).cast<std::string>()];
              for (py::handle decision : decisions) {
                auto pair = decision.cast<std::pair<std::string, int64_t>>();
                list.push_back({ActionFrom(pair.first), pair.second});
              }
            }
            matcher.SetOverrides(std::move(converted));
          },
          py::arg("overrides"),
          "Manual decisions: {spotify_track_id: [('accept'|'reject', item_id), ...]}.")
      .def(
          "match",
          [](const Matcher& matcher, py::handle track) {
            Track converted = TrackFrom(track);
            py::gil_scoped_release release;
            return matcher.Match(converted);
          },
          py::arg("track"))
      .def(
          "match_all",
          [](const Matcher& matcher, py::iterable tracks) {
            std::vector<Track> converted;
            for (py::handle track : tracks) converted.push_back(TrackFrom(track));
            py::gil_scoped_release release;
            return matcher.MatchAll(converted);
          },
          py::arg("tracks"), "Match many tracks on the configured threads, in input order.")
      .def_property_readonly("options", &Matcher::options)
      .def("__len__", &Matcher::size);
}

}  // namespace spotify_extract::bindings
