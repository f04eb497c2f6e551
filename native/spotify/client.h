#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "http/task_pool.h"
#include "spotify/auth.h"
#include "spotify/model.h"

namespace spotify_extract {

// Everything needed to talk to Spotify (or the emulator), from the plugin's config.
struct SpotifyConfig {
  std::string client_id;
  std::string client_secret;
  std::string api_url = "https://api.spotify.com/v1";
  std::string auth_url = "https://accounts.spotify.com";
  std::string ca_file;    // empty: the system's CAs
  std::string state_dir;  // holds spotify_extract_token.json
  int redirect_port = 8888;
  std::string market = "from_token";  // empty: no market parameter
  bool write_access = false;          // the login asks for kWriteScopes too (--login --write)
  HttpClientOptions http;

  OAuthConfig oauth() const;
};

enum class PageAction { kContinue, kStop };

// One page of an offset-paged list, delivered in order. `total` is Spotify's total at the
// time of the page; `offset + items.size()` is where a resumed run continues.
template <class T>
struct Page {
  int offset = 0;
  int total = 0;
  std::vector<T> items;
};

template <class T>
using PageCallback = std::function<PageAction(Page<T>&&)>;

struct PageOptions {
  int start_offset = 0;  // resume point
  // Pages requested ahead of the one being delivered (in parallel, within the client's
  // in-flight bound). 0 fetches strictly one page at a time, so an early stop never
  // wastes a request; -1 uses the in-flight bound.
  int prefetch = -1;
};

struct PlaylistItemsRequest {
  std::string playlist_id;
  // The entry count from the playlist list; 0 skips the request entirely, -1 = unknown.
  int total_hint = -1;
};

struct PlaylistItemsResult {
  std::string playlist_id;
  PlaylistAccess access = PlaylistAccess::kReadable;
  int total = 0;                       // entries Spotify reported
  std::vector<PlaylistEntry> entries;  // in playlist order (empty unless kReadable)
  bool via_tracks_endpoint = false;    // the deprecated /tracks fallback was used
};

// An album and its tracks in album order. The tracks are Spotify's simplified objects
// (no ISRC or popularity); their album fields are filled in from the album.
struct AlbumTracks {
  Album album;
  std::vector<Track> tracks;
};

enum class AudioFeaturesStatus { kOk, kForbidden };

struct AudioFeaturesResult {
  AudioFeaturesStatus status = AudioFeaturesStatus::kOk;
  std::vector<AudioFeatures> features;  // unknown ids are simply absent
};

// A playlist's item URIs from `offset` on, in order ("" for a null entry), and the total
// Spotify reported: what a write is verified against.
struct PlaylistItemUris {
  int total = 0;
  std::vector<std::string> uris;
};

struct FetchStats {
  HttpStats http;
  int token_refreshes = 0;
};

// The typed, paginated Spotify Web API endpoints the engine uses. Pages are 50 (the
// documented maximum), independent requests run in parallel within the HTTP client's
// in-flight bound, and callbacks always run on the calling thread, one at a time.
// Errors: LoginRequiredError, RateLimitError (progress delivered so far is kept),
// TransportError, TlsError, CancelledError, SpotifyApiError.
class SpotifyClient {
 public:
  // `image_http` fetches artwork from Spotify's CDN, which does not share the Web API's
  // rate window; without it images go through `http`.
  SpotifyClient(SpotifyConfig config, std::shared_ptr<HttpClient> http,
                std::shared_ptr<Authenticator> auth,
                std::shared_ptr<HttpClient> image_http = nullptr);
  // The usual construction: Poco transport, token from state_dir.
  static std::unique_ptr<SpotifyClient> Open(const SpotifyConfig& config, LogFn log = {});

  UserProfile GetCurrentUser(CancelToken* cancel);

  // GET /me/playlists, every page.
  std::vector<Playlist> GetPlaylists(CancelToken* cancel);

  // GET /playlists/{id}/items (fields-filtered, 50 per page; /tracks only as a fallback
  // when /items does not exist). 403 -> kNotShared, 404 -> kUnavailable: recorded states.
  PlaylistItemsResult GetPlaylistItems(const PlaylistItemsRequest& request, CancelToken* cancel);
  // Many playlists at once: first pages of all, then the rest, within the in-flight bound.
  // `on_done` runs on the calling thread as each playlist completes (in completion order,
  // roughly the order given), so a caller can store each one and resume after a failure.
  void GetPlaylistsItems(const std::vector<PlaylistItemsRequest>& requests,
                         const std::function<void(PlaylistItemsResult&&)>& on_done,
                         CancelToken* cancel);

  // Liked Songs (GET /me/tracks, newest first) and saved albums (GET /me/albums), page by
  // page in order; return kStop from the callback to stop early.
  void GetSavedTracks(const PageOptions& options, const PageCallback<SavedTrack>& on_page,
                      CancelToken* cancel);
  void GetSavedAlbums(const PageOptions& options, const PageCallback<SavedAlbum>& on_page,
                      CancelToken* cancel);

