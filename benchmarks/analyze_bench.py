"""`beet spotify-analyze` benchmarks: accuracy on made audio, throughput, a whole library.

Run from the repo with the venv: `.venv/bin/python benchmarks/analyze_bench.py PART`
  accuracy     drum patterns at 60-180 BPM and chord progressions in all 24 keys
               (tests/fixtures/audio_truth.py), analysed in this process
  throughput   MP3 files of 30 s and of 4 min through the worker pool (all cores)
  library      a LIBRARY-track beets library (MP3, SECONDS long) analysed by the real
               `beet spotify-analyze`, killed with SIGKILL half way, resumed
Prints markdown rows for benchmarks/README.md; wall and CPU seconds are this machine's
(CPU includes the worker processes).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spotify_extract.analyze import keys, runner  # noqa: E402
from spotify_extract.analyze.features import analyse_samples  # noqa: E402

from tests.fixtures import audio_truth  # noqa: E402

BEET = Path(sys.executable).with_name("beet")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def classify_tempo(measured: float, truth: float) -> str:
    for factor, name in (
        (1, "exact"),
        (2, "octave"),
        (0.5, "octave"),
        (1.5, "other"),
        (2 / 3, "other"),
    ):
        if abs(measured - truth * factor) <= 0.02 * truth * factor:
            return name
    return "wrong"


def classify_key(found: keys.Key | None, truth: keys.Key) -> str:
    if found == truth:
        return "exact"
    if found is None:
        return "none"
    if found.camelot_number == truth.camelot_number and found.minor != truth.minor:
        return "relative"
    if found.minor == truth.minor and (found.camelot_number - truth.camelot_number) % 12 in (1, 11):
        return "fifth"
    if found.pitch == truth.pitch:
        return "parallel"
    return "wrong"


def bench_accuracy(seconds: float) -> None:
    tempi = [*range(60, 181, 10), 87, 95, 105, 115, 125, 128, 135, 145, 165, 174]
    tempo_results = {}
    start_wall, start_cpu = time.monotonic(), cpu_seconds()
    for bpm in sorted(tempi):
        analysis = analyse_samples(audio_truth.drum_pattern(bpm, seconds))
        tempo_results[bpm] = (analysis.bpm, classify_tempo(analysis.bpm, bpm))
    print(f"\ntempo: {len(tempi)} drum patterns of {seconds:.0f} s")
    print("| BPM | measured | verdict |\n| --- | --- | --- |")
    for bpm, (measured, verdict) in tempo_results.items():
        print(f"| {bpm} | {measured:.2f} | {verdict} |")
    verdicts = [verdict for _, verdict in tempo_results.values()]
    print(
        f"within 2 %: {verdicts.count('exact')}/{len(verdicts)}, "
        f"octave errors: {verdicts.count('octave')}, other: "
        f"{len(verdicts) - verdicts.count('exact') - verdicts.count('octave')}"
    )

    key_rows = []
    for kind, make in (
        ("chords", lambda root, minor: audio_truth.chord_progression(root, minor, seconds)),
        ("chords+drums 120 BPM", lambda root, minor: audio_truth.song(120, root, minor, seconds)),
    ):
        for root in range(12):
            for minor in (False, True):
                analysis = analyse_samples(make(root, minor))
                found = keys.from_essentia(analysis.key, analysis.scale)
                truth = keys.Key(root, minor)
                key_rows.append((kind, truth, found, classify_key(found, truth)))
    print(f"\nkey: 24 keys x 2 kinds of {seconds:.0f} s")
    print("| material | exact | relative | fifth | parallel | wrong |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind in dict.fromkeys(row[0] for row in key_rows):
        verdicts = [row[3] for row in key_rows if row[0] == kind]
        counts = [verdicts.count(v) for v in ("exact", "relative", "fifth", "parallel")]
        wrong = len(verdicts) - sum(counts)
        print(f"| {kind} | " + " | ".join(f"{c}/24" for c in counts) + f" | {wrong}/24 |")
    misses = [
        f"{row[0]}: {row[1].beets} -> {row[2].beets if row[2] else None}"
        for row in key_rows
        if row[3] != "exact"
    ]
    if misses:
        print("not exact: " + "; ".join(misses))
    print(
        f"\naccuracy run: {time.monotonic() - start_wall:.1f} s wall, "
        f"{cpu_seconds() - start_cpu:.1f} s CPU (one process)"
    )


def encode_mp3(samples, path: Path) -> Path:
    wav = path.with_suffix(".wav")
    audio_truth.write_wav(wav, samples)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-b:a", "192k", str(path)],
        check=True,
    )
    wav.unlink()
    return path


def collect(results: list):
    return lambda job, result: results.append(result)


def bench_throughput(work: Path, count: int) -> None:
    print("\n| files | length | wall | CPU | tracks/s | audio s per wall s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for seconds in (30, 240):
        folder = work / f"t{seconds}"
        folder.mkdir(parents=True, exist_ok=True)
        jobs = []
        for n in range(count):
            path = encode_mp3(
                audio_truth.song(90 + 9 * n, n % 12, n % 2 == 1, seconds),
                folder / f"{n}.mp3",
            )
            jobs.append(runner.Job(n, str(path), path.stat().st_mtime))
        results = []
        start_wall, start_cpu = time.monotonic(), cpu_seconds()
        runner.analyse_jobs(jobs, collect(results), stop=threading.Event())
        wall, cpu = time.monotonic() - start_wall, cpu_seconds() - start_cpu
        failed = [r for r in results if isinstance(r, str)]
        assert not failed, failed
        print(
            f"| {count} | {seconds} s | {wall:.1f} s | {cpu:.1f} s | {count / wall:.2f} | "
            f"{count * seconds / wall:.0f} |"
        )


def marked(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(
            "SELECT count(*) FROM item_attributes WHERE key = 'analyzed_mtime'"
        ).fetchone()[0]


def session_cpu(session: int) -> float:
    """CPU seconds of the live processes of a session (a run about to be SIGKILLed: its
    workers are never waited for by us, so RUSAGE_CHILDREN would miss them)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields after "(comm)": state ppid pgrp session ...
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_beet(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run([str(BEET), *args], env=env, capture_output=True, text=True, check=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout + result.stderr


def bench_library(work: Path, tracks: int, seconds: float) -> None:
    from beets.library import Item, Library

    root = work / "beets"
    music = root / "music"
    music.mkdir(parents=True)
    (root / "config.yaml").write_text(
        f"directory: {music}\nlibrary: {root / 'library.db'}\nplugins: spotifyextract\n"
        f"spotifyextract:\n  state_dir: {root / 'state'}\n"
    )
    sources = [
        encode_mp3(audio_truth.song(80 + 4 * n, n % 12, n % 2 == 1, seconds), work / f"src{n}.mp3")
        for n in range(24)
    ]
    lib = Library(str(root / "library.db"), str(music))
    with lib.transaction():
        for n in range(tracks):
            path = music / f"{n // 100:02d}" / f"{n:04d}.mp3"
            path.parent.mkdir(exist_ok=True)
            shutil.copyfile(sources[n % len(sources)], path)
            lib.add(Item(path=str(path), title=f"Track {n}", artist=f"Artist {n % 50}"))
    lib._close()
    env = {**os.environ, "BEETSDIR": str(root), "HOME": str(work)}
    db = root / "library.db"

    start = time.monotonic()
    process = subprocess.Popen(
        [str(BEET), "spotify-analyze"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while marked(db) < tracks // 2 and process.poll() is None:
        time.sleep(0.2)
    first_cpu = session_cpu(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    first_wall = time.monotonic() - start
    done = marked(db)

    second_wall, second_cpu, output = run_beet(env, "spotify-analyze")
    summary = next(line for line in output.splitlines() if line.startswith("Analysed"))
    third_wall, third_cpu, third = run_beet(env, "spotify-analyze")
    check = subprocess.run(
        [str(BEET), "ls", "-f", "$bpm $initial_key", "bpm:0"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    print(f"\nlibrary: {tracks} tracks of {seconds:.0f} s (MP3 192k)")
    print("| run | wall | CPU | result |\n| --- | --- | --- | --- |")
    print(f"| first, SIGKILL at half | {first_wall:.1f} s | {first_cpu:.1f} s | {done} stored |")
    print(f"| resumed | {second_wall:.1f} s | {second_cpu:.1f} s | {summary} |")
    print(
        f"| again (nothing to do) | {third_wall:.1f} s | {third_cpu:.1f} s | "
        f"{third.splitlines()[-1]} |"
    )
    print(f"items without bpm afterwards: {len([line for line in check if line.strip()])}")
    total = first_wall + second_wall
    print(f"total analysis: {total:.1f} s wall, {tracks / total:.2f} tracks/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=("accuracy", "throughput", "library"))
    parser.add_argument("--seconds", type=float, default=20, help="accuracy/library: length")
    parser.add_argument("--files", type=int, default=8, help="throughput: files per length")
    parser.add_argument("--tracks", type=int, default=1000, help="library: tracks")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="analyze-bench-"))
    try:
        if args.part == "accuracy":
            bench_accuracy(args.seconds)
        elif args.part == "throughput":
            bench_throughput(work, args.files)
        else:
            bench_library(work, args.tracks, args.seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
