"""Contention and full disk during a whole run of the real CLI (`beet spotify-extract` as a
subprocess, a real beets library, the emulator): beets writing library.db, two runs at once,
the state database locked, the playlist folder turning read-only, a full disk.

Every case ends with one clear line (no traceback) and exit status 1, or with a run that
waited and succeeded; and a rerun once the obstacle is gone reaches exactly the state and
the m3u files of an undisturbed run. The holders are real processes (beets' own
`Library.transaction()`, sqlite3); the read-only folder and the full disk are real tmpfs
mounts where mounting is permitted, and a file-size limit (RLIMIT_FSIZE, which makes
writes fail with EFBIG) everywhere.

Synchronisation without sleeps: a run is stopped for a moment inside a phase by one 429
with Retry-After on that phase's endpoint, and the test acts when the run's progress line
for the phase appears.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures_pipeline import BEET, World, state_dump
from test_contention import BEETS_WRITER, EXCLUSIVE_HOLDER, STATE_WRITER, hold, stop

# The emulator's path for each fetch phase (a 429 there holds the run in that phase).
ARTISTS = "/me/following"
LIKED = "/me/tracks"


@dataclass
class Reference:
    state: dict
    m3u: dict[str, str]
    requests: int  # API requests of an undisturbed first run


def beets_timeout(world: World, seconds: float) -> None:
    """beets' own `timeout` (how long to wait for a database lock) in the world's config."""
    world.write_config()
    config = world.home / "config.yaml"
    config.write_text(config.read_text() + f"timeout: {seconds}\n")


def own_library_copy(world: World, tmp_path: Path) -> None:
    """A private copy of the (session-shared) sample library, for tests that lock it."""
    copy = tmp_path / "library"
    shutil.copytree(world.library_dir, copy)
    world.library_dir = copy


def undisturbed(world: World, tmp_path: Path, timeout: float) -> Reference:
    """The same Spotify library fetched without trouble into fresh folders."""
    saved = (world.state_dir, world.playlist_dir)
    world.state_dir = tmp_path / "reference-state"
    world.playlist_dir = tmp_path / "reference-playlists"
    world.state_dir.mkdir()
    token = saved[0] / "spotify_extract_token.json"
    (world.state_dir / token.name).write_bytes(token.read_bytes())
    os.chmod(world.state_dir / token.name, 0o600)
    beets_timeout(world, timeout)
    world.emulator.reset_log()
    result = world.beet()
    assert result.returncode == 0, result.stdout + result.stderr
    reference = Reference(
        state_dump(world.state_db), world.m3u_files(), world.emulator.counters()["api_requests"]
    )
    assert reference.m3u, "the reference run mirrored no playlist"
    world.state_dir, world.playlist_dir = saved
    beets_timeout(world, timeout)
    world.emulator.reset_log()
    return reference


def start_and_wait_for(world: World, label: str, *, preexec=None) -> subprocess.Popen[str]:
    """Starts a run and returns once it printed the result line of phase `label` (plain
    mode writes one as each phase ends), that is while the next phase runs."""
    process = subprocess.Popen(
        [str(BEET), "spotify-extract", "--no-progress"],
        env=world.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec,
    )
    assert process.stderr is not None
    seen = []
    while True:
        line = process.stderr.readline()
        if not line:
            out, err = process.communicate(timeout=60)
            raise AssertionError(f"the run ended before {label!r}: {''.join(seen)}{err}{out}")
        seen.append(line)
        if line.startswith(label):
            process.early_stderr = "".join(seen)  # type: ignore[attr-defined]
            return process


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, getattr(process, "early_stderr", "") + err


def one_error_line(stderr: str) -> str:
    """The run failed with exactly one `error:` line, the last one, and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert lines[-1] == errors[0], stderr
    assert len(errors[0]) < 400, errors[0]
    return errors[0]


def assert_like(world: World, reference: Reference) -> None:
    assert state_dump(world.state_db) == reference.state
    assert world.m3u_files() == reference.m3u


def no_temporary_files(directory: Path) -> None:
    if directory.exists():
        names = [p.name for p in directory.iterdir()]
        assert all(n.endswith((".m3u", ".m3u8")) for n in names), names


# -- a. beets writing library.db during the run ---------------------------------------------


