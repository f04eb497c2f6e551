#include "spotify/client.h"

#include <Poco/URI.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "spotify/errors.h"
#include "spotify/parse.h"

namespace spotify_extract {

namespace {

constexpr int kPageSize = 50;        // every paged endpoint's documented maximum
constexpr int kFeaturesBatch = 100;  // /audio-features?ids=
constexpr int kTracksBatch = 50;     // /tracks?ids=

// What a playlist entry needs; `item` for /items, `track` for the old /tracks path.
constexpr const char* kTrackFields =
    "type,id,name,uri,duration_ms,explicit,disc_number,track_number,is_local,is_playable,"
    "popularity,preview_url,episode,external_ids(isrc),artists(id,name),"
    "album(id,name,release_date,images(url),artists(id,name)),show(id,name,publisher)";

std::string ItemsFields(const char* wrapper) {
  return std::string("total,offset,limit,next,items(added_at,added_by.id,is_local,") + wrapper +
         "(" + kTrackFields + "))";
}

std::string EncodeComponent(const std::string& value) {
  std::string out;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]% \"<>\\^`{|}", out);
  return out;
}

bool IsBase62Id(const std::string& id) {
  return id.size() == 22 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string JoinIds(const std::vector<std::string>& ids, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (!out.empty()) out += ',';
    out += EncodeComponent(ids[i]);
  }
  return out;
}

// Runs jobs on the pool and hands their results back to the calling thread one by one.
// The destructor cancels what is left and waits for every job, so nothing outlives it.
template <class R>
class Batch {
 public:
  Batch(TaskPool& pool, CancelToken* parent) : pool_(pool), cancel_(parent) {}
  ~Batch() {
    cancel_.Cancel();
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return running_ == 0; });
  }

  void Submit(int64_t key, std::function<R(CancelToken*)> job) {
    {
      std::lock_guard lock(mutex_);
      ++running_;
    }
    pool_.Submit([this, key, job = std::move(job)] {
      Done done;
      done.key = key;
      try {
        done.value = job(&cancel_);
      } catch (...) {
        done.error = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(done));
      --running_;
      cv_.notify_all();  // under the lock: the Batch may be destroyed right after
    });
  }

  // Jobs submitted and not yet returned by Next().
  int pending() {
    std::lock_guard lock(mutex_);
    return running_ + static_cast<int>(done_.size());
  }
  int running() {
    std::lock_guard lock(mutex_);
    return running_;
  }

  // The next finished job; a job's exception is rethrown here (the others are cancelled).
  std::pair<int64_t, R> Next() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return !done_.empty(); });
    Done done = std::move(done_.front());
    done_.pop_front();
    lock.unlock();
    if (done.error) {
      cancel_.Cancel();
      std::rethrow_exception(done.error);
    }
    return {done.key, std::move(*done.value)};
  }

 private:
  struct Done {
    int64_t key = 0;
    std::optional<R> value;
    std::exception_ptr error;
  };
  TaskPool& pool_;
  CancelToken cancel_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int running_ = 0;
  std::deque<Done> done_;
};

struct ItemsPage {
  int status = 200;
  int total = 0;
  std::vector<PlaylistEntry> entries;
  bool via_tracks = false;
};

}  // namespace

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += EncodeComponent(key) + "=" + EncodeComponent(value);
  }
  return out;
}

OAuthConfig SpotifyConfig::oauth() const {
  OAuthConfig oauth;
  oauth.client_id = client_id;
  oauth.client_secret = client_secret;
  oauth.auth_url = auth_url;
  oauth.redirect_port = redirect_port;
  if (write_access) oauth.scopes = std::string(kDefaultScopes) + " " + kWriteScopes;
  return oauth;
}

SpotifyClient::SpotifyClient(SpotifyConfig config, std::shared_ptr<HttpClient> http,
                             std::shared_ptr<Authenticator> auth,
                             std::shared_ptr<HttpClient> image_http)
    : config_(std::move(config)),
      http_(std::move(http)),
      image_http_(image_http ? std::move(image_http) : http_),
      auth_(std::move(auth)),
      pool_(std::make_unique<TaskPool>(std::max(1, http_->options().max_in_flight))) {
  config_.api_url = TrimSlash(config_.api_url);
}

