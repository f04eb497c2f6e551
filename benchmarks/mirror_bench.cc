// Playlist mirroring: rendering, name sanitising, and whole mirror runs (first run that
// writes everything, and the common case of a re-run where nothing changed).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "playlist/file_name.h"
#include "playlist/m3u.h"
#include "playlist/mirror.h"

namespace spotify_extract {
namespace {

const std::string kMusic = "/home/someone/Music";

std::vector<MirrorEntry> Entries(int count, int seed) {
  std::vector<MirrorEntry> entries;
  entries.reserve(count);
  for (int i = 0; i < count; ++i) {
    int n = (i * 7919 + seed * 104729) % 500000;
    std::string artist = "Artist Ünïcode " + std::to_string(n % 5000);
    std::string title = "Some Fairly Long Track Title (Remastered " + std::to_string(n) + ")";
    if (i % 10 == 9) {
      entries.push_back(MirrorEntry::Missing(artist, title, "spotify:track:4uLU6hMCjMI75M1A2t"));
      continue;
    }
    entries.push_back(MirrorEntry::Matched(kMusic + "/" + artist + "/Album " +
                                               std::to_string(n % 40000) + "/" +
                                               std::to_string(n % 20) + " " + title + ".flac",
                                           180.0 + n % 200, artist, title));
  }
  return entries;
}

void BM_RenderM3u(benchmark::State& state, const char* target) {
  RenderContext context;
  context.library_root = kMusic;
  context.playlist_dir = kMusic + "/Playlists";
  context.style = TargetProfile(target);
  std::vector<MirrorEntry> entries = Entries(static_cast<int>(state.range(0)), 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(RenderM3u(entries, context));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK_CAPTURE(BM_RenderM3u, mpd, "mpd")->Arg(1000)->Arg(10000);
BENCHMARK_CAPTURE(BM_RenderM3u, sonos, "sonos")->Arg(1000)->Arg(10000);

void BM_SanitizeFileStem(benchmark::State& state) {
  std::vector<std::string> names = {"Workout",
                                    "Rock/Pop: the <best> of \"2024\"?",
                                    "Кино — Группа крови",
                                    "日本語のプレイリスト 🎧🔥",
                                    std::string(400, 'x'),
                                    "CON",
                                    "...And Justice for All"};
  for (auto _ : state) {
    for (const std::string& name : names) benchmark::DoNotOptimize(SanitizeFileStem(name));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(names.size()));
}
BENCHMARK(BM_SanitizeFileStem);

struct Fixture {
  std::string dir;
  std::vector<MirrorPlaylist> playlists;
  MirrorOptions options;

  Fixture(int playlist_count, int entries_each) {
    std::string pattern = (std::filesystem::temp_directory_path() / "mirror_bench_XXXXXX");
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    dir = ::mkdtemp(buffer.data());
    for (int p = 0; p < playlist_count; ++p) {
      playlists.push_back(
          {"id" + std::to_string(p), "Playlist " + std::to_string(p), Entries(entries_each, p)});
    }
    options.playlist_dir = dir;
    options.library_root = kMusic;
    options.style = TargetProfile("mpd");
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

// A re-run where nothing changed on Spotify: render, hash, compare with the disk, no write.
void BM_MirrorUnchanged(benchmark::State& state) {
  Fixture fixture(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  MirrorResult first = Mirror(fixture.playlists, {}, fixture.options);
  for (auto _ : state) {
    MirrorResult again = Mirror(fixture.playlists, first.owned, fixture.options);
    if (again.unchanged != state.range(0)) state.SkipWithError("rewrote something");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
}
BENCHMARK(BM_MirrorUnchanged)->Args({60, 300})->Args({500, 1000})->Unit(benchmark::kMillisecond);

// Every playlist changed: stage, fsync and rename every file.
void BM_MirrorAllChanged(benchmark::State& state) {
  Fixture fixture(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::vector<OwnedFile> owned = Mirror(fixture.playlists, {}, fixture.options).owned;
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (MirrorPlaylist& playlist : fixture.playlists) {
      playlist.entries[0].title = "changed " + std::to_string(round);
    }
    ++round;
    state.ResumeTiming();
    MirrorResult result = Mirror(fixture.playlists, owned, fixture.options);
    owned = result.owned;
    if (result.written != state.range(0)) state.SkipWithError("did not write everything");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * state.range(1));
}
BENCHMARK(BM_MirrorAllChanged)->Args({60, 300})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace spotify_extract

BENCHMARK_MAIN();
