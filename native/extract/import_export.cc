#include "extract/import_export.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>
#include <utf8proc.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <map>
#include <unordered_map>

namespace spotify_extract {

namespace {

std::string Sha1Prefix(std::string_view text) {
  Poco::SHA1Engine engine;
  engine.update(text.data(), static_cast<unsigned>(text.size()));
  return Poco::DigestEngine::digestToHex(engine.digest()).substr(0, 16);
}

// The key an export playlist is matched to an API playlist by: its name key, or the exact
// name (NFC, case folded) when that key is empty (all emoji or punctuation: "🔥" is not "💔").
std::string ApiMatchKey(const std::string& name) {
  std::string key = NameKey(name);
  if (!key.empty()) return key;
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t length = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
      static_cast<utf8proc_ssize_t>(name.size()), &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (length < 0) return "=" + name;
  std::string folded(reinterpret_cast<char*>(mapped), static_cast<size_t>(length));
  std::free(mapped);
  return "=" + folded;
}

std::string FormatUtcMinutes(double seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &parts);
  return text;
}

// The shortest text that reads back as the same number (as Python's repr writes it).
std::string ShortestDouble(double value) {
  char text[64];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  std::string out(text, end);
  if (out.find_first_of(".en") == std::string::npos) out += ".0";
  return out;
}

// Without a login: the export's date, Liked Songs and saved albums.
void ImportSavedLibrary(StateStore& store, int64_t snapshot, const ExportData& data,
                        ImportReport& report);

double RecordedExportDate(StateStore& store) {
  std::optional<std::string> recorded = store.GetMeta(kExportDateKey);
  if (!recorded || recorded->empty()) return 0;
  char* end = nullptr;
  double value = std::strtod(recorded->c_str(), &end);
  return end == recorded->c_str() + recorded->size() ? value : 0;
}

}  // namespace

std::string ExportPlaylistId(const std::string& name, int occurrence) {
  std::string key = NameKey(name);
  if (occurrence != 1) key += "#" + std::to_string(occurrence);
  return "export:" + Sha1Prefix(key);
}

std::string ExportEntriesVersion(const std::vector<PlaylistEntry>& entries) {
  // Every field, each ended by a byte no text holds, so that no two entry lists meet.
  std::string fields;
  auto add = [&](std::string_view text) {
    fields.append(text);
    fields += '\x1F';
  };
  for (const PlaylistEntry& entry : entries) {
    const Track& track = entry.track;
    add(EntryKindName(entry.kind));
    add(track.id);
    add(track.name);
    for (const ArtistRef& artist : track.artists) add(artist.name);
    fields += '\x1E';
    add(track.album_name);
    for (const ArtistRef& artist : track.album_artists) add(artist.name);
    fields += '\x1E';
    add(track.isrc);
    add(std::to_string(track.duration_ms));
    add(entry.added_at);
    add(entry.added_by);
    fields += '\x1D';
  }
  return "export:" + Sha1Prefix(fields);
}

void CheckExportIsNewest(StateStore& store, const ExportData& data) {
  if (!data.complete) return;
  double newest = RecordedExportDate(store);
  if (data.made_at < newest) {
    throw ExportError("this export (" + FormatUtcMinutes(data.made_at) +
                      ") is older than the one read before (" + FormatUtcMinutes(newest) +
                      "); it would bring back deleted or renamed playlists. "
                      "Pass the newest export");
  }
}

ImportReport ImportExport(StateStore& store, int64_t snapshot, const ExportData& data,
                          bool with_api) {
  // One transaction: each page the import touches is written once, not once per playlist.
  StateStore::Batch batch(store);
  CatalogStore& catalog = store.catalog();
  ImportReport report;
  report.files = data.files;
  std::vector<PlaylistRecord> records = catalog.ListPlaylists();
  std::unordered_map<std::string, const PlaylistRecord*> api_by_name;
  std::unordered_map<std::string, std::string> stored_versions;
  for (const PlaylistRecord& record : records) {
    if (record.source == PlaylistSource::kApi) {
      api_by_name.emplace(ApiMatchKey(record.playlist.name), &record);
    }
    stored_versions[record.playlist.id] = record.fetched_snapshot_id;
  }
  std::unordered_map<std::string, int> occurrences;
  for (const ExportPlaylist& playlist : data.playlists) {
    if (with_api) {
      auto found = api_by_name.find(ApiMatchKey(playlist.name));
      if (found == api_by_name.end()) {
        report.not_on_spotify.push_back(playlist.name);
        continue;
      }
      const PlaylistRecord& api = *found->second;
      if (api.access == PlaylistAccess::kReadable &&
          api.fetched_snapshot_id == api.playlist.snapshot_id) {
        ++report.skipped;  // the API gave these entries, fresher than the export
      } else {
        catalog.ReplacePlaylistEntries(snapshot, api.playlist.id, playlist.entries,
                                       ExportEntriesVersion(playlist.entries));
        ++report.filled;
      }
      continue;
    }
    int occurrence = ++occurrences[NameKey(playlist.name)];
    Playlist stored;
    stored.id = ExportPlaylistId(playlist.name, occurrence);
    stored.name = playlist.name;
    stored.description = playlist.description;
    stored.total_entries = static_cast<int>(playlist.entries.size());
    catalog.UpsertExportPlaylist(snapshot, stored);
    // Entries equal to those stored (the same export read again) are not written again.
    std::string version = ExportEntriesVersion(playlist.entries);
    auto known = stored_versions.find(stored.id);
    if (known == stored_versions.end() || known->second != version) {
      catalog.ReplacePlaylistEntries(snapshot, stored.id, playlist.entries, version);
    }
    ++report.playlists;
  }
  if (with_api || data.complete) {
    report.removed =
        static_cast<int>(catalog.FinishPlaylistListing(snapshot, PlaylistSource::kExport).size());
  }
  if (!with_api) ImportSavedLibrary(store, snapshot, data, report);
  batch.Commit();
  return report;
}

namespace {

void ImportSavedLibrary(StateStore& store, int64_t snapshot, const ExportData& data,
                        ImportReport& report) {
  if (data.complete) store.SetMeta(kExportDateKey, ShortestDouble(std::max(data.made_at, 0.0)));
  if (data.liked) {
    const std::vector<PlaylistEntry>& liked = *data.liked;
    const int count = static_cast<int>(liked.size());
    store.snapshots().ClearFetchProgress("liked");
    store.catalog().StageEntries("liked", "full", 0, liked, -1, count);
    store.saved().CommitLiked(snapshot, true);
    report.liked = count;
  }
  if (data.albums) {
    const int count = static_cast<int>(data.albums->size());
    store.saved().StageAlbums("albums", 0, *data.albums, -1, count, "full");
    store.saved().CommitAlbums("albums", true);
    report.albums = count;
  }
}

}  // namespace

}  // namespace spotify_extract