std::unique_ptr<SpotifyClient> SpotifyClient::Open(const SpotifyConfig& config, LogFn log) {
  SpotifyConfig copy = config;
  copy.http.transport.ca_file = config.ca_file;
  auto http = std::make_shared<HttpClient>(copy.http, log);
  // Artwork comes from the CDN, not the Web API: a first run's thousands of covers must
  // not spend the API's 30-second window (the token bucket still keeps them polite).
  HttpClientOptions image_options = copy.http;
  image_options.pacer.window_requests = 0;
  auto image_http = std::make_shared<HttpClient>(image_options, std::move(log));
  auto auth =
      std::make_shared<Authenticator>(copy.oauth(), http, TokenStore::InStateDir(copy.state_dir));
  return std::make_unique<SpotifyClient>(copy, http, auth, image_http);
}

int SpotifyClient::parallelism() const { return pool_->size(); }

FetchStats SpotifyClient::stats() const {
  FetchStats stats;
  stats.http = http_->stats();
  stats.token_refreshes = auth_->refreshes();
  return stats;
}

SpotifyClient::Reply SpotifyClient::Get(const std::string& path_and_query, CancelToken* cancel) {
  for (int attempt = 0;; ++attempt) {
    std::string token = auth_->AccessToken(cancel);
    HttpRequest request;
    request.url = config_.api_url + path_and_query;
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    HttpResponse response = http_->Execute(request, cancel);
    if (response.status == 401) {
      if (attempt == 0) {
        auth_->OnUnauthorized(token, cancel);
        continue;
      }
      throw LoginRequiredError("Spotify refuses the saved login (401 " +
                               ErrorMessage(response.json) +
                               "); run `beet spotify-extract --login`");
    }
    Reply reply;
    reply.status = response.status;
    reply.message = ErrorMessage(response.json);
    reply.json = std::move(response.json);
    return reply;
  }
}

nlohmann::json SpotifyClient::GetOk(const std::string& path_and_query, CancelToken* cancel) {
  Reply reply = Get(path_and_query, cancel);
  if (reply.status < 200 || reply.status > 299) {
    std::string path = path_and_query.substr(0, path_and_query.find('?'));
    throw SpotifyApiError("Spotify answered " + std::to_string(reply.status) + " to GET " + path +
                              (reply.message.empty() ? "" : " (" + reply.message + ")"),
                          reply.status);
  }
  return std::move(reply.json);
}

UserProfile SpotifyClient::GetCurrentUser(CancelToken* cancel) {
  return ParseUserProfile(GetOk("/me", cancel));
}

template <class T>
void SpotifyClient::PageThrough(const std::string& path, const std::string& query,
                                const std::function<std::vector<T>(const nlohmann::json&)>& parse,
                                const PageOptions& options, const PageCallback<T>& on_page,
                                CancelToken* cancel) {
  auto fetch = [this, &path, &query, &parse](int offset, CancelToken* token) {
    std::string url = path + "?" + query + (query.empty() ? "" : "&") +
                      "limit=" + std::to_string(kPageSize) + "&offset=" + std::to_string(offset);
    nlohmann::json json = GetOk(url, token);
    RawPage raw = ParsePage(json);
    Page<T> page;
    page.offset = offset;
    page.items = parse(json);
    page.total = raw.total >= 0
                     ? raw.total
                     : (raw.next.empty() ? offset + static_cast<int>(raw.items.size()) : -1);
    return page;
  };
  int start = std::max(0, options.start_offset);
  Page<T> first = fetch(start, cancel);
  int total = first.total;
  bool more = total < 0 || start + kPageSize < total;
  if (on_page(std::move(first)) == PageAction::kStop || !more) return;

  int prefetch = options.prefetch < 0 ? parallelism() : options.prefetch;
  if (total < 0 || prefetch == 0) {
    // One page at a time (unknown total, or the caller wants no request wasted).
    for (int offset = start + kPageSize;; offset += kPageSize) {
      Page<T> page = fetch(offset, cancel);
      bool empty = page.items.empty();
      int page_total = page.total;
      if (on_page(std::move(page)) == PageAction::kStop || empty) return;
      if (page_total >= 0 && offset + kPageSize >= page_total) return;
    }
  }
  Batch<Page<T>> batch(*pool_, cancel);
  std::map<int, Page<T>> ready;
  int next_offset = start + kPageSize;
  int deliver = next_offset;
  while (deliver < total) {
    while (batch.running() < prefetch && next_offset < total) {
      int offset = next_offset;
      batch.Submit(offset, [&fetch, offset](CancelToken* token) { return fetch(offset, token); });
      next_offset += kPageSize;
    }
    auto [offset, page] = batch.Next();
    ready.emplace(static_cast<int>(offset), std::move(page));
    for (auto it = ready.find(deliver); it != ready.end(); it = ready.find(deliver)) {
      Page<T> in_order = std::move(it->second);
      ready.erase(it);
      deliver += kPageSize;
      if (on_page(std::move(in_order)) == PageAction::kStop) return;
    }
  }
}

