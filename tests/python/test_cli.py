"""`beet spotify-extract` as a person (or cron) sees it: usage errors, quiet plain output,
beets' -v, hostile names on the terminal, Ctrl-C, a read-only state folder.

Real `beet` processes against the emulator and a real beets library (pipeline_world).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.python.fixtures_pipeline import BEET, World


def beet(world: World, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`beet ARGS` (global options first, unlike World.beet)."""
    return subprocess.run(
        [str(BEET), *args], env=world.env(), capture_output=True, text=True, timeout=timeout
    )


# -- usage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extra"], "unexpected argument 'extra'"),
        (["--login", "--logout"], "--login and --logout exclude each other"),
        (["--status", "--review"], "--status and --review exclude each other"),
        (["--review", "--dry-run"], "--review cannot be combined with --dry-run"),
        (["--login", "--from-export", "x"], "--login cannot be combined with --from-export"),
        (["--library-info", "-n"], "--library-info cannot be combined with --dry-run"),
    ],
)
def test_usage_errors_are_one_line(pipeline_world, args: list[str], message: str) -> None:
    world: World = pipeline_world(items=20, playlists=1, entries=5, liked=0)
    result = beet(world, "spotify-extract", *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("beet spotify-extract: error: ")
    assert message in lines[0]
    assert not world.state_db.exists()  # nothing ran


# -- quiet plain output --------------------------------------------------------------------


def test_plain_output_is_phase_results_and_the_advice_once(pipeline_world) -> None:
    world: World = pipeline_world()
    first = world.beet()
    assert first.returncode == 0, first.stderr
    progress = first.stderr.strip().splitlines()
    # One result line per phase that counted something; no "0/1" starting lines.
    assert 3 <= len(progress) <= 10, progress
    assert all(": " in line and "/0" not in line for line in progress), progress
    assert not any(line.endswith(": 0") or ": 0/" in line for line in progress), "|".join(progress)
    assert len({line.split(":")[0] for line in progress}) == len(progress)  # once each
    assert "Not shared by Spotify" in first.stdout
    assert first.stdout.count("Ways out") == 1

    again = world.beet()
    assert again.returncode == 0, again.stderr
    assert "Not shared by Spotify" in again.stdout  # still counted
    assert "Ways out" not in again.stdout  # but the advice is not repeated

    # A newly followed playlist Spotify does not share brings the advice back, once.
    owned = next(iter(world.library.tracks))
    world.library.create_playlist("Someone's mix", owner="someoneelse", track_ids=[owned])
    newly = world.beet()
    assert newly.stdout.count("Ways out") == 1
    assert "Ways out" not in world.beet().stdout


def test_beets_verbose_shows_the_details(pipeline_world) -> None:
    world: World = pipeline_world()
    assert world.beet().returncode == 0
    verbose = beet(world, "-v", "spotify-extract", "--no-progress")
    assert verbose.returncode == 0, verbose.stderr
    assert "Ways out" in verbose.stdout  # the full advice with -v
    assert "spotifyextract: " in verbose.stderr  # the plugin's debug lines
    assert "spotifyextract: spotifyextract:" not in verbose.stderr + verbose.stdout
    quiet = world.beet()
    assert "spotifyextract: " not in quiet.stderr


# -- hostile names -------------------------------------------------------------------------


def test_control_characters_in_names_never_reach_the_terminal(pipeline_world) -> None:
    world: World = pipeline_world()
    assert world.beet().returncode == 0
    owned = next(iter(world.library.tracks))
    evil = "\x1b]0;pwned\x07\x1b[2J Evil \u202eevil" + "x" * 300
    world.library.create_playlist(evil, owner="someoneelse", track_ids=[owned])
    result = world.beet()
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "\\x1b]0;pwned\\x07" in output and "\\u202e" in output
    assert "x" * 100 not in output  # long names are cut


# -- Ctrl-C --------------------------------------------------------------------------------


def test_ctrl_c_says_so_once_and_exits_non_zero(pipeline_world) -> None:
    world: World = pipeline_world()
    world.emulator.configure(latency_ms=300)
    process = world.popen()
    assert process.stderr is not None
    process.stderr.readline()  # the first phase is done: the run is under way
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert "error:" not in err
    assert out.strip().splitlines() == [
        "Cancelled: stopping after the current request; what was fetched is kept: "
        "run `beet spotify-extract` again to resume (Ctrl-C again to quit at once)"
    ]


# -- a read-only state folder --------------------------------------------------------------


@pytest.fixture
def small_mount(tmp_path: Path):
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_read_only_state_folder_is_one_line(pipeline_world, small_mount: Path) -> None:
    world: World = pipeline_world(items=50, playlists=2, entries=20, liked=5)
    state = small_mount / "state"
    shutil.copytree(world.state_dir, state)
    world.state_dir = state
    world.write_config()
    assert world.beet().returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    for args in ([], ["--review"]):
        result = world.beet(*args)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert str(state) in lines[0]


def test_a_run_lock_that_cannot_be_created_is_one_line(pipeline_world) -> None:
    # What a state folder the person cannot write gives (root ignores permission bits,
    # so a folder in the lock file's place stands in for it).
    world: World = pipeline_world(items=50, playlists=2, entries=20, liked=5)
    assert world.beet().returncode == 0
    lock = Path(f"{world.state_db}.lock")
    lock.unlink()
    lock.mkdir()
    for args in ([], ["--review"]):
        result = world.beet(*args)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: cannot create the run lock ")


# -- Ctrl-C during --login -----------------------------------------------------------------


def test_ctrl_c_ends_the_login_at_once(pipeline_world, tmp_path: Path) -> None:
    world: World = pipeline_world(items=20, playlists=1, entries=5, liked=0)
    os.remove(world.state_dir / "spotify_extract_token.json")
    env = {**world.env(), "BROWSER": "true"}  # a browser that never answers
    process = subprocess.Popen(
        [str(BEET), "spotify-extract", "--login"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    for _ in range(4):  # the URL and "waiting for the answer ... for 300 s"
        if "waiting for the answer" in process.stdout.readline():
            break
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=30)  # not the 300 s login timeout
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("Ctrl-C did not end the login")
    assert process.returncode == 130
    assert "Login cancelled; nothing was saved." in out
    assert "Traceback" not in err
    assert not (world.state_dir / "spotify_extract_token.json").exists()
