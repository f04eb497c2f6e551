// The playlist file-name sanitiser: any bytes a Spotify playlist name can hold must give a
// file name that stays inside the playlist folder, is valid UTF-8, fits the byte cap and
// is never empty; the m3u line cleaner never lets a line break through.
//
// Input: the playlist name, then (from the end) the byte cap and the disambiguation attempt.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "playlist/file_name.h"
#include "playlist/mirror.h"

namespace se = spotify_extract;

namespace {

void CheckFileName(const std::string& name) {
  FUZZ_CHECK(!name.empty());
  FUZZ_CHECK(name != "." && name != "..");
  FUZZ_CHECK(name.find('/') == std::string::npos);
  FUZZ_CHECK(name.find('\\') == std::string::npos);
  FUZZ_CHECK(name.find('\0') == std::string::npos);
  FUZZ_CHECK(name.front() != '.');
  FUZZ_CHECK(se::IsValidUtf8(name));
  for (unsigned char c : name) FUZZ_CHECK(c >= 0x20 && c != 0x7F);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  const size_t max_bytes = provider.ConsumeIntegralInRange<size_t>(8, 260);
  const int attempt = provider.ConsumeIntegralInRange<int>(0, 2);
  // Ids come from Spotify too: a few hostile ones beside a real one.
  static const char* const kIds[] = {
      "37i9dQZF1DXcBWIGoYBM5M", "", "../../etc", "a/b\\c", "..", "\xff\xfe", "CON", "liked"};
  const std::string id = kIds[provider.ConsumeIntegralInRange<size_t>(0, 7)];
  const std::string name = provider.ConsumeRemainingBytesAsString();

  const std::string stem = se::SanitizeFileStem(name, max_bytes);
  CheckFileName(stem);
  FUZZ_CHECK(stem.size() <= max_bytes);
  FUZZ_CHECK(stem.back() != '.' && stem.back() != ' ');
  // Sanitising a sanitised stem changes nothing (names stay stable from run to run).
  FUZZ_CHECK(se::SanitizeFileStem(stem, max_bytes) == stem);

  se::MirrorPlaylist playlist;
  playlist.spotify_id = id;
  playlist.name = name;
  se::MirrorOptions options;
  options.max_name_bytes = max_bytes;
  const std::string file_name = se::PlaylistFileName(playlist, options, attempt);
  CheckFileName(file_name);
  FUZZ_CHECK(file_name.ends_with(".m3u"));

  // A hostile template (from config) is sanitised too.
  const std::string expanded = se::ExpandNameTemplate(name, "My \"Mix\"", id);
  CheckFileName(se::SanitizeFileStem(expanded, max_bytes));

  const std::string key = se::FileNameKey(name);
  FUZZ_CHECK(se::IsValidUtf8(key));

  const std::string line = se::CleanLineText(name);
  FUZZ_CHECK(se::IsValidUtf8(line));
  FUZZ_CHECK(line.find('\n') == std::string::npos);
  FUZZ_CHECK(line.find('\r') == std::string::npos);
  FUZZ_CHECK(line.find('\0') == std::string::npos);
  return 0;
}