std::vector<Playlist> SpotifyClient::GetPlaylists(CancelToken* cancel) {
  std::vector<Playlist> playlists;
  std::set<std::string> seen;
  PageThrough<Playlist>(
      "/me/playlists", "",
      [](const nlohmann::json& json) {
        std::vector<Playlist> out;
        for (const nlohmann::json* item : ParsePage(json).items) {
          if (auto playlist = ParsePlaylist(*item)) out.push_back(std::move(*playlist));
        }
        return out;
      },
      {},
      [&](Page<Playlist>&& page) {
        for (auto& playlist : page.items) {
          if (seen.insert(playlist.id).second) playlists.push_back(std::move(playlist));
        }
        return PageAction::kContinue;
      },
      cancel);
  return playlists;
}

void SpotifyClient::GetSavedTracks(const PageOptions& options,
                                   const PageCallback<SavedTrack>& on_page, CancelToken* cancel) {
  std::string query = config_.market.empty() ? "" : QueryString({{"market", config_.market}});
  PageThrough<SavedTrack>(
      "/me/tracks", query,
      [](const nlohmann::json& json) {
        std::vector<SavedTrack> out;
        for (const nlohmann::json* item : ParsePage(json).items) {
          if (auto saved = ParseSavedTrack(*item)) out.push_back(std::move(*saved));
        }
        return out;
      },
      options, on_page, cancel);
}

void SpotifyClient::GetSavedAlbums(const PageOptions& options,
                                   const PageCallback<SavedAlbum>& on_page, CancelToken* cancel) {
  std::string query = config_.market.empty() ? "" : QueryString({{"market", config_.market}});
  PageThrough<SavedAlbum>(
      "/me/albums", query,
      [](const nlohmann::json& json) {
        std::vector<SavedAlbum> out;
        for (const nlohmann::json* item : ParsePage(json).items) {
          if (auto saved = ParseSavedAlbum(*item)) out.push_back(std::move(*saved));
        }
        return out;
      },
      options, on_page, cancel);
}

void SpotifyClient::GetArtistReleases(const std::string& artist_id,
                                      const std::string& include_groups,
                                      const PageCallback<ArtistRelease>& on_page,
                                      CancelToken* cancel) {
  if (!IsBase62Id(artist_id)) throw SpotifyApiError("not a Spotify artist id: " + artist_id, 400);
  std::vector<std::pair<std::string, std::string>> params = {{"include_groups", include_groups}};
  if (!config_.market.empty()) params.emplace_back("market", config_.market);
  PageOptions options;
  options.prefetch = 0;  // the caller stops at the first known page: no request wasted
  PageThrough<ArtistRelease>(
      "/artists/" + artist_id + "/albums", QueryString(params),
      [](const nlohmann::json& json) {
        std::vector<ArtistRelease> out;
        for (const nlohmann::json* item : ParsePage(json).items) {
          if (auto release = ParseArtistRelease(*item)) out.push_back(std::move(*release));
        }
        return out;
      },
      options, on_page, cancel);
}

std::string SpotifyClient::GetImage(const std::string& url, CancelToken* cancel) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    throw SpotifyApiError("not an image URL: " + UrlForMessages(url), 400);
  }
  HttpRequest request;
  request.url = url;
  request.expect_json = false;
  request.headers = {{"Accept", "image/*"}};
  HttpResponse response = image_http_->Execute(request, cancel);
  if (response.status >= 200 && response.status <= 299) return std::move(response.body);
  if (response.status >= 400 && response.status <= 499) return "";
  throw SpotifyApiError("the image server answered " + std::to_string(response.status) +
                            " to GET " + UrlForMessages(url),
                        response.status);
}

