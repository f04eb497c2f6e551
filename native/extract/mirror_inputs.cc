#include "extract/mirror_inputs.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

namespace spotify_extract {

using json = nlohmann::json;

namespace {

void Append(Poco::SHA1Engine& engine, std::string_view field) {
  engine.update(field.data(), static_cast<unsigned>(field.size()));
  engine.update('\0');
}

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// The content hash of a file as the mirror computes it; "" when it cannot be read.
std::string FileContentHash(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return "";
  std::string content((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  return ContentHash(content);
}

json StatsJson(const RenderStats& stats) {
  return {stats.entries, stats.missing, stats.skipped_non_utf8, stats.skipped_outside_library,
          stats.skipped_unrepresentable};
}

RenderStats StatsFrom(const json& value) {
  RenderStats stats;
  if (value.is_array() && value.size() == 5) {
    stats.entries = value[0].get<int>();
    stats.missing = value[1].get<int>();
    stats.skipped_non_utf8 = value[2].get<int>();
    stats.skipped_outside_library = value[3].get<int>();
    stats.skipped_unrepresentable = value[4].get<int>();
  }
  return stats;
}

}  // namespace

std::string MirrorInputsDigest(const std::string& match_inputs, const MirrorOptions& options,
                               const std::vector<StoredMirrorPlaylist>& playlists) {
  Poco::SHA1Engine engine;
  Append(engine, match_inputs);
  Append(engine, options.playlist_dir);
  Append(engine, options.library_root);
  Append(engine, RelativeToName(options.style.relative_to));
  Append(engine, options.style.path_prefix);
  Append(engine, options.style.forward_slash ? "/" : "\\");
  Append(engine, options.style.extension);
  Append(engine, options.name_template);
  Append(engine, options.missing_comments ? "comments" : "");
  Append(engine, std::to_string(static_cast<int>(options.non_utf8)));
  Append(engine, std::to_string(options.max_name_bytes));
  for (const StoredMirrorPlaylist& playlist : playlists) {
    Append(engine, "playlist");
    Append(engine, playlist.spotify_id);
    Append(engine, playlist.name);
    for (const StoredMirrorEntry& entry : playlist.entries) {
      Append(engine, std::to_string(entry.item_id));
      Append(engine, entry.artist);
      Append(engine, entry.title);
      Append(engine, entry.uri);
    }
  }
  return Poco::DigestEngine::digestToHex(engine.digest());
}

std::optional<MirrorResult> UnchangedMirror(StateStore& store, const std::string& digest) {
  if (store.GetMeta(kMirrorInputsKey) != digest) return std::nullopt;
  std::optional<std::string> recorded = store.GetMeta(kMirrorResultKey);
  if (!recorded) return std::nullopt;
  json last = json::parse(*recorded, nullptr, /*allow_exceptions=*/false);
  if (!last.is_object() || !last.contains("playlists") || !last["playlists"].is_array()) {
    return std::nullopt;
  }
  MirrorResult result;
  for (const MirroredFile& file : store.mirrored_files().All()) {
    // Deleted or edited since: the mirror decides what to do about it.
    if (FileContentHash(file.path) != file.content_hash) return std::nullopt;
    result.owned.push_back({file.playlist_id, file.path, file.content_hash});
  }
  for (const json& item : last["playlists"]) {
    if (!item.is_array() || item.size() != 6) return std::nullopt;
    PlaylistOutcome outcome;
    outcome.spotify_id = item[0].get<std::string>();
    outcome.name = item[1].get<std::string>();
    outcome.path = Unhex(item[2].get<std::string>());
    outcome.status = static_cast<MirrorStatus>(item[3].get<int>());
    outcome.stats = StatsFrom(item[4]);
    outcome.message = item[5].get<std::string>();
    if (outcome.status == MirrorStatus::kWritten) outcome.status = MirrorStatus::kUnchanged;
    if (outcome.status == MirrorStatus::kUnchanged) ++result.unchanged;
    if (outcome.status == MirrorStatus::kKept) ++result.kept;
    if (outcome.status == MirrorStatus::kSkipped) ++result.skipped;
    result.playlists.push_back(std::move(outcome));
  }
  return result;
}

void ForgetMirror(StateStore& store) { store.DeleteMeta(kMirrorInputsKey); }

void RecordMirror(StateStore& store, const std::string& digest, const MirrorResult& result) {
  // A foreign file in the way depends on the folder, not on the inputs: mirror again.
  if (!result.warnings.empty()) return;
  json playlists = json::array();
  for (const PlaylistOutcome& outcome : result.playlists) {
    playlists.push_back({outcome.spotify_id, outcome.name, Hex(outcome.path),
                         static_cast<int>(outcome.status), StatsJson(outcome.stats),
                         outcome.message});
  }
  json last = {{"playlists", std::move(playlists)}};
  store.SetMeta(kMirrorResultKey, last.dump(-1, ' ', false, json::error_handler_t::replace));
  store.SetMeta(kMirrorInputsKey, digest);
}

}  // namespace spotify_extract