  // GET /albums/{id} (the first 50 tracks come with it), then /albums/{id}/tracks for the
  // rest. An id that is not 22 base62 characters is refused before any request; an
  // unknown album is the SpotifyApiError of its 404.
  AlbumTracks GetAlbumTracks(const std::string& album_id, CancelToken* cancel);

  // GET /artists/{id}/albums?include_groups=..., 50 per page, one page at a time (Spotify
  // lists each group newest first); kStop from the callback ends it. An id that is not
  // 22 base62 characters is refused before any request.
  void GetArtistReleases(const std::string& artist_id, const std::string& include_groups,
                         const PageCallback<ArtistRelease>& on_page, CancelToken* cancel);

  // The bytes of an image URL (Spotify's CDN: no token), with the same retries as every
  // request but outside the Web API's rate window; empty when the image is gone (4xx).
  std::string GetImage(const std::string& url, CancelToken* cancel);

  // GET /me/following?type=artist (cursor paging).
  std::vector<Artist> GetFollowedArtists(CancelToken* cancel);

  // GET /audio-features?ids= in batches of 100; a 403 (refused to apps registered since
  // November 2024) gives kForbidden after one request.
  AudioFeaturesResult GetAudioFeatures(const std::vector<std::string>& track_ids,
                                       CancelToken* cancel);

  // Tracks by id: GET /tracks?ids= in batches of 50 where allowed; after a 403/404 on the
  // batch endpoint (development mode), GET /tracks/{id} one by one. Unknown ids are absent.
  std::vector<Track> GetTracks(const std::vector<std::string>& track_ids, CancelToken* cancel);

  // -- writes (client_writes.cc): only ever on playlists the caller created. Each needs
  // playlist-modify-private (private playlists) or -public: WriteScopeRequiredError when
  // the saved login lacks it. A fault whose outcome is unknown is a TransportError at once
  // (never re-sent): the caller checks the playlist's items before going on.
  // The saved login's grant covers both write scopes (no request).
  bool HasWriteScopes();
  // POST /me/playlists; the new playlist (owner = the current user).
  Playlist CreatePlaylist(const std::string& name, const std::string& description, bool is_public,
                          CancelToken* cancel);
  // POST /playlists/{id}/items with at most 100 URIs, at the end (position < 0) or at
  // `position`; returns the new snapshot_id.
  std::string AddPlaylistItems(const std::string& playlist_id, const std::vector<std::string>& uris,
                               int position, CancelToken* cancel);
  // PUT /playlists/{id}/items: the items become these (at most 100) URIs; the snapshot_id.
  std::string ReplacePlaylistItems(const std::string& playlist_id,
                                   const std::vector<std::string>& uris, CancelToken* cancel);
  // GET /playlists/{id} (metadata only); nothing when it is gone (404).
  std::optional<Playlist> GetPlaylist(const std::string& playlist_id, CancelToken* cancel);
  // GET /playlists/{id}/items, URIs only, from `offset` up to `max_items` (< 0: all).
  PlaylistItemUris GetPlaylistItemUris(const std::string& playlist_id, int offset, int max_items,
                                       CancelToken* cancel);
  // GET /search?type=track: at most `limit` (1..10, the development-mode maximum) tracks.
  std::vector<Track> SearchTracks(const std::string& query, int limit, CancelToken* cancel);

  FetchStats stats() const;
  HttpClient& http() { return *http_; }
  int parallelism() const;

 private:
  struct Reply {
    int status = 0;
    nlohmann::json json;
    std::string message;
  };
  // GET api_url + path_and_query with the Bearer token; a 401 refreshes once and retries.
  Reply Get(const std::string& path_and_query, CancelToken* cancel);
  // A 2xx JSON object or a SpotifyApiError naming the endpoint.
  nlohmann::json GetOk(const std::string& path_and_query, CancelToken* cancel);
  // A JSON write (POST/PUT) that is never re-sent after an unknown outcome; 401 refreshes
  // once; a 2xx object, WriteScopeRequiredError (403 for want of a scope) or
  // SpotifyApiError.
  nlohmann::json Write(const std::string& method, const std::string& path,
                       const nlohmann::json& body, CancelToken* cancel);

  template <class T>
  void PageThrough(const std::string& path, const std::string& query,
                   const std::function<std::vector<T>(const nlohmann::json&)>& parse,
                   const PageOptions& options, const PageCallback<T>& on_page, CancelToken* cancel);

  SpotifyConfig config_;
  std::shared_ptr<HttpClient> http_;
  std::shared_ptr<HttpClient> image_http_;
  std::shared_ptr<Authenticator> auth_;
  std::unique_ptr<TaskPool> pool_;
  std::atomic<bool> use_tracks_endpoint_{false};  // /items missing: old-API fallback
  std::atomic<int> batch_tracks_{-1};             // -1 unknown, 0 refused, 1 allowed
};

// Builds a query string value-safely: {{"limit","50"},{"fields","items(...)"}}.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace spotify_extract
