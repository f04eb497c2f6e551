#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The Spotify objects the engine keeps, parsed from the Web API or an export file.
// Every field is optional on the wire: absent strings are empty, absent numbers 0.

namespace spotify_extract {

struct ArtistRef {
  std::string id;  // base62; empty for local files and export rows without URIs
  std::string name;
};

// The credited names joined with ", " (unnamed artists skipped): how the store keeps a
// one-line artist and how a missing track is described in an m3u comment.
std::string JoinArtists(const std::vector<ArtistRef>& artists);

struct Track {
  std::string id;  // base62 track id; empty for local files
  std::string name;
  std::vector<ArtistRef> artists;
  std::string album_id;
  std::string album_name;
  std::vector<ArtistRef> album_artists;
  std::string album_release_date;
  std::string cover_url;
  std::string preview_url;
  std::string isrc;
  int duration_ms = 0;
  int disc_number = 0;
  int track_number = 0;
  bool explicit_content = false;
  bool is_local = false;
  bool is_playable = true;
  std::optional<int> popularity;
};

enum class EntryKind { kTrack, kEpisode, kLocalFile, kUnavailable, kNull };

// The names the state database stores and Python sees ("track", "episode", "local",
// "unavailable", "null"); kept in one place so the store and the bindings cannot drift.
std::string EntryKindName(EntryKind kind);
// The inverse; an unknown name reads as kNull so that a damaged row is skipped, not fatal.
EntryKind EntryKindFromName(const std::string& name);

// One position in a playlist (or in Liked Songs).
struct PlaylistEntry {
  EntryKind kind = EntryKind::kTrack;
  Track track;  // for local files: name/artists/album only
  std::string added_at;
  std::string added_by;
};

// Whether the entries of a playlist can be read by this app.
enum class PlaylistAccess {
  kReadable,     // owned or collaborative, or extended-quota app
  kNotShared,    // followed playlist: /items answers 403 to development-mode apps
  kUnavailable,  // Spotify-owned or "Made For You": 404
};

// "readable", "not_shared" or "unavailable": the playlists.access column and Python's name.
const char* PlaylistAccessName(PlaylistAccess access);
// The inverse; throws std::invalid_argument naming the known values.
PlaylistAccess PlaylistAccessFromName(const std::string& name);

// Where the state database's copy of a playlist comes from.
enum class PlaylistSource {
  kApi,     // the Web API's playlist list
  kExport,  // a data export file (no API id)
};
// "api" or "export": the playlists.source column and Python's name.
const char* PlaylistSourceName(PlaylistSource source);
// The inverse; throws std::invalid_argument naming the known values.
PlaylistSource PlaylistSourceFromName(const std::string& name);

// How a Spotify track's match against the beets library was decided, strongest first.
enum class MatchMethod {
  kNone,       // no candidate survived
  kOverride,   // the person's decision (review)
  kSpotifyId,  // the library records this Spotify id (spotify_track_id / mb_trackid)
  kIsrc,       // same ISRC
  kExact,      // same normalised title and artist, duration and version agree
  kFuzzy,      // best of the indexed candidates, scored
};

// What the pipeline does with a match:
// kMatched   - confidence >= min_confidence: goes into the playlists.
// kReview    - a plausible candidate below min_confidence: NOT put into playlists and NOT
//              downloaded; it waits for `beet spotify-extract --review` (the wishlist
//              holds it as "review", because the person probably owns it already).
// kUnmatched - nothing plausible: a normal wishlist entry (download).
enum class MatchStatus { kMatched, kReview, kUnmatched };

// "none", "override", "spotify_id", "isrc", "exact", "fuzzy": the matches.method column.
const char* MatchMethodName(MatchMethod method);
// "matched", "review", "unmatched": the matches.status column.
const char* MatchStatusName(MatchStatus status);
// The inverses; throw std::invalid_argument naming the known values.
MatchMethod MatchMethodFromName(const std::string& name);
MatchStatus MatchStatusFromName(const std::string& name);

struct Playlist {
  std::string id;
  std::string name;
  std::string description;
  std::string owner_id;
  std::string owner_name;
  std::string snapshot_id;
  std::string image_url;
  bool collaborative = false;
  bool is_public = false;
  int total_entries = 0;
};

struct Album {
  std::string id;
  std::string name;
  std::vector<ArtistRef> artists;
  std::string release_date;
  std::string upc;
  std::string cover_url;
  int total_tracks = 0;
};

struct SavedAlbum {
  std::string added_at;
  Album album;
};

// A release in an artist's discography (GET /artists/{id}/albums).
struct ArtistRelease {
  Album album;
  std::string album_type;   // album | single | compilation
  std::string album_group;  // album | single | compilation | appears_on
};

struct SavedTrack {
  std::string added_at;
  Track track;
};

struct Artist {
  std::string id;
  std::string name;
  std::vector<std::string> genres;
  std::optional<int> popularity;
  std::string image_url;
};

struct AudioFeatures {
  std::string track_id;
  double acousticness = 0, danceability = 0, energy = 0, instrumentalness = 0, liveness = 0,
         loudness = 0, speechiness = 0, tempo = 0, valence = 0;
  int key = -1, mode = 0, time_signature = 0;
};

struct UserProfile {
  std::string id;
  std::string display_name;
  std::string product;  // deprecated by Spotify; may be empty
};

}  // namespace spotify_extract
