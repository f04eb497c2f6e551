// Loads a whole beets library.db with the native reader (benchmarks/library_bench.py runs
// this on the cached 500k-item sample library and compares it with beets' lib.items()).
//
//   SPOTIFY_EXTRACT_LIBRARY_DB=.../library.db SPOTIFY_EXTRACT_MUSIC_DIR=.../music
//   build/bench/benchmarks/library_reader_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "library/library_reader.h"

namespace spotify_extract {
namespace {

// This process's own peak RSS (VmHWM). getrusage's ru_maxrss would also count the
// parent's RSS at fork time (it survives exec), wrong when a big Python spawns us.
double PeakRssMegabytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return 0.0;
}

// The library.db named by the environment (benchmarks/library_bench.py sets it), and its
// music directory into `options`; nullptr, with the run marked skipped, when unset.
const char* LibraryFromEnv(benchmark::State& state, LibraryReadOptions& options) {
  const char* db_path = std::getenv("SPOTIFY_EXTRACT_LIBRARY_DB");
  if (db_path == nullptr) {
    state.SkipWithError("set SPOTIFY_EXTRACT_LIBRARY_DB (benchmarks/library_bench.py does)");
    return nullptr;
  }
  if (const char* music_dir = std::getenv("SPOTIFY_EXTRACT_MUSIC_DIR")) {
    options.music_dir = music_dir;
  }
  return db_path;
}

void BM_ReadLibrary(benchmark::State& state) {
  LibraryReadOptions options;
  const char* db_path = LibraryFromEnv(state, options);
  if (db_path == nullptr) return;
  size_t items = 0;
  size_t bytes = 0;
  size_t held = 0;
  for (auto _ : state) {
    LibraryItems library = ReadLibrary(db_path, options);
    items = library.size();
    held = library.MemoryBytes();
    bytes = 0;
    for (LibraryItemView item : library) {  // touch what the matcher reads
      bytes += item.path.size() + item.title.size() + item.artist.size() + item.album.size() +
               item.artists.size() + item.isrc.size() + item.spotify_track_id.size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["items"] = static_cast<double>(items);
  state.counters["items_per_second"] =
      benchmark::Counter(static_cast<double>(items), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_mb"] = PeakRssMegabytes();
  state.counters["held_mb"] = static_cast<double>(held) / (1024.0 * 1024.0);  // the container
}
BENCHMARK(BM_ReadLibrary)->Unit(benchmark::kMillisecond)->Iterations(3);

// The streaming form: every item seen once, nothing kept.
void BM_StreamLibrary(benchmark::State& state) {
  LibraryReadOptions options;
  const char* db_path = LibraryFromEnv(state, options);
  if (db_path == nullptr) return;
  size_t items = 0;
  for (auto _ : state) {
    size_t bytes = 0;
    items = ForEachLibraryItem(db_path, options, [&bytes](LibraryItem& item) {
      bytes += item.path.size() + item.title.size() + item.artist.size() + item.album.size() +
               item.artists.size() + item.isrc.size() + item.spotify_track_id.size();
    });
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["items"] = static_cast<double>(items);
  state.counters["items_per_second"] =
      benchmark::Counter(static_cast<double>(items), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_mb"] = PeakRssMegabytes();
}
BENCHMARK(BM_StreamLibrary)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace spotify_extract

BENCHMARK_MAIN();