def test_beets_writing_during_a_run_then_a_short_commit_lock_the_run_waits(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    own_library_copy(world, tmp_path)
    reference = undisturbed(world, tmp_path, timeout=5.0)
    library_db = world.library_dir / "library.db"
    # beets holds a write transaction (RESERVED) from before the run starts...
    writer = hold(BEETS_WRITER, str(library_db))
    try:
        world.emulator.storm_429(1, retry_after=2, path=ARTISTS)
        process = start_and_wait_for(world, "Saved albums")  # in Followed artists
        # ...and commits while the run waits for Retry-After: EXCLUSIVE for 3.5 s, which
        # outlasts the pause, so the run's read of library.db meets the lock and waits.
        stop(writer)
        committer = hold(EXCLUSIVE_HOLDER, str(library_db), "3.5")
        locked_at = time.monotonic()
        code, out, err = finish(process)
        finished_at = time.monotonic()
        assert committer.wait(timeout=30) == 0
    finally:
        stop(writer)
    assert code == 0, out + err
    # Released 3.5 s after it was taken; a run that did not wait ends ~2 s after it.
    assert finished_at - locked_at >= 3.0  # it waited for the commit instead of failing
    assert_like(world, reference)


def test_library_db_locked_longer_than_the_timeout_is_one_line_and_the_rerun_recovers(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    own_library_copy(world, tmp_path)
    reference = undisturbed(world, tmp_path, timeout=1.0)
    library_db = world.library_dir / "library.db"
    world.emulator.storm_429(1, retry_after=2, path=ARTISTS)
    process = start_and_wait_for(world, "Saved albums")  # in Followed artists
    holder = hold(EXCLUSIVE_HOLDER, str(library_db))  # until killed
    try:
        code, _out, err = finish(process)
    finally:
        stop(holder)
    assert code != 0
    line = one_error_line(err)
    assert str(library_db) in line and "locked" in line, line
    assert "1000 ms" in line, line  # beets' `timeout: 1.0` is the wait
    assert not world.m3u_files()
    no_temporary_files(world.playlist_dir)

    world.emulator.reset_log()
    rerun = world.beet()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "resuming" in rerun.stdout + rerun.stderr
    # Everything fetched before the failure was kept: the rerun fetched nothing again.
    assert world.emulator.counters()["api_requests"] < reference.requests
    assert_like(world, reference)


# -- b. two runs at once --------------------------------------------------------------------


def test_a_second_run_fails_fast_and_the_first_completes_unharmed(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    reference = undisturbed(world, tmp_path, timeout=5.0)
    world.emulator.storm_429(1, retry_after=2, path=ARTISTS)
    first = start_and_wait_for(world, "Saved albums")  # in Followed artists
    try:
        second = world.beet(timeout=60)
        still_running = first.poll() is None
    finally:
        code, out, err = finish(first)
    assert still_running, "the second run did not return while the first was running"
    assert second.returncode != 0
    line = one_error_line(second.stderr)
    assert "another spotify-extract run is in progress" in line, line
    assert f"pid {first.pid}" in line, line
    assert second.stdout == ""
    assert code == 0, out + err
    assert_like(world, reference)


# -- c. the state database locked by another process ----------------------------------------


def test_a_locked_state_database_during_a_run_is_one_line_and_loses_nothing(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    reference = undisturbed(world, tmp_path, timeout=1.0)
    world.emulator.storm_429(1, retry_after=1, path=LIKED)
    process = start_and_wait_for(world, "Playlist entries")  # in Liked Songs
    holder = hold(STATE_WRITER, str(world.state_db))  # BEGIN IMMEDIATE until killed
    try:
        code, _out, err = finish(process)
    finally:
        stop(holder)
    assert code != 0
    line = one_error_line(err)
    assert str(world.state_db) in line and "locked by another process" in line, line
    assert not world.m3u_files()
    no_temporary_files(world.playlist_dir)

    world.emulator.reset_log()
    rerun = world.beet()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "resuming" in rerun.stdout + rerun.stderr
    # The profile, playlists and their entries fetched before the lock were kept.
    assert world.emulator.count(r"/playlists/") == 0
    assert world.emulator.counters()["api_requests"] < reference.requests
    assert_like(world, reference)


# -- d, e. a read-only playlist folder, a full disk -----------------------------------------


@dataclass
class Mount:
    path: Path

    def remount(self, options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(self.path)], check=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator:
    """tmpfs(path, size): a real tmpfs mounted there (unmounted afterwards); skips the test
    with the reason where mounting is not permitted (no root, or a container without
    CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def mount(path: Path, size: str) -> Mount:
        path.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            pytest.skip(
                "a real read-only or full file system needs `mount -t tmpfs` (root with "
                f"CAP_SYS_ADMIN); here it was refused: {result.stderr.strip()}"
            )
        mounted.append(path)
        return Mount(path)

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_playlist_folder_turning_read_only_during_a_run_keeps_the_fetched_data(
    pipeline_world, tmp_path: Path, tmpfs
) -> None:
    world: World = pipeline_world()
    folder = None
    if os.geteuid() == 0:  # root ignores permission bits: make the file system read-only
        folder = tmpfs(world.playlist_dir, "4m")
    else:
        world.playlist_dir.mkdir()
    reference = undisturbed(world, tmp_path, timeout=5.0)

    def read_only(yes: bool) -> None:
        if folder is not None:
            folder.remount("ro" if yes else "rw")
        else:
            world.playlist_dir.chmod(0o555 if yes else 0o755)

    world.emulator.storm_429(1, retry_after=1, path=ARTISTS)
    process = start_and_wait_for(world, "Saved albums")  # in Followed artists
    read_only(True)
    code, _out, err = finish(process)
    assert code != 0
    line = one_error_line(err)
    assert str(world.playlist_dir) in line, line
    assert "Read-only file system" in line or "Permission denied" in line, line
    assert "no playlist was changed" in line, line
    assert list(world.playlist_dir.iterdir()) == []  # no m3u, no temporary file

    read_only(False)
    world.emulator.reset_log()
    rerun = world.beet()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    # The rerun resumes the run that failed while writing playlists: every fetch phase was
    # done, so it asks Spotify nothing (a no-change rerun of a finished run asks 5).
    assert world.emulator.counters()["api_requests"] == 0
    assert_like(world, reference)
    world.emulator.reset_log()
    no_change = world.beet()
    assert no_change.returncode == 0, no_change.stdout + no_change.stderr
    # ceil(8 playlists / 50) + 4, besides the release watch's artists (one page each)
    releases = world.emulator.count(r"^/v1/artists/[^/]+/albums$")
    assert world.emulator.counters()["api_requests"] - releases == 5
    assert_like(world, reference)


def test_a_full_playlist_disk_writes_no_half_playlist_and_the_rerun_completes(
    pipeline_world, tmp_path: Path, tmpfs
) -> None:
    world: World = pipeline_world()
    disk = tmpfs(world.playlist_dir, "8k")
    reference = undisturbed(world, tmp_path, timeout=5.0)
    total = sum(len(text.encode()) for text in reference.m3u.values())
    assert total > 12 * 1024, total  # the playlists do not fit in 8 KiB
    result = world.beet()
    assert result.returncode != 0
    line = one_error_line(result.stderr)
    assert str(world.playlist_dir) in line and "No space left on device" in line, line
    assert "no playlist was changed" in line, line
    assert list(world.playlist_dir.iterdir()) == []  # no m3u, no temporary file

    disk.remount("size=4m")  # space freed
    world.emulator.reset_log()
    rerun = world.beet()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert world.emulator.counters()["api_requests"] == 0  # fetched data was kept
    assert_like(world, reference)


def test_a_full_state_disk_is_one_line_and_the_rerun_completes(
    pipeline_world, tmp_path: Path, tmpfs
) -> None:
    world: World = pipeline_world()
    token = (world.state_dir / "spotify_extract_token.json").read_bytes()
    shutil.rmtree(world.state_dir)
    disk = tmpfs(world.state_dir, "1m")  # room to open the database, not for a whole run
    (world.state_dir / "spotify_extract_token.json").write_bytes(token)
    os.chmod(world.state_dir / "spotify_extract_token.json", 0o600)
    reference = undisturbed(world, tmp_path, timeout=5.0)
    result = world.beet()
    assert result.returncode != 0
    line = one_error_line(result.stderr)
    assert str(world.state_db) in line and "disk is full" in line, line
    assert "cannot open" not in line, line  # it failed during the run
    assert not world.m3u_files()

    disk.remount("size=16m")
    world.emulator.reset_log()
    rerun = world.beet()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_like(world, reference)

    # A disk already full when the next run starts: one line too, and nothing changes.
    filler = world.state_dir / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
    full = world.beet()
    assert full.returncode != 0
    line = one_error_line(full.stderr)
    assert str(world.state_db) in line and "free some space" in line, line
    filler.unlink()
    again = world.beet()
    assert again.returncode == 0, again.stdout + again.stderr
    assert_like(world, reference)


def test_a_write_error_on_the_state_database_everywhere(pipeline_world, tmp_path: Path) -> None:
    """The same without a mount: a file-size limit on the run makes the state database's
    writes fail (EFBIG), as a full disk would."""
    world: World = pipeline_world()
    reference = undisturbed(world, tmp_path, timeout=5.0)
    # Opening the database (its migrations) fits; the run's writes do not.
    limit = 1024 * 1024

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = subprocess.Popen(
        [str(BEET), "spotify-extract", "--no-progress"],
        env=world.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=small_files,
    )
    code, _out, err = finish(process)
    assert code != 0
    line = one_error_line(err)
    assert str(world.state_db) in line and "File too large" in line, line
    assert "cannot open" not in line, line  # it failed during the run
    assert not world.m3u_files()

    world.emulator.reset_log()
    rerun = world.beet()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_like(world, reference)