AlbumTracks SpotifyClient::GetAlbumTracks(const std::string& album_id, CancelToken* cancel) {
  // The id goes into the request path: only what Spotify's ids look like may.
  if (!IsBase62Id(album_id)) throw SpotifyApiError("not a Spotify album id: " + album_id, 400);
  std::string query = config_.market.empty() ? "" : QueryString({{"market", config_.market}});
  std::string path = "/albums/" + album_id;
  nlohmann::json json = GetOk(path + (query.empty() ? "" : "?" + query), cancel);
  AlbumTracks result;
  result.album = ParseAlbum(json);
  auto parse = [&album = result.album](const nlohmann::json& page) {
    std::vector<Track> tracks;
    for (const nlohmann::json* item : ParsePage(page).items) {
      Track track = ParseTrack(*item);
      if (track.id.empty()) continue;
      track.album_id = album.id;
      track.album_name = album.name;
      track.album_artists = album.artists;
      track.album_release_date = album.release_date;
      track.cover_url = album.cover_url;
      tracks.push_back(std::move(track));
    }
    return tracks;
  };
  const nlohmann::json* first =
      json.is_object() && json.contains("tracks") ? &json["tracks"] : nullptr;
  if (first == nullptr) return result;
  result.tracks = parse(*first);
  RawPage raw = ParsePage(*first);
  if (raw.next.empty() || raw.items.empty()) return result;
  PageOptions rest;
  rest.start_offset = raw.offset + static_cast<int>(raw.items.size());
  PageThrough<Track>(
      path + "/tracks", query, parse, rest,
      [&](Page<Track>&& page) {
        for (Track& track : page.items) result.tracks.push_back(std::move(track));
        return page.items.empty() ? PageAction::kStop : PageAction::kContinue;
      },
      cancel);
  return result;
}

std::vector<Artist> SpotifyClient::GetFollowedArtists(CancelToken* cancel) {
  std::vector<Artist> artists;
  std::set<std::string> seen;
  std::string after;
  for (int guard = 0; guard < 100000; ++guard) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"type", "artist"}, {"limit", std::to_string(kPageSize)}};
    if (!after.empty()) params.emplace_back("after", after);
    nlohmann::json json = GetOk("/me/following?" + QueryString(params), cancel);
    const nlohmann::json& wrapper =
        json.is_object() && json.contains("artists") ? json["artists"] : json;
    RawPage page = ParsePage(wrapper);
    bool fresh = false;
    for (const nlohmann::json* item : page.items) {
      if (auto artist = ParseArtist(*item)) {
        if (seen.insert(artist->id).second) {
          artists.push_back(std::move(*artist));
          fresh = true;
        }
      }
    }
    std::string cursor = page.cursor_after;
    if (cursor.empty() && !artists.empty() && !page.next.empty()) cursor = artists.back().id;
    if (page.next.empty() || page.items.empty() || !fresh || cursor.empty() || cursor == after) {
      break;
    }
    after = cursor;
  }
  return artists;
}

PlaylistItemsResult SpotifyClient::GetPlaylistItems(const PlaylistItemsRequest& request,
                                                    CancelToken* cancel) {
  PlaylistItemsResult out;
  GetPlaylistsItems(
      {request}, [&](PlaylistItemsResult&& result) { out = std::move(result); }, cancel);
  return out;
}

