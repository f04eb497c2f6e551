#include "extract/pipeline.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "extract/match_inputs.h"
#include "extract/mirror_inputs.h"
#include "http/errors.h"
#include "library/library_reader.h"
#include "match/overrides.h"

namespace spotify_extract {

namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

void ThrowIfCancelled(CancelToken* cancel) {
  if (cancel && cancel->IsCancelled()) throw CancelledError();
}

PlaylistEntry EntryOf(const SavedTrack& saved) {
  PlaylistEntry entry;
  entry.kind = saved.track.id.empty() ? EntryKind::kUnavailable : EntryKind::kTrack;
  entry.track = saved.track;
  entry.added_at = saved.added_at;
  return entry;
}

// Liked Songs and saved albums are both read newest first and kept incrementally; what
// differs between them is only where a page goes, so each names those parts here.
template <typename Item>
struct NewestFirstSource {
  std::string scope;  // of the fetch progress, which records the mode and next offset
  std::function<int()> stored_count;
  std::function<void(const PageOptions&, const PageCallback<Item>&)> fetch;
  std::function<bool(const std::vector<Item>&)> all_known;
  // Stages one page (committed with the progress, so a kill resumes after it).
  std::function<void(const std::string& mode, const Page<Item>& page, int next_offset)> stage;
  std::function<void(bool full)> commit;
  std::string full_pass_note;  // logged when an incremental pass was not enough
};

// A staged pass resumes where it stopped, in its own mode. Otherwise, while something is
// stored, reading stops at the first page that is entirely known (one request when nothing
// changed); when the stored count then disagrees with Spotify's total, something was
// removed further down, which only a full pass can see.
template <typename Item>
void FetchNewestFirst(StateStore& store, const NewestFirstSource<Item>& source,
                      const std::function<void(int64_t done, int64_t total)>& report,
                      const std::function<void(const std::string&)>& note) {
  for (int pass = 0; pass < 2; ++pass) {
    std::optional<FetchProgress> progress = store.snapshots().GetFetchProgress(source.scope);
    std::string mode;
    int start = 0;
    if (progress && (progress->version == "full" || progress->version == "incremental")) {
      mode = progress->version;
      start = std::max(0, progress->next_offset);
    } else {
      mode = source.stored_count() == 0 || pass == 1 ? "full" : "incremental";
    }
    const bool incremental = mode == "incremental";
    int total = -1;
    PageOptions page_options;
    page_options.start_offset = start;
    // Prefetching pages ahead would waste requests when the first page is all known.
    page_options.prefetch = incremental ? 0 : -1;
    report(start, 0);
    source.fetch(page_options, [&](Page<Item>&& page) {
      total = page.total;
      bool known = incremental && source.all_known(page.items);
      int next = page.offset + static_cast<int>(page.items.size());
      source.stage(mode, page, next);
      report(next, page.total);
      return known || page.items.empty() ? PageAction::kStop : PageAction::kContinue;
    });
    source.commit(!incremental);
    if (!incremental || total < 0 || source.stored_count() == total) return;
    note(source.full_pass_note);
  }
}

constexpr const char* kCooldownMetaPrefix = "phase_completed_at:";

// "90 s", "12 min", "3 h": a cooldown or an age, for the skip line.
std::string Duration(int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 2 * 3600) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds / 3600) + " h";
}

// Fetched playlists are stored a batch at a time, up to this many entries or seconds:
// one transaction per playlist wrote the tracks table's pages once per playlist (11x the
// database on a first run). A kill loses the batch in progress; the next run fetches it
// again.
constexpr size_t kEntriesPerCommit = 25000;
constexpr auto kCommitInterval = std::chrono::seconds(60);

constexpr int kMatchChunk = 2000;
constexpr int kFeatureChunk = 1000;
constexpr int kEnrichChunk = 50;
constexpr const char* kFeaturesRefusedKey = "audio_features_refused_at";

