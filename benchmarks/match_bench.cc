// Matching speed: Spotify tracks against a beets library.db (read, index, match).
//
// Data comes from benchmarks/match_bench.py (`speed`), which sets
//   MATCH_BENCH_DB         the library.db
//   MATCH_BENCH_TRACKS     a JSON list of tracks {id, name, artists, album, isrc, duration_ms}
//   MATCH_BENCH_MUSIC_DIR  beets' music directory (relative paths join it)
//   MATCH_BENCH_THREADS    threads for Build and MatchAll (default 2)
// and runs each benchmark in its own process so peak RSS belongs to that phase.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "library/library_reader.h"
#include "match/matcher.h"

namespace spotify_extract {
namespace {

std::string Env(const char* name, const char* fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

// VmHWM, not getrusage's ru_maxrss: Linux keeps ru_maxrss across execve, so a child of
// a big Python driver would report the driver's peak.
double PeakRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0.0;
}

// CPU seconds of the whole process (all threads): less sensitive to a busy machine
// than wall time; on an idle machine wall ~= cpu / threads for the parallel phases.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<Track> LoadTracks(const std::string& path) {
  std::ifstream in(path);
  nlohmann::json data = nlohmann::json::parse(in);
  std::vector<Track> tracks;
  tracks.reserve(data.size());
  for (const auto& j : data) {
    Track track;
    track.id = j.value("id", "");
    track.name = j.value("name", "");
    for (const auto& name : j.value("artists", std::vector<std::string>{})) {
      track.artists.push_back({"", name});
    }
    track.album_name = j.value("album", "");
    track.isrc = j.value("isrc", "");
    track.duration_ms = j.value("duration_ms", 0);
    tracks.push_back(std::move(track));
  }
  return tracks;
}

bool HaveData(benchmark::State& state) {
  if (Env("MATCH_BENCH_DB").empty() || Env("MATCH_BENCH_TRACKS").empty()) {
    state.SkipWithError("set MATCH_BENCH_DB and MATCH_BENCH_TRACKS (benchmarks/match_bench.py)");
    return false;
  }
  return true;
}

LibraryReadOptions ReadOptions() {
  LibraryReadOptions options;
  options.music_dir = Env("MATCH_BENCH_MUSIC_DIR");
  return options;
}

MatchOptions Options() {
  MatchOptions options;
  options.threads = std::atoi(Env("MATCH_BENCH_THREADS", "2").c_str());
  return options;
}

void Report(benchmark::State& state, const std::vector<MatchResult>& results) {
  size_t matched = 0;
  for (const auto& result : results) matched += result.status == MatchStatus::kMatched;
  state.counters["tracks"] = static_cast<double>(results.size());
  state.counters["matched"] = static_cast<double>(matched);
  state.counters["peak_rss_mb"] = PeakRssMb();
}

// Reading library.db alone.
void BM_ReadLibrary(benchmark::State& state) {
  if (!HaveData(state)) return;
  size_t count = 0;
  double cpu = CpuSeconds();
  for (auto _ : state) {
    LibraryItems items = ReadLibrary(Env("MATCH_BENCH_DB"), ReadOptions());
    count = items.size();
    benchmark::DoNotOptimize(count);
  }
  state.counters["items"] = static_cast<double>(count);
  state.counters["cpu_s"] = CpuSeconds() - cpu;
  state.counters["peak_rss_mb"] = PeakRssMb();
}
BENCHMARK(BM_ReadLibrary)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

// Index build and MatchAll, the library already read (and kept, as a run keeps it for
// the playlists).
void BM_BuildAndMatch(benchmark::State& state) {
  if (!HaveData(state)) return;
  std::vector<Track> tracks = LoadTracks(Env("MATCH_BENCH_TRACKS"));
  LibraryItems items = ReadLibrary(Env("MATCH_BENCH_DB"), ReadOptions());
  std::vector<MatchResult> results;
  double build_s = 0, match_s = 0;
  double cpu = CpuSeconds();
  state.counters["peak_rss_before_build_mb"] = PeakRssMb();  // items and tracks
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    Matcher matcher = Matcher::Build(items, Options());
    build_s = Since(start);
    state.counters["peak_rss_after_build_mb"] = PeakRssMb();
    start = std::chrono::steady_clock::now();
    results = matcher.MatchAll(tracks);
    match_s = Since(start);
  }
  state.counters["build_s"] = build_s;
  state.counters["match_s"] = match_s;
  state.counters["cpu_s"] = CpuSeconds() - cpu;
  Report(state, results);
}
BENCHMARK(BM_BuildAndMatch)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

// Reading library.db as the matcher does: streamed, grouped, nothing else kept.
void BM_ReadGroupedLibrary(benchmark::State& state) {
  if (!HaveData(state)) return;
  size_t count = 0;
  double cpu = CpuSeconds();
  for (auto _ : state) {
    GroupedLibrary library = ReadGroupedLibrary(Env("MATCH_BENCH_DB"), ReadOptions());
    count = library.size();
    benchmark::DoNotOptimize(count);
  }
  state.counters["items"] = static_cast<double>(count);
  state.counters["cpu_s"] = CpuSeconds() - cpu;
  state.counters["peak_rss_mb"] = PeakRssMb();
}
BENCHMARK(BM_ReadGroupedLibrary)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

// Everything a run does: stream library.db into the matcher's groups, build the index,
// match every track.
void BM_EndToEnd(benchmark::State& state) {
  if (!HaveData(state)) return;
  std::vector<Track> tracks = LoadTracks(Env("MATCH_BENCH_TRACKS"));
  std::vector<MatchResult> results;
  double read_s = 0, build_s = 0, match_s = 0;
  double cpu = CpuSeconds();
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    GroupedLibrary library = ReadGroupedLibrary(Env("MATCH_BENCH_DB"), ReadOptions());
    read_s = Since(start);
    start = std::chrono::steady_clock::now();
    Matcher matcher = Matcher::Build(library, Options());
    build_s = Since(start);
    start = std::chrono::steady_clock::now();
    results = matcher.MatchAll(tracks);
    match_s = Since(start);
  }
  state.counters["read_s"] = read_s;
  state.counters["build_s"] = build_s;
  state.counters["match_s"] = match_s;
  state.counters["cpu_s"] = CpuSeconds() - cpu;
  Report(state, results);
}
BENCHMARK(BM_EndToEnd)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace spotify_extract

BENCHMARK_MAIN();