void SpotifyClient::GetPlaylistsItems(const std::vector<PlaylistItemsRequest>& requests,
                                      const std::function<void(PlaylistItemsResult&&)>& on_done,
                                      CancelToken* cancel) {
  auto fetch_page = [this](const std::string& id, int offset, CancelToken* token) {
    for (;;) {
      bool tracks = use_tracks_endpoint_.load();
      std::vector<std::pair<std::string, std::string>> params = {
          {"fields", ItemsFields(tracks ? "track" : "item")},
          {"limit", std::to_string(kPageSize)},
          {"offset", std::to_string(offset)},
          {"additional_types", "track,episode"}};
      if (!config_.market.empty()) params.emplace_back("market", config_.market);
      std::string path = "/playlists/" + EncodeComponent(id) + (tracks ? "/tracks?" : "/items?") +
                         QueryString(params);
      Reply reply = Get(path, token);
      ItemsPage page;
      page.status = reply.status;
      page.via_tracks = tracks;
      if (reply.status == 404 && !tracks && reply.message == "Service not found") {
        // An API without /items (before February 2026): use the old path from now on.
        use_tracks_endpoint_ = true;
        continue;
      }
      if (reply.status == 403 || reply.status == 404) return page;
      if (reply.status < 200 || reply.status > 299) {
        throw SpotifyApiError("Spotify answered " + std::to_string(reply.status) +
                                  " to GET /playlists/" + id + "/items" +
                                  (reply.message.empty() ? "" : " (" + reply.message + ")"),
                              reply.status);
      }
      RawPage raw = ParsePage(reply.json);
      page.total = raw.total >= 0 ? raw.total : offset + static_cast<int>(raw.items.size());
      page.entries.reserve(raw.items.size());
      for (const nlohmann::json* item : raw.items)
        page.entries.push_back(ParsePlaylistEntry(*item));
      return page;
    }
  };

  struct State {
    PlaylistItemsResult result;
    int pages = 0;  // known after the first page
    int done = 0;
    std::map<int, std::vector<PlaylistEntry>> entries;  // by page index
  };
  std::vector<State> states(requests.size());
  std::set<std::pair<int, int>> pending;  // (playlist index, page index), lowest first
  for (size_t i = 0; i < requests.size(); ++i) {
    states[i].result.playlist_id = requests[i].playlist_id;
    if (requests[i].total_hint == 0) {
      // Known to be empty from the playlist list: no request needed.
      on_done(std::move(states[i].result));
      continue;
    }
    pending.emplace(static_cast<int>(i), 0);
  }
  if (pending.empty()) return;
  const int parallel = parallelism();
  Batch<ItemsPage> batch(*pool_, cancel);
  while (!pending.empty() || batch.pending() > 0) {
    while (batch.running() < parallel && !pending.empty()) {
      auto [index, page_index] = *pending.begin();
      pending.erase(pending.begin());
      std::string id = requests[index].playlist_id;
      int offset = page_index * kPageSize;
      batch.Submit(
          (static_cast<int64_t>(index) << 32) | page_index,
          [&fetch_page, id, offset](CancelToken* token) { return fetch_page(id, offset, token); });
    }
    auto [key, page] = batch.Next();
    int index = static_cast<int>(key >> 32);
    int page_index = static_cast<int>(key & 0xffffffff);
    State& state = states[index];
    if (page_index == 0) {
      state.result.via_tracks_endpoint = page.via_tracks;
      if (page.status == 403 || page.status == 404) {
        state.result.access =
            page.status == 403 ? PlaylistAccess::kNotShared : PlaylistAccess::kUnavailable;
        on_done(std::move(state.result));
        continue;
      }
      state.result.total = page.total;
      state.pages = std::max(1, (page.total + kPageSize - 1) / kPageSize);
      for (int p = 1; p < state.pages; ++p) pending.emplace(index, p);
    } else if (page.status == 403 || page.status == 404) {
      // Access changed mid-playlist (unshared or deleted): keep what was read.
      page.entries.clear();
    }
    state.entries[page_index] = std::move(page.entries);
    if (++state.done == state.pages) {
      for (auto& [p, entries] : state.entries) {
        for (auto& entry : entries) state.result.entries.push_back(std::move(entry));
      }
      state.entries.clear();
      on_done(std::move(state.result));
    }
  }
}

AudioFeaturesResult SpotifyClient::GetAudioFeatures(const std::vector<std::string>& ids,
                                                    CancelToken* cancel) {
  AudioFeaturesResult result;
  if (ids.empty()) return result;
  auto fetch = [this, &ids](size_t begin,
                            CancelToken* token) -> std::optional<std::vector<AudioFeatures>> {
    size_t end = std::min(ids.size(), begin + kFeaturesBatch);
    Reply reply = Get("/audio-features?ids=" + JoinIds(ids, begin, end), token);
    if (reply.status == 403) return std::nullopt;
    if (reply.status < 200 || reply.status > 299) {
      throw SpotifyApiError("Spotify answered " + std::to_string(reply.status) +
                                " to GET /audio-features" +
                                (reply.message.empty() ? "" : " (" + reply.message + ")"),
                            reply.status);
    }
    std::vector<AudioFeatures> features;
    const auto& list = reply.json.is_object() && reply.json.contains("audio_features")
                           ? reply.json["audio_features"]
                           : nlohmann::json();
    if (list.is_array()) {
      for (const auto& item : list) {
        if (auto parsed = ParseAudioFeatures(item)) features.push_back(std::move(*parsed));
      }
    }
    return features;
  };
  auto first = fetch(0, cancel);
  if (!first) {
    result.status = AudioFeaturesStatus::kForbidden;
    return result;
  }
  std::map<size_t, std::vector<AudioFeatures>> batches;
  batches[0] = std::move(*first);
  {
    Batch<std::optional<std::vector<AudioFeatures>>> batch(*pool_, cancel);
    for (size_t begin = kFeaturesBatch; begin < ids.size(); begin += kFeaturesBatch) {
      batch.Submit(static_cast<int64_t>(begin),
                   [&fetch, begin](CancelToken* token) { return fetch(begin, token); });
    }
    while (batch.pending() > 0) {
      auto [begin, features] = batch.Next();
      if (!features) {
        result.status = AudioFeaturesStatus::kForbidden;
        return {AudioFeaturesStatus::kForbidden, {}};
      }
      batches[static_cast<size_t>(begin)] = std::move(*features);
    }
  }
  for (auto& [begin, features] : batches) {
    for (auto& item : features) result.features.push_back(std::move(item));
  }
  return result;
}

