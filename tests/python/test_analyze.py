"""`beet spotify-analyze`: Essentia on audio whose tempo and key the test made, through a
real beets library and the real `beet` command (worker processes, the run lock, resume).

The accuracy table over 60-180 BPM and all 24 keys is benchmarks/analyze_bench.py; here a
few cases check that the numbers are right and that they land in beets."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from beets.library import Item, Library
from fixtures_playlist import BEET
from fixtures_wishlist import open_state_store
from spotify_extract.analyze import keys, runner
from spotify_extract.analyze.features import analyse_samples
from test_wishlist_commands import A, B, C, seeded, wishlist  # noqa: F401

from tests.fixtures import audio_truth


def within(measured: float, truth: float, tolerance: float = 0.02) -> bool:
    return abs(measured - truth) <= tolerance * truth


# --------------------------------------------------------------------------------------
# Keys and notations


def test_every_key_has_one_camelot_and_open_key_code_and_parses_back() -> None:
    codes = set()
    for pitch in range(12):
        for minor in (False, True):
            key = keys.Key(pitch, minor)
            codes.add(key.camelot)
            assert keys.parse(key.camelot) == key
            assert keys.parse(key.open_key) == key
            assert keys.parse(key.beets) == key
    assert len(codes) == 24
    assert keys.parse("C").camelot == "8B" and keys.parse("C").open_key == "1d"
    assert keys.parse("Am").camelot == "8A" and keys.parse("Am").open_key == "1m"
    assert keys.parse("F#m").camelot == "11A"
    assert keys.parse("Db").camelot == "3B" == keys.parse("C#").camelot
    assert keys.parse("Eb minor") == keys.Key(3, True)
    assert keys.from_essentia("Bb", "major") == keys.Key(10, False)
    for garbage in ("", None, "H", "13A", "o", "C##"):
        assert keys.parse(garbage) is None


def test_compatible_keys_are_the_camelot_neighbours_and_the_relative_key() -> None:
    assert {k.camelot for k in keys.compatible(keys.parse("8A"))} == {"8A", "7A", "9A", "8B"}
    assert {k.camelot for k in keys.compatible(keys.parse("12B"))} == {"12B", "11B", "1B", "12A"}
    assert {k.beets for k in keys.compatible(keys.parse("1A"))} == {"G#m", "C#m", "D#m", "B"}


# --------------------------------------------------------------------------------------
# Accuracy on a few made tracks (the full table: benchmarks/analyze_bench.py)


@pytest.mark.parametrize("bpm", [87, 124, 140])
def test_tempo_of_a_drum_pattern_is_within_two_percent(bpm: int) -> None:
    analysis = analyse_samples(audio_truth.drum_pattern(bpm, 20))
    assert within(analysis.bpm, bpm), analysis.bpm
    assert analysis.bpm_confidence >= 1.0


@pytest.mark.parametrize(("root", "minor"), [(9, True), (2, False), (6, True), (10, False)])
def test_key_of_a_chord_progression_is_exact(root: int, minor: bool) -> None:
    analysis = analyse_samples(audio_truth.chord_progression(root, minor, 16))
    assert keys.from_essentia(analysis.key, analysis.scale) == keys.Key(root, minor)


# --------------------------------------------------------------------------------------
# The command on a real library


SONGS = [  # title, bpm, root, minor
    ("Night Drive", 124, 9, True),  # Am = 8A
    ("Sunrise", 100, 0, False),  # C = 8B
    ("Runner", 140, 2, True),  # Dm = 7A
]


class AnalyzeSetup:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.music = root / "music"
        self.db = root / "library.db"
        self.env = {**os.environ, "BEETSDIR": str(root), "HOME": str(root)}

    def config(self, extra: str = "") -> None:
        (self.root / "config.yaml").write_text(
            f"directory: {self.music}\nlibrary: {self.db}\n"
            "import:\n  copy: no\n  write: no\n  autotag: no\n  log: null\n"
            "plugins: spotifyextract\n"
            f"spotifyextract:\n  state_dir: {self.root / 'state'}\n{extra}"
        )

    def beet(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(BEET), *args], env=self.env, capture_output=True, text=True, timeout=600
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def values(self) -> dict[str, str]:
        lines = self.beet("ls", "-f", "$title|$bpm|$initial_key").stdout.splitlines()
        return {title: f"{bpm} {key}" for title, bpm, key in (line.split("|") for line in lines)}

    def marked(self) -> int:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM item_attributes WHERE key = 'analyzed_mtime'"
            ).fetchone()
        return count


def make_library(root: Path, songs, seconds: float = 12, broken: bool = False) -> AnalyzeSetup:
    setup = AnalyzeSetup(root)
    setup.music.mkdir(parents=True)
    setup.config()
    lib = Library(str(setup.db), str(setup.music))
    try:
        for index, (title, bpm, pitch, minor) in enumerate(songs):
            path = audio_truth.write_wav(
                setup.music / f"{index:03d}.wav", audio_truth.song(bpm, pitch, minor, seconds)
            )
            lib.add(Item(path=str(path), title=title, artist="Synth", length=seconds))
        if broken:
            path = setup.music / "broken.mp3"
            path.write_bytes(os.urandom(4096))
            lib.add(Item(path=str(path), title="Broken", artist="Noise"))
    finally:
        lib._close()
    return setup


@pytest.fixture
def library(tmp_path: Path) -> AnalyzeSetup:
    return make_library(tmp_path / "beets", SONGS, broken=True)


def test_values_land_in_beets_and_a_broken_file_is_one_line(library: AnalyzeSetup) -> None:
    result = library.beet("spotify-analyze")
    assert library.values() == {
        "Night Drive": "124 Am",
        "Sunrise": "100 C",
        "Runner": "140 Dm",
        "Broken": "0 ",
    }
    output = result.stdout + result.stderr
    broken_lines = [line for line in output.splitlines() if "broken.mp3" in line]
    assert len(broken_lines) == 1 and broken_lines[0].startswith("cannot decode ")
    assert "Traceback" not in output
    assert "Analysed 3 file(s): changed 3 item(s)" in output
    listed = library.beet(
        "ls", "-f", "$title $camelot $open_key", "harmonic:8B"
    ).stdout.splitlines()
    assert sorted(listed) == ["Night Drive 8A 1m", "Sunrise 8B 1d"]
    # beets-xtractor's names and ours, as numbers beets can query
    numbers = library.beet("ls", "-f", "$title", "danceability:0.1..", "energy:0.01..1")
    assert sorted(numbers.stdout.split()) == ["Drive", "Night", "Runner", "Sunrise"]
    assert library.beet("ls", "-f", "$average_loudness", "title:Sunrise").stdout.strip()

    again = library.beet("spotify-analyze")
    assert "Analysed 0 file(s)" in again.stdout and "3 done before" in again.stdout


def test_dry_run_writes_nothing_and_says_what_it_would(library: AnalyzeSetup) -> None:
    result = library.beet("spotify-analyze", "--dry-run", "title:Sunrise")
    assert "Synth - Sunrise: would set bpm = 100 (was 0)" in result.stdout + result.stderr
    assert "would set initial_key = 'C'" in result.stdout + result.stderr
    assert library.values()["Sunrise"] == "0 "
    assert library.marked() == 0


def test_values_set_by_the_person_or_spotify_are_kept_unless_force(
    library: AnalyzeSetup,
) -> None:
    library.beet("modify", "-y", "title:Night Drive", "bpm=62")  # the person's own
    library.beet("modify", "-y", "title:Sunrise", "initial_key=Em", "spotify_key=4.0")  # Spotify
    result = library.beet("spotify-analyze")
    values = library.values()
    assert values["Night Drive"] == "62 Am"
    assert values["Sunrise"] == "100 Em"
    assert "2 value(s) kept because you or Spotify set them" in result.stdout

    # A changed file is analysed again: our own values are ours to replace, theirs not.
    os.utime(library.music / "002.wav")
    library.beet("modify", "-y", "title:Runner", "bpm=139")  # now the person's
    library.beet("spotify-analyze")
    assert library.values()["Runner"] == "139 Dm"

    library.beet("spotify-analyze", "--force", "title:Night Drive")
    assert library.values()["Night Drive"] == "124 Am"
    assert library.values()["Sunrise"] == "100 Em"


def test_spotify_features_replace_analysed_values_but_not_the_persons(
    library: AnalyzeSetup,
) -> None:
    from spotify_extract.attributes import AttributeUpdate, AudioFeatures, write_attributes

    library.beet("spotify-analyze")
    library.beet("modify", "-y", "title:Sunrise", "bpm=101")  # the person corrects ours
    lib = Library(str(library.db), str(library.music))
    try:
        ids = {item.title: item.id for item in lib.items()}
        features = AudioFeatures(tempo=126.2, key=9, mode=0)
        write_attributes(
            lib,
            [
                AttributeUpdate(ids["Night Drive"], "spotify:a", None, features),
                AttributeUpdate(ids["Sunrise"], "spotify:b", None, features),
            ],
        )
    finally:
        lib._close()
    values = library.values()
    assert values["Night Drive"] == "126 Am"  # Spotify's tempo replaced our 124
    assert values["Sunrise"] == "101 Am"  # the person's 101 stays; our key was ours


def test_bad_query_and_bad_key_are_one_line(library: AnalyzeSetup) -> None:
    result = library.beet("ls", "harmonic:H7", check=False)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("(Open Key)") and "Traceback" not in result.stderr


def test_a_killed_run_resumes_without_redoing_what_it_stored(tmp_path: Path) -> None:
    songs = [(f"Track {n}", 90 + 7 * n, n % 12, n % 2 == 1) for n in range(8)]
    setup = make_library(tmp_path / "beets", songs, seconds=20)
    process = subprocess.Popen(
        [str(BEET), "spotify-analyze"],
        env=setup.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while setup.marked() == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, at once
        process.wait()
    done = setup.marked()
    assert 0 < done < len(songs), "the kill came too late to test a resume"
    before = setup.values()

    result = setup.beet("spotify-analyze")
    assert f"Analysed {len(songs) - done} file(s)" in result.stdout
    assert f"{done} done before" in result.stdout
    after = setup.values()
    assert all(after[title] == value for title, value in before.items() if value != "0 ")
    assert setup.marked() == len(songs)


def test_ctrl_c_stops_after_the_files_in_hand_with_status_130(tmp_path: Path) -> None:
    songs = [(f"Track {n}", 90 + 7 * n, n % 12, n % 2 == 1) for n in range(8)]
    setup = make_library(tmp_path / "beets", songs, seconds=20)
    process = subprocess.Popen(
        [str(BEET), "spotify-analyze"],
        env=setup.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while setup.marked() == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends the whole group
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 130, output
    assert "Cancelled: finishing the files in hand" in output
    assert "Traceback" not in output and "worker process died" not in output
    done = setup.marked()
    assert 0 < done < len(songs), output
    result = setup.beet("spotify-analyze")
    assert f"{done} done before" in result.stdout


def crash_on_purpose(path: str):
    """A stand-in for a decoder that crashes its process on a hostile file."""
    from spotify_extract.analyze.features import analyse_or_reason

    if "crash" in os.path.basename(path):
        os._exit(11)
    return analyse_or_reason(path)


def test_a_file_that_kills_its_worker_is_named_and_the_run_goes_on(tmp_path: Path) -> None:
    names = ["a.wav", "b.wav", "crash.wav", "c.wav", "d.wav", "e.wav"]
    jobs = [
        runner.Job(
            n, str(audio_truth.write_wav(tmp_path / name, audio_truth.song(120, 0, False, 4))), 0.0
        )
        for n, name in enumerate(names)
    ]
    results: dict[str, object] = {}
    finished = runner.analyse_jobs(
        jobs,
        lambda job, result: results.setdefault(os.path.basename(job.path), result),
        stop=threading.Event(),
        workers=2,
        analyse=crash_on_purpose,
    )
    assert finished and sorted(results) == sorted(names)
    assert results["crash.wav"] == runner.CRASHED
    assert all(not isinstance(results[name], str) for name in names if name != "crash.wav")


def test_analyze_after_import_analyses_what_an_import_adds(tmp_path: Path) -> None:
    setup = AnalyzeSetup(tmp_path / "beets")
    setup.root.mkdir(parents=True)
    setup.config("  analyze_after_import: yes\n")
    incoming = tmp_path / "incoming"
    audio_truth.write_wav(incoming / "groove.wav", audio_truth.song(128, 7, False, 12))
    result = setup.beet("import", "-q", "-s", "-A", str(incoming))
    assert "Traceback" not in result.stderr
    (line,) = setup.beet("ls", "-f", "$bpm $initial_key $camelot").stdout.splitlines()
    assert line == "128 G 9B"


def test_without_analyze_after_import_an_import_is_not_analysed(tmp_path: Path) -> None:
    setup = AnalyzeSetup(tmp_path / "beets")
    setup.root.mkdir(parents=True)
    setup.config()
    incoming = tmp_path / "incoming"
    audio_truth.write_wav(incoming / "groove.wav", audio_truth.song(128, 7, False, 6))
    setup.beet("import", "-q", "-s", "-A", str(incoming))
    assert setup.beet("ls", "-f", "$bpm").stdout.strip() == "0"


# --------------------------------------------------------------------------------------
# The wishlist: tempo and key from Spotify's audio features (apps that still get them)


def test_wishlist_filters_and_sorts_by_bpm_and_harmonic_key(seeded, capsys) -> None:  # noqa: F811
    from spotify_extract import _native

    features = []
    for track_id, tempo, key, mode in ((A, 100.4, 9, 1), (B, 129.6, 4, 0), (C, 125.0, 9, 0)):
        one = _native.AudioFeatures()
        one.track_id, one.tempo, one.key, one.mode = track_id, tempo, key, mode
        features.append(one)
    open_state_store(seeded).save_audio_features(features, [])

    def listed(*query: str) -> list[str]:
        return wishlist(seeded, capsys, "list", "-f", "$bpm $initial_key $camelot $title", *query)

    assert listed("bpm+").splitlines() == [
        "100 A 11B Dancing Queen",
        "125 Am 8A Teardrop",
        "130 Em 9A Song 2",
    ]
    # The next track after Teardrop (8A, 125 BPM): 7A/8A/9A/8B within a few BPM.
    assert listed("harmonic:8A", "bpm:120..132", "bpm-").splitlines() == [
        "130 Em 9A Song 2",
        "125 Am 8A Teardrop",
    ]
    assert listed("harmonic:A").splitlines() == ["100 A 11B Dancing Queen"]
