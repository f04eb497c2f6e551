// The write endpoints (2026: POST /me/playlists, POST and PUT /playlists/{id}/items) and
// track search, paced and retried by the same HTTP client as every read.
#include <algorithm>
#include <sstream>

#include "spotify/client.h"
#include "spotify/errors.h"
#include "spotify/parse.h"

namespace spotify_extract {

namespace {

constexpr size_t kMaxUrisPerWrite = 100;  // Spotify answers 400 beyond
constexpr int kMaxSearchLimit = 10;       // development mode's maximum
constexpr int kItemsPage = 50;

constexpr const char* kWriteScopeHint =
    "run `beet spotify-extract --login --write` to allow it (asks for "
    "playlist-modify-private and playlist-modify-public)";

// The id goes into the request path: only what Spotify's ids look like may.
void RequirePlaylistId(const std::string& id) {
  bool base62 = id.size() == 22 && std::all_of(id.begin(), id.end(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                });
  if (!base62) throw SpotifyApiError("not a Spotify playlist id: " + id, 400);
}

void RequireBatch(const std::vector<std::string>& uris) {
  if (uris.size() > kMaxUrisPerWrite) {
    throw SpotifyApiError("at most 100 items per write, not " + std::to_string(uris.size()), 400);
  }
}

bool HasScope(const std::string& granted, const std::string& scope) {
  std::istringstream words(granted);
  std::string word;
  while (words >> word) {
    if (word == scope) return true;
  }
  return false;
}

std::string SnapshotOf(const nlohmann::json& answer) {
  if (answer.is_object() && answer.contains("snapshot_id") && answer["snapshot_id"].is_string()) {
    return answer["snapshot_id"].get<std::string>();
  }
  return "";
}

// An entry's URI: the item's (or the deprecated track's); "" for a null entry.
std::string EntryUri(const nlohmann::json& entry) {
  for (const char* key : {"item", "track"}) {
    if (!entry.is_object() || !entry.contains(key)) continue;
    const nlohmann::json& object = entry[key];
    if (object.is_object() && object.contains("uri") && object["uri"].is_string()) {
      return object["uri"].get<std::string>();
    }
  }
  return "";
}

}  // namespace

bool SpotifyClient::HasWriteScopes() {
  std::string granted = auth_->GrantedScopes();
  return HasScope(granted, "playlist-modify-private") &&
         HasScope(granted, "playlist-modify-public");
}

nlohmann::json SpotifyClient::Write(const std::string& method, const std::string& path,
                                    const nlohmann::json& body, CancelToken* cancel) {
  for (int attempt = 0;; ++attempt) {
    std::string token = auth_->AccessToken(cancel);
    HttpRequest request;
    request.method = method;
    request.url = config_.api_url + path;
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    request.body = body.dump();
    request.content_type = "application/json";
    request.idempotent = false;
    HttpResponse response = http_->Execute(request, cancel);
    std::string message = ErrorMessage(response.json);
    if (response.status == 401) {
      // Refused before anything was done: sending it again is safe.
      if (attempt == 0) {
        auth_->OnUnauthorized(token, cancel);
        continue;
      }
      throw LoginRequiredError("Spotify refuses the saved login (401 " + message +
                               "); run `beet spotify-extract --login`");
    }
    if (response.status == 403 && message.find("scope") != std::string::npos) {
      throw WriteScopeRequiredError("the Spotify login may not change playlists; " +
                                    std::string(kWriteScopeHint));
    }
    if (response.status < 200 || response.status > 299) {
      throw SpotifyApiError("Spotify answered " + std::to_string(response.status) + " to " +
                                method + " " + path + (message.empty() ? "" : " (" + message + ")"),
                            response.status);
    }
    return std::move(response.json);
  }
}

Playlist SpotifyClient::CreatePlaylist(const std::string& name, const std::string& description,
                                       bool is_public, CancelToken* cancel) {
  nlohmann::json body = {{"name", name}, {"description", description}, {"public", is_public}};
  std::optional<Playlist> created = ParsePlaylist(Write("POST", "/me/playlists", body, cancel));
  if (!created) throw SpotifyApiError("Spotify created a playlist but sent no id back", 200);
  return *created;
}

std::string SpotifyClient::AddPlaylistItems(const std::string& playlist_id,
                                            const std::vector<std::string>& uris, int position,
                                            CancelToken* cancel) {
  RequirePlaylistId(playlist_id);
  RequireBatch(uris);
  nlohmann::json body = {{"uris", uris}};
  if (position >= 0) body["position"] = position;
  return SnapshotOf(Write("POST", "/playlists/" + playlist_id + "/items", body, cancel));
}

std::string SpotifyClient::ReplacePlaylistItems(const std::string& playlist_id,
                                                const std::vector<std::string>& uris,
                                                CancelToken* cancel) {
  RequirePlaylistId(playlist_id);
  RequireBatch(uris);
  nlohmann::json body = {{"uris", uris}};
  return SnapshotOf(Write("PUT", "/playlists/" + playlist_id + "/items", body, cancel));
}

std::optional<Playlist> SpotifyClient::GetPlaylist(const std::string& playlist_id,
                                                   CancelToken* cancel) {
  RequirePlaylistId(playlist_id);
  std::string query =
      QueryString({{"fields",
                    "id,name,description,owner(id,display_name),snapshot_id,collaborative,public,"
                    "items(total)"}});
  Reply reply = Get("/playlists/" + playlist_id + "?" + query, cancel);
  if (reply.status == 404) return std::nullopt;
  if (reply.status < 200 || reply.status > 299) {
    throw SpotifyApiError("Spotify answered " + std::to_string(reply.status) +
                              " to GET /playlists/" + playlist_id +
                              (reply.message.empty() ? "" : " (" + reply.message + ")"),
                          reply.status);
  }
  return ParsePlaylist(reply.json);
}

PlaylistItemUris SpotifyClient::GetPlaylistItemUris(const std::string& playlist_id, int offset,
                                                    int max_items, CancelToken* cancel) {
  RequirePlaylistId(playlist_id);
  PlaylistItemUris result;
  std::string query = QueryString({{"fields", "total,next,items(item(uri),track(uri))"},
                                   {"additional_types", "track,episode"}});
  for (int at = std::max(0, offset);;) {
    nlohmann::json page = GetOk("/playlists/" + playlist_id + "/items?" + query + "&limit=" +
                                    std::to_string(kItemsPage) + "&offset=" + std::to_string(at),
                                cancel);
    RawPage raw = ParsePage(page);
    result.total = std::max(0, raw.total);
    for (const nlohmann::json* entry : raw.items) {
      if (max_items >= 0 && static_cast<int>(result.uris.size()) >= max_items) break;
      result.uris.push_back(EntryUri(*entry));
    }
    at += kItemsPage;
    bool full = max_items >= 0 && static_cast<int>(result.uris.size()) >= max_items;
    if (full || raw.items.empty() || at >= result.total) return result;
  }
}

std::vector<Track> SpotifyClient::SearchTracks(const std::string& query, int limit,
                                               CancelToken* cancel) {
  int bounded = std::clamp(limit, 1, kMaxSearchLimit);
  std::vector<std::pair<std::string, std::string>> params = {
      {"q", query}, {"type", "track"}, {"limit", std::to_string(bounded)}};
  if (!config_.market.empty()) params.emplace_back("market", config_.market);
  nlohmann::json answer = GetOk("/search?" + QueryString(params), cancel);
  std::vector<Track> tracks;
  if (!answer.is_object() || !answer.contains("tracks")) return tracks;
  for (const nlohmann::json* item : ParsePage(answer["tracks"]).items) {
    Track track = ParseTrack(*item);
    if (!track.id.empty()) tracks.push_back(std::move(track));
  }
  return tracks;
}

}  // namespace spotify_extract