std::vector<Track> SpotifyClient::GetTracks(const std::vector<std::string>& ids,
                                            CancelToken* cancel) {
  std::vector<Track> tracks;
  if (ids.empty()) return tracks;
  std::string market =
      config_.market.empty() ? "" : "&" + QueryString({{"market", config_.market}});
  auto parse_batch = [](const nlohmann::json& json) {
    std::vector<Track> out;
    if (json.is_object() && json.contains("tracks") && json["tracks"].is_array()) {
      for (const auto& item : json["tracks"]) {
        if (!item.is_object()) continue;
        Track track = ParseTrack(item);
        if (!track.id.empty()) out.push_back(std::move(track));
      }
    }
    return out;
  };
  auto fetch_batch = [&](size_t begin, CancelToken* token) -> std::optional<std::vector<Track>> {
    size_t end = std::min(ids.size(), begin + kTracksBatch);
    Reply reply = Get("/tracks?ids=" + JoinIds(ids, begin, end) + market, token);
    if (reply.status == 403 || reply.status == 404 || reply.status == 400) return std::nullopt;
    if (reply.status < 200 || reply.status > 299) {
      throw SpotifyApiError("Spotify answered " + std::to_string(reply.status) + " to GET /tracks",
                            reply.status);
    }
    return parse_batch(reply.json);
  };
  std::map<size_t, std::vector<Track>> results;
  if (batch_tracks_.load() != 0) {
    auto first = fetch_batch(0, cancel);
    if (first) {
      batch_tracks_ = 1;
      results[0] = std::move(*first);
      Batch<std::optional<std::vector<Track>>> batch(*pool_, cancel);
      for (size_t begin = kTracksBatch; begin < ids.size(); begin += kTracksBatch) {
        batch.Submit(static_cast<int64_t>(begin), [&fetch_batch, begin](CancelToken* token) {
          return fetch_batch(begin, token);
        });
      }
      while (batch.pending() > 0) {
        auto [begin, batch_tracks] = batch.Next();
        results[static_cast<size_t>(begin)] =
            batch_tracks ? std::move(*batch_tracks) : std::vector<Track>();
      }
      for (auto& [begin, list] : results) {
        for (auto& track : list) tracks.push_back(std::move(track));
      }
      return tracks;
    }
    batch_tracks_ = 0;  // development mode: no batch lookups; one by one from now on
  }
  auto fetch_one = [&](size_t index, CancelToken* token) -> std::vector<Track> {
    Reply reply = Get(
        "/tracks/" + EncodeComponent(ids[index]) + (market.empty() ? "" : "?" + market.substr(1)),
        token);
    if (reply.status == 404 || reply.status == 400) return {};
    if (reply.status < 200 || reply.status > 299) {
      throw SpotifyApiError(
          "Spotify answered " + std::to_string(reply.status) + " to GET /tracks/{id}",
          reply.status);
    }
    Track track = ParseTrack(reply.json);
    if (track.id.empty()) return {};
    return {std::move(track)};
  };
  Batch<std::vector<Track>> batch(*pool_, cancel);
  const int parallel = parallelism();
  size_t next = 0;
  while (next < ids.size() || batch.pending() > 0) {
    while (batch.running() < parallel && next < ids.size()) {
      size_t index = next++;
      batch.Submit(static_cast<int64_t>(index),
                   [&fetch_one, index](CancelToken* token) { return fetch_one(index, token); });
    }
    auto [index, found] = batch.Next();
    results[static_cast<size_t>(index)] = std::move(found);
  }
  for (auto& [index, list] : results) {
    for (auto& track : list) tracks.push_back(std::move(track));
  }
  return tracks;
}

}  // namespace spotify_extract
