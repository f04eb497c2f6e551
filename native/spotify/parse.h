#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "spotify/model.h"

// JSON -> model structs. Every function accepts any JSON value (nulls, missing fields,
// wrong types, huge strings) and never throws: what is not there is empty or 0.

namespace spotify_extract {

// A paging object ({items, total, offset, limit, next}); total is -1 when absent.
struct RawPage {
  std::vector<const nlohmann::json*> items;  // pointers into the parsed document
  int total = -1;
  int offset = 0;
  int limit = 0;
  std::string next;
  std::string cursor_after;  // cursor paging (followed artists)
};
RawPage ParsePage(const nlohmann::json& page);

Track ParseTrack(const nlohmann::json& track);
// A playlist entry ({added_at, added_by, is_local, item, track}): the object under `item`,
// else the deprecated `track`. Kinds: kNull (no object), kLocalFile (is_local; no id),
// kEpisode (type episode, or Spotify's track-shaped stand-in with `episode: true`),
// kUnavailable (a track without an id, or `is_playable: false`; its data is kept so it
// can still be matched against files the person owns), else kTrack.
PlaylistEntry ParsePlaylistEntry(const nlohmann::json& entry);
// A playlist from /me/playlists or /playlists/{id}; total from `items.total`, else
// the deprecated `tracks.total`. Returns nothing for entries without an id.
std::optional<Playlist> ParsePlaylist(const nlohmann::json& playlist);
std::optional<SavedTrack> ParseSavedTrack(const nlohmann::json& saved);
Album ParseAlbum(const nlohmann::json& album);
std::optional<SavedAlbum> ParseSavedAlbum(const nlohmann::json& saved);
// An entry of GET /artists/{id}/albums; nullopt without an id.
std::optional<ArtistRelease> ParseArtistRelease(const nlohmann::json& album);
std::optional<Artist> ParseArtist(const nlohmann::json& artist);
std::optional<AudioFeatures> ParseAudioFeatures(const nlohmann::json& features);
UserProfile ParseUserProfile(const nlohmann::json& user);
// The `error.message` of a Spotify error body ("" when absent).
std::string ErrorMessage(const nlohmann::json& body);

}  // namespace spotify_extract