// How every phase opens library.db.
LibraryReadOptions LibraryRead(const PipelineOptions& options) {
  LibraryReadOptions read;
  read.music_dir = options.music_dir;
  read.busy_timeout = options.library_busy_timeout;
  return read;
}

}  // namespace

Pipeline::Pipeline(StateStore& store, SpotifyClient* client, PipelineOptions options,
                   ProgressFn progress, LogFn log)
    : store_(store),
      client_(client),
      options_(std::move(options)),
      progress_(std::move(progress)),
      log_(std::move(log)) {}

void Pipeline::Report(const std::string& phase, int64_t done, int64_t total,
                      const std::string& detail) {
  if (progress_) progress_(ProgressEvent{phase, done, total, detail});
}

void Pipeline::Log(LogLevel level, const std::string& message) {
  if (log_) log_(level, message);
}

Pipeline::LibraryMatcher Pipeline::BuildLibraryMatcher(CancelToken* cancel) const {
  // Streamed into the matcher's compact form: the items themselves are never held.
  GroupedLibrary library = ReadGroupedLibrary(options_.library_db, LibraryRead(options_),
                                              [cancel] { ThrowIfCancelled(cancel); });
  return {Matcher::Build(library, options_.match), library.size()};
}

PipelineResult Pipeline::Run(CancelToken* cancel) {
  // Before anything is fetched, matched, removed or queued (a count: the items themselves
  // are read when the match or mirror phase needs them).
  library_count_ = CountLibraryItems(options_.library_db, LibraryRead(options_));
  CheckLibrarySize(store_, options_.library_db, library_count_, options_.accept_library_size);
  // A library changed since the last match (or never matched) will be indexed whatever
  // the fetch brings: that starts now, on its own thread, beside the fetch or export.
  library_stamp_ = LibraryStamp(options_.library_db, options_.music_dir);
  if (store_.GetMeta(kMatchLibraryStampKey) != library_stamp_) {
    prebuilt_matcher_ =
        std::async(std::launch::async, [this, cancel] { return BuildLibraryMatcher(cancel); });
  }
  // However the run ends (an error before the match phase), the read ends with it: it
  // uses `cancel`, which the caller may destroy once Run returns.
  struct PrebuildJoin {
    std::future<LibraryMatcher>& future;
    ~PrebuildJoin() {
      if (future.valid()) future.wait();
    }
  } prebuild_join{prebuilt_matcher_};
  PipelineResult result;
  SnapshotRecord snapshot =
      store_.snapshots().Begin(options_.source, options_.dry_run, options_.resume_within);
  result.resumed = snapshot.resumed;
  if (snapshot.resumed) {
    Log(LogLevel::kInfo, "resuming the interrupted run of " + snapshot.started_at);
  }
  const int64_t id = snapshot.id;
  HttpStats before;
  if (client_) before = client_->stats().http;

  auto finish = [&](SnapshotStatus status, const std::string& error) {
    if (client_) {
      HttpStats after = client_->stats().http;
      result.requests = after.requests - before.requests;
      result.rate_limited = after.rate_limited - before.rate_limited;
      store_.snapshots().AddRequests(id, result.requests);
    }
    result.summary = store_.Summary();
    nlohmann::json counts = {{"tracks", result.summary.tracks},
                             {"matched", result.summary.matched},
                             {"review", result.summary.review},
                             {"missing", result.summary.missing},
                             {"matched_by_method", result.summary.matched_by_method},
                             {"playlists", result.summary.playlists},
                             {"not_shared", result.summary.playlists_not_shared},
                             {"liked", result.summary.liked},
                             {"wishlist_pending", result.summary.wishlist_pending},
                             {"requests", result.requests}};
    store_.snapshots().Finish(
        id, status, error, counts.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    result.status = status;
    result.error = error;
    result.snapshot = *store_.snapshots().Get(id);
    result.changes = store_.snapshots().Changes(id);
    result.notes = notes_;
    for (PlaylistRecord& playlist : store_.catalog().ListPlaylists()) {
      if (playlist.access == PlaylistAccess::kNotShared && playlist.entry_count == 0) {
        result.not_shared.push_back(playlist);
      } else if (playlist.access == PlaylistAccess::kUnavailable && playlist.entry_count == 0) {
        result.unavailable.push_back(playlist);
      }
    }
    if (library_read_) result.library_items = static_cast<int>(*library_read_);
  };

  // A fetch phase runs once per snapshot (a resumed run skips what is done).
  auto fetch_phase = [&](const char* name, auto&& body) {
    if (store_.snapshots().IsPhaseDone(id, name)) return;
    ThrowIfCancelled(cancel);
    store_.snapshots().SetPhase(id, name);
    SteadyClock::time_point start = SteadyClock::now();
    body();
    double seconds = SecondsSince(start);
    result.phase_seconds[name] = seconds;
    store_.snapshots().CompletePhase(id, name, seconds);
  };
  // A derived phase runs on every attempt (cheap, and the library may have changed).
  auto derived_phase = [&](const char* name, auto&& body) {
    ThrowIfCancelled(cancel);
    store_.snapshots().SetPhase(id, name);
    SteadyClock::time_point start = SteadyClock::now();
    body();
    double seconds = SecondsSince(start);
    result.phase_seconds[name] = seconds;
    store_.snapshots().CompletePhase(id, name, seconds);
  };

  try {
    if (client_) {
      // A phase within its cooldown is skipped; its completion time starts the next one.
      auto cooled_phase = [&](const char* cooldown, auto&& body) {
        if (CoolingDown(cooldown, result)) return;
        body();
        store_.SetMeta(kCooldownMetaPrefix + std::string(cooldown), UtcNow());
      };
      cooled_phase("profile", [&] { fetch_phase("profile", [&] { Profile(id, cancel); }); });
      cooled_phase("playlists", [&] {
        fetch_phase("playlists", [&] { Playlists(id, cancel); });
        fetch_phase("playlist_items", [&] { PlaylistItems(id, cancel); });
      });
      cooled_phase("liked", [&] { fetch_phase("liked", [&] { Liked(id, cancel); }); });
      cooled_phase("albums", [&] { fetch_phase("albums", [&] { Albums(id, cancel); }); });
      cooled_phase("artists", [&] { fetch_phase("artists", [&] { Artists(id, cancel); }); });
      if (options_.release_watch) {
        cooled_phase("releases",
                     [&] { fetch_phase("releases", [&] { Releases(result, cancel); }); });
      }
      if (!options_.artwork.kinds.empty() && options_.artwork.save && !options_.dry_run) {
        fetch_phase("artwork", [&] {
          result.artwork =
              SyncArtwork(store_, *client_, options_.artwork, cancel,
                          [&](int64_t done, int64_t total) { Report("artwork", done, total); });
        });
      }
    }
    if (options_.import_export) {
      fetch_phase("export", [&] {
        Report("export", 0, 0, "reading the data export");
        options_.import_export(id);
      });
    }
    if (client_) {
      // Only export rows lack what the API gives (an API track without an ISRC has none).
      if (options_.import_export) fetch_phase("enrich", [&] { Enrich(id, cancel); });
      if (options_.audio_features) {
        fetch_phase("audio_features", [&] { AudioFeaturesPhase(id, cancel); });
      }
    }
    derived_phase("match", [&] { Match(id, cancel); });
    if (options_.mirror) derived_phase("mirror", [&] { MirrorPhase(id, result); });
    derived_phase("wishlist", [&] {
      Report("wishlist", 0, 0);
      result.wishlist = store_.wishlist().Sync(id);
      Report("wishlist", 1, 1);
    });
  } catch (const CancelledError&) {
    Log(LogLevel::kInfo, "cancelled; the next run resumes where this one stopped");
    finish(SnapshotStatus::kCancelled, "cancelled");
    return result;
  } catch (const std::exception& error) {
    finish(SnapshotStatus::kError, error.what());
    throw;
  }
  finish(SnapshotStatus::kComplete, "");
  if (!options_.dry_run) RecordLibrarySize(store_, library_read_.value_or(library_count_));
  return result;
}

// --------------------------------------------------------------------------------------
// fetch phases

void Pipeline::Profile(int64_t /*snapshot*/, CancelToken* cancel) {
  Report("profile", 0, 1);
  UserProfile user = client_->GetCurrentUser(cancel);
  store_.catalog().SaveProfile(user);
  Report("profile", 1, 1, user.display_name.empty() ? user.id : user.display_name);
}

void Pipeline::Playlists(int64_t snapshot, CancelToken* cancel) {
  Report("playlists", 0, 0);
  // Always the whole list: a resumed listing by offset could miss a playlist and then
  // wrongly mark it removed. It costs one request per 50 playlists.
  std::vector<Playlist> playlists = client_->GetPlaylists(cancel);
  int total = static_cast<int>(playlists.size());
  store_.catalog().SavePlaylistPage(snapshot, playlists, 0, -1, total);
  std::vector<std::string> removed = store_.catalog().FinishPlaylistListing(snapshot);
  if (!removed.empty()) {
    Log(LogLevel::kInfo, std::to_string(removed.size()) + " playlist(s) gone from Spotify");
  }
  Report("playlists", total, total);
}

void Pipeline::PlaylistItems(int64_t snapshot, CancelToken* cancel) {
  std::vector<PlaylistRecord> needing = store_.catalog().PlaylistsNeedingEntries();
  const int64_t total = static_cast<int64_t>(needing.size());
  Report("playlist_items", 0, total);
  if (needing.empty()) return;
  std::unordered_map<std::string, const PlaylistRecord*> by_id;
  std::vector<PlaylistItemsRequest> requests;
  for (const PlaylistRecord& record : needing) {
    by_id[record.playlist.id] = &record;
    requests.push_back({record.playlist.id, record.playlist.total_entries});
  }
  int64_t done = 0;
  std::optional<StateStore::Batch> batch;
  size_t batched = 0;
  SteadyClock::time_point batch_start;
  client_->GetPlaylistsItems(
      requests,
      [&](PlaylistItemsResult&& fetched) {
        auto found = by_id.find(fetched.playlist_id);
        if (found == by_id.end()) return;
        if (!batch) {
          batch.emplace(store_);
          batch_start = SteadyClock::now();
        }
        const PlaylistRecord& record = *found->second;
        const std::string& version = record.playlist.snapshot_id;
        if (fetched.access == PlaylistAccess::kReadable) {
          store_.catalog().ReplacePlaylistEntries(snapshot, fetched.playlist_id, fetched.entries,
                                                  version);
        } else {
          store_.catalog().SetPlaylistAccess(snapshot, fetched.playlist_id, fetched.access,
                                             version);
        }
        batched += fetched.entries.size() + 1;
        if (batched >= kEntriesPerCommit || SteadyClock::now() - batch_start >= kCommitInterval) {
          batch->Commit();
          batch.reset();
          batched = 0;
        }
        Report("playlist_items", ++done, total, record.playlist.name);
      },
      cancel);
  if (batch) batch->Commit();
}

void Pipeline::Liked(int64_t snapshot, CancelToken* cancel) {
  NewestFirstSource<SavedTrack> source;
  source.scope = "liked";
  source.stored_count = [&] { return store_.saved().LikedCount(); };
  source.fetch = [&](const PageOptions& options, const PageCallback<SavedTrack>& on_page) {
    client_->GetSavedTracks(options, on_page, cancel);
  };
  source.all_known = [&](const std::vector<SavedTrack>& page) {
    return store_.saved().AllLikedKnown(page);
  };
  source.stage = [&](const std::string& mode, const Page<SavedTrack>& page, int next) {
    std::vector<PlaylistEntry> entries;
    entries.reserve(page.items.size());
    for (const SavedTrack& saved : page.items) entries.push_back(EntryOf(saved));
    store_.catalog().StageEntries("liked", mode, page.offset, entries, next, page.total);
  };
  source.commit = [&](bool full) { store_.saved().CommitLiked(snapshot, full); };
  source.full_pass_note = "Liked Songs changed beyond the newest page; reading them all";
  FetchNewestFirst(
      store_, source, [&](int64_t done, int64_t total) { Report("liked", done, total); },
      [&](const std::string& note) { Log(LogLevel::kInfo, note); });
}

void Pipeline::Albums(int64_t /*snapshot*/, CancelToken* cancel) {
  NewestFirstSource<SavedAlbum> source;
  source.scope = "albums";
  source.stored_count = [&] { return store_.saved().SavedAlbumCount(); };
  source.fetch = [&](const PageOptions& options, const PageCallback<SavedAlbum>& on_page) {
    client_->GetSavedAlbums(options, on_page, cancel);
  };
  source.all_known = [&](const std::vector<SavedAlbum>& page) {
    return store_.saved().AllAlbumsKnown(page);
  };
  source.stage = [&](const std::string& mode, const Page<SavedAlbum>& page, int next) {
    store_.saved().StageAlbums("albums", page.offset, page.items, next, page.total, mode);
  };
  source.commit = [&](bool full) { store_.saved().CommitAlbums("albums", full); };
  source.full_pass_note = "Saved albums changed beyond the newest page; reading them all";
  FetchNewestFirst(
      store_, source, [&](int64_t done, int64_t total) { Report("albums", done, total); },
      [&](const std::string& note) { Log(LogLevel::kInfo, note); });
}

void Pipeline::Artists(int64_t /*snapshot*/, CancelToken* cancel) {
  Report("artists", 0, 0);
  std::vector<Artist> artists = client_->GetFollowedArtists(cancel);
  int total = static_cast<int>(artists.size());
  store_.saved().StageArtists("artists", 0, artists, "", total);
  store_.saved().CommitArtists("artists");
  Report("artists", total, total);
}

bool Pipeline::CoolingDown(const std::string& phase, PipelineResult& result) {
  if (options_.ignore_cooldowns) return false;
  auto cooldown = options_.cooldowns.find(phase);
  if (cooldown == options_.cooldowns.end() || cooldown->second.count() <= 0) return false;
  std::optional<std::string> completed = store_.GetMeta(kCooldownMetaPrefix + phase);
  if (!completed) return false;
  const std::time_t at = ParseUtc(*completed);
  const int64_t age = static_cast<int64_t>(std::time(nullptr) - at);
  if (at == 0 || age < 0 || age >= cooldown->second.count()) return false;
  result.cooled_down.push_back(phase);
  Log(LogLevel::kInfo, phase + ": skipped, fetched " + Duration(age) + " ago (cooldown " +
                           Duration(cooldown->second.count()) +
                           "; --ignore-cooldowns fetches anyway)");
  return true;
}

void Pipeline::Releases(PipelineResult& result, CancelToken* cancel) {
  std::vector<WatchedArtist> artists = WatchedArtists(store_, false);
  result.releases = SyncReleases(store_, *client_, artists, options_.releases, cancel,
                                 [&](int64_t done, int64_t total, const std::string& artist) {
                                   Report("releases", done, total, artist);
                                 });
}

void Pipeline::Enrich(int64_t /*snapshot*/, CancelToken* cancel) {
  std::vector<std::string> ids = store_.catalog().TracksNeedingEnrichment();
  const int64_t total = static_cast<int64_t>(ids.size());
  Report("enrich", 0, total);
  for (size_t start = 0; start < ids.size(); start += kEnrichChunk) {
    ThrowIfCancelled(cancel);
    std::vector<std::string> chunk(ids.begin() + start,
                                   ids.begin() + std::min(ids.size(), start + kEnrichChunk));
    std::vector<Track> tracks = client_->GetTracks(chunk, cancel);
    store_.catalog().UpsertTracks(tracks);
    store_.catalog().MarkEnrichAttempted(chunk);
    Report("enrich", static_cast<int64_t>(start + chunk.size()), total);
  }
}

void Pipeline::AudioFeaturesPhase(int64_t /*snapshot*/, CancelToken* cancel) {
  if (auto refused = store_.GetMeta(kFeaturesRefusedKey)) {
    // Refused before (apps registered since November 2024): not asked again.
    return;
  }
  std::vector<std::string> ids = store_.saved().TracksWithoutAudioFeatures();
  const int64_t total = static_cast<int64_t>(ids.size());
  Report("audio_features", 0, total);
  for (size_t start = 0; start < ids.size(); start += kFeatureChunk) {
    ThrowIfCancelled(cancel);
    std::vector<std::string> chunk(ids.begin() + start,
                                   ids.begin() + std::min(ids.size(), start + kFeatureChunk));
    AudioFeaturesResult fetched = client_->GetAudioFeatures(chunk, cancel);
    if (fetched.status == AudioFeaturesStatus::kForbidden) {
      store_.SetMeta(kFeaturesRefusedKey, UtcNow());
      std::string note =
          "audio features: Spotify refuses them to apps registered since November 2024; "
          "skipped (and not asked again)";
      notes_.push_back(note);
      return;
    }
    std::unordered_map<std::string, bool> found;
    for (const AudioFeatures& features : fetched.features) found[features.track_id] = true;
    std::vector<std::string> missing;
    for (const std::string& id : chunk) {
      if (!found.contains(id)) missing.push_back(id);
    }
    store_.saved().SaveAudioFeatures(fetched.features, missing);
    Report("audio_features", static_cast<int64_t>(start + chunk.size()), total);
  }
}

// --------------------------------------------------------------------------------------
// derived phases

void Pipeline::Match(int64_t snapshot, CancelToken* cancel) {
  std::vector<Track> tracks = store_.catalog().WantedTracks();
  std::vector<Override> overrides = store_.matches().ListOverrides();
  const int64_t total = static_cast<int64_t>(tracks.size());
  const std::string inputs = MatchInputsDigest(library_stamp_, options_.match, tracks, overrides);
  if (store_.GetMeta(kMatchInputsKey) == inputs) {
    Log(LogLevel::kDebug, "the library and the tracks are as at the last match: matches kept");
    Report("match", total, total);
    return;
  }
  Report("match", 0, 0, "reading the beets library");
  LibraryMatcher built =
      prebuilt_matcher_.valid() ? prebuilt_matcher_.get() : BuildLibraryMatcher(cancel);
  library_read_ = built.items;
  // Again on what was read (the file may have changed since the run began), before
  // anything is matched, written or queued from it.
  CheckLibrarySize(store_, options_.library_db, built.items, options_.accept_library_size);
  Matcher& matcher = built.matcher;
  matcher.SetOverrides(OverridesFromStore(overrides));
  Report("match", 0, total);
  std::vector<MatchRecord> records;
  records.reserve(tracks.size());
  for (size_t start = 0; start < tracks.size(); start += kMatchChunk) {
    ThrowIfCancelled(cancel);
    std::vector<Track> chunk(tracks.begin() + start,
                             tracks.begin() + std::min(tracks.size(), start + kMatchChunk));
    for (MatchResult& match : matcher.MatchAll(chunk)) {
      MatchRecord record;
      record.spotify_track_id = match.track_id;
      record.method = match.method;
      record.confidence = match.confidence;
      record.overridden = match.method == MatchMethod::kOverride;
      nlohmann::json runners = nlohmann::json::array();
      if (match.status == MatchStatus::kReview && match.item_id) {
        runners.push_back({{"item_id", match.item_id}, {"confidence", match.confidence}});
      }
      for (const MatchCandidate& candidate : match.runners_up) {
        runners.push_back({{"item_id", candidate.item_id}, {"confidence", candidate.score}});
      }
      record.runners_up_json = runners.dump();
      if (match.status == MatchStatus::kMatched) {
        record.item_id = match.item_id;
        record.status = MatchStatus::kMatched;
      } else {
        record.item_id = 0;
        record.status = match.status;
      }
      records.push_back(std::move(record));
    }
    Report("match", static_cast<int64_t>(start + chunk.size()), total);
  }
  store_.matches().Save(snapshot, records);
  store_.SetMeta(kMatchInputsKey, inputs);
  store_.SetMeta(kMatchLibraryStampKey, library_stamp_);
}

std::vector<StoredMirrorPlaylist> ReadMirrorSources(StateStore& store, bool liked_songs_playlist) {
  std::map<std::string, MatchRecord> matches = store.matches().All();

  auto to_entries = [&](const std::vector<StoredEntry>& stored) {
    std::vector<StoredMirrorEntry> entries;
    entries.reserve(stored.size());
    for (const StoredEntry& entry : stored) {
      const Track& track = entry.track;
      if (entry.kind != EntryKind::kTrack || track.id.empty()) {
        if (entry.kind == EntryKind::kLocalFile) {
          entries.push_back({0, JoinArtists(track.artists), track.name, ""});
        }
        continue;
      }
      auto match = matches.find(track.id);
      int64_t item_id = match != matches.end() ? match->second.item_id : 0;
      entries.push_back(
          {item_id, JoinArtists(track.artists), track.name, "spotify:track:" + track.id});
    }
    return entries;
  };

  // Every live playlist, also one with no entry now: the mirror keeps its file (only a
  // playlist gone from Spotify loses it).
  std::vector<StoredMirrorPlaylist> playlists;
  for (const PlaylistRecord& record : store.catalog().ListPlaylists()) {
    playlists.push_back({record.playlist.id, record.playlist.name,
                         to_entries(store.catalog().PlaylistEntries(record.playlist.id))});
  }
  if (liked_songs_playlist) {
    playlists.push_back({kLikedSongsId, kLikedSongsName, to_entries(store.saved().LikedEntries())});
  }
  return playlists;
}

std::vector<MirrorPlaylist> ResolveMirrorPlaylists(const std::vector<StoredMirrorPlaylist>& stored,
                                                   const LibraryItems& items) {
  std::vector<MirrorPlaylist> playlists;
  playlists.reserve(stored.size());
  for (const StoredMirrorPlaylist& source : stored) {
    MirrorPlaylist playlist;
    playlist.spotify_id = source.spotify_id;
    playlist.name = source.name;
    playlist.entries.reserve(source.entries.size());
    for (const StoredMirrorEntry& entry : source.entries) {
      int64_t found = entry.item_id ? items.Find(entry.item_id) : -1;
      if (found >= 0) {
        LibraryItemView item = items[static_cast<size_t>(found)];
        playlist.entries.push_back(MirrorEntry::Matched(std::string(item.path), item.length,
                                                        std::string(item.artist),
                                                        std::string(item.title), entry.uri));
      } else {
        playlist.entries.push_back(MirrorEntry::Missing(entry.artist, entry.title, entry.uri));
      }
    }
    playlists.push_back(std::move(playlist));
  }
  return playlists;
}

namespace {

// The items the playlists hold, read by id: a mirror needs a few thousand of them, not
// the whole library.
LibraryItems ReadMirroredItems(const std::string& library_db,
                               const std::vector<StoredMirrorPlaylist>& playlists,
                               LibraryReadOptions read) {
  for (const StoredMirrorPlaylist& playlist : playlists) {
    for (const StoredMirrorEntry& entry : playlist.entries) {
      if (entry.item_id) read.only_ids.push_back(entry.item_id);
    }
  }
  if (read.only_ids.empty()) return {};  // (no ids would read every item)
  std::sort(read.only_ids.begin(), read.only_ids.end());
  read.only_ids.erase(std::unique(read.only_ids.begin(), read.only_ids.end()), read.only_ids.end());
  return ReadLibrary(library_db, read);
}

std::vector<OwnedFile> OwnedFrom(StateStore& store) {
  std::vector<OwnedFile> owned;
  for (const MirroredFile& file : store.mirrored_files().All()) {
    owned.push_back({file.playlist_id, file.path, file.content_hash});
  }
  return owned;
}

void RecordOwned(StateStore& store, const std::vector<OwnedFile>& owned) {
  std::vector<MirroredFile> files;
  files.reserve(owned.size());
  for (const OwnedFile& file : owned) {
    files.push_back({file.path, file.spotify_id, file.content_hash, ""});
  }
  store.mirrored_files().Replace(files);
}

MirrorResult MirrorWith(StateStore& store, std::vector<MirrorPlaylist> playlists,
                        const PipelineOptions& options) {
  MirrorOptions mirror_options = options.mirror_options;
  mirror_options.dry_run = mirror_options.dry_run || options.dry_run;
  try {
    MirrorResult result = Mirror(playlists, OwnedFrom(store), mirror_options);
    if (!mirror_options.dry_run) RecordOwned(store, result.owned);
    return result;
  } catch (const MirrorError& error) {
    if (!mirror_options.dry_run) RecordOwned(store, error.owned());
    throw;
  }
}

}  // namespace

void Pipeline::MirrorPhase(int64_t /*snapshot*/, PipelineResult& result) {
  Report("mirror", 0, 0);
  std::vector<StoredMirrorPlaylist> sources =
      ReadMirrorSources(store_, options_.liked_songs_playlist);
  const bool dry_run = options_.dry_run || options_.mirror_options.dry_run;
  std::string digest;
  if (!dry_run) {
    digest = MirrorInputsDigest(store_.GetMeta(kMatchInputsKey).value_or(""),
                                options_.mirror_options, sources);
    if (std::optional<MirrorResult> unchanged = UnchangedMirror(store_, digest)) {
      Log(LogLevel::kDebug, "the playlists, matches and library are as at the last mirror");
      result.mirror = std::move(unchanged);
      int64_t count = static_cast<int64_t>(result.mirror->playlists.size());
      Report("mirror", count, count);
      return;
    }
    ForgetMirror(store_);
  }
  LibraryItems items = ReadMirroredItems(options_.library_db, sources, LibraryRead(options_));
  result.mirror = MirrorWith(store_, ResolveMirrorPlaylists(sources, items), options_);
  if (!dry_run) RecordMirror(store_, digest, *result.mirror);
  int64_t count = static_cast<int64_t>(result.mirror->playlists.size());
  Report("mirror", count, count);
}

MirrorResult Pipeline::MirrorFromStore(StateStore& store, const PipelineOptions& options) {
  const LibraryReadOptions read = LibraryRead(options);
  if (!options.accept_library_size) {
    CheckLibraryNotShrunk(store, options.library_db, CountLibraryItems(options.library_db, read));
  }
  if (!options.dry_run) ForgetMirror(store);  // the files change under the recorded digest
  std::vector<StoredMirrorPlaylist> sources =
      ReadMirrorSources(store, options.liked_songs_playlist);
  LibraryItems items = ReadMirroredItems(options.library_db, sources, read);
  return MirrorWith(store, ResolveMirrorPlaylists(sources, items), options);
}

}  // namespace spotify_extract
