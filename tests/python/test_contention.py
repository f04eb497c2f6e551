"""Contention: beets writing its library.db during a read, two runs at once, the state
database locked by another process, a read-only playlist folder, a full disk.

Real SQLite, real beets, real processes; the read-only folder and the full disk are real
tmpfs mounts (skipped where mounting is not permitted, e.g. without root).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from spotify_extract import _native


def hold(script: str, *args: str) -> subprocess.Popen[str]:
    """Starts a Python process that takes a lock, prints 'held' and sleeps until killed."""
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != "held":
        process.kill()
        raise AssertionError(f"holder did not start: {line!r} {process.stderr.read()}")
    return process


def stop(process: subprocess.Popen[str], sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    process.wait(timeout=30)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def beets_db(sample_library_factory, tmp_path: Path) -> tuple[Path, Path]:
    sample = sample_library_factory(items=40, seed=11)
    db = tmp_path / "library.db"
    shutil.copy(sample.db_path, db)
    return db, sample.music_dir


BEETS_WRITER = """
    import sys, time
    from beets.library import Library
    lib = Library(sys.argv[1])
    with lib.transaction() as tx:
        tx.mutate("UPDATE items SET comments = 'written during the run'")
        print("held", flush=True)
        time.sleep(60)
"""

EXCLUSIVE_HOLDER = """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 60)
    db.execute("COMMIT")
"""


def test_reading_while_beets_holds_a_write_transaction(beets_db) -> None:
    db, music = beets_db
    before = _native.read_library(str(db), os.fsencode(music))
    writer = hold(BEETS_WRITER, str(db))
    try:
        started = time.monotonic()
        during = _native.read_library(str(db), os.fsencode(music), busy_timeout=5.0)
        assert time.monotonic() - started < 5.0
    finally:
        stop(writer)
    # A consistent snapshot: what was committed, none of the uncommitted change.
    assert [(i.id, i.title, i.path) for i in during] == [(i.id, i.title, i.path) for i in before]


def test_reading_waits_for_a_short_exclusive_lock_and_names_a_long_one(beets_db) -> None:
    db, music = beets_db
    before = digest(db)
    # A commit holds EXCLUSIVE briefly: the reader waits for it.
    holder = hold(EXCLUSIVE_HOLDER, str(db), "1.0")
    try:
        items = _native.read_library(str(db), os.fsencode(music), busy_timeout=10.0)
        assert len(items) == 40
    finally:
        stop(holder)
    # Longer than the busy timeout: one clear error naming the file, not a hang or a crash.
    holder = hold(EXCLUSIVE_HOLDER, str(db))
    try:
        started = time.monotonic()
        with pytest.raises(_native.LibraryError) as error:
            _native.read_library(str(db), os.fsencode(music), busy_timeout=0.5)
        assert time.monotonic() - started < 5.0
        message = str(error.value)
        assert str(db) in message and "lock" in message.lower()
        assert "\n" not in message
    finally:
        stop(holder)
    assert digest(db) == before  # the engine never writes beets' database


RUN_LOCK_HOLDER = """
    import sys, time
    from spotify_extract import _native
    lock = _native.RunLock.acquire(sys.argv[1], "beet spotify-extract")
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_run_is_refused_and_a_killed_run_never_blocks(tmp_path: Path) -> None:
    store = _native.StateStore(str(tmp_path / "spotify_extract.db"))
    lock_path = (
        store.lock_path()
        if callable(getattr(store, "lock_path", None))
        else str(tmp_path / "spotify_extract.db.lock")
    )
    first = hold(RUN_LOCK_HOLDER, lock_path)
    try:
        with pytest.raises(_native.RunLockedError) as error:
            _native.RunLock.acquire(lock_path, "second run")
        message = str(error.value)
        assert str(first.pid) in message
        assert "\n" not in message
    finally:
        stop(first, signal.SIGKILL)  # kill -9: the kernel drops the lock
    with _native.RunLock.acquire(lock_path, "after the crash") as lock:
        assert lock.held


STATE_WRITER = """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_locked_state_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "spotify_extract.db"
    store = _native.StateStore(str(path), busy_timeout=0.5)
    first = store.begin_snapshot("api", False)
    holder = hold(STATE_WRITER, str(path))
    try:
        started = time.monotonic()
        with pytest.raises(_native.StoreError) as error:
            other = _native.StateStore(str(path), busy_timeout=0.5)
            other.set_meta("probe", "x")
        assert time.monotonic() - started < 10
        message = str(error.value)
        assert "lock" in message.lower() or "busy" in message.lower()
        assert "\n" not in message
    finally:
        stop(holder)
    # Nothing was lost: the snapshot is there and the database works again.
    again = _native.StateStore(str(path), busy_timeout=0.5)
    assert again.get_snapshot(first.id) is not None
    again.set_meta("probe", "y")
    assert again.get_meta("probe") == "y"


# -- the playlist folder on a real (tmpfs) mount -------------------------------------------


@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, unmounted afterwards; skipped where mounting is not permitted."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def mirror_options(playlist_dir: Path, music: Path) -> _native.MirrorOptions:
    options = _native.MirrorOptions()
    options.playlist_dir = str(playlist_dir)
    options.library_root = str(music)
    options.style = _native.target_profile("mpd")
    return options


def playlist(spotify_id: str, name: str, music: Path, entries: int) -> _native.MirrorPlaylist:
    return _native.MirrorPlaylist(
        spotify_id,
        name,
        [
            _native.MirrorEntry.matched(
                str(music / f"Artist {i}" / f"{i:05d} A rather long title number {i}.flac"),
                200.0,
                f"Artist {i}",
                f"A rather long title number {i}",
            )
            for i in range(entries)
        ],
    )


def test_a_full_disk_changes_nothing_and_says_so(small_mount: Path, tmp_path: Path) -> None:
    music = tmp_path / "music"
    options = mirror_options(small_mount, music)
    first = _native.mirror([playlist("a" * 22, "Small", music, 5)], [], options)
    assert first.written == 1
    small_file = small_mount / "Small (Spotify).m3u"
    before = small_file.read_bytes()
    # 2000 entries (~200 KB) do not fit in 64 KiB; the small one changes in the same run.
    playlists = [playlist("a" * 22, "Small", music, 6), playlist("b" * 22, "Big", music, 2000)]
    with pytest.raises(_native.MirrorError) as error:
        _native.mirror(playlists, list(first.owned), options)
    message = str(error.value)
    assert "\n" not in message
    assert "space" in message.lower()
    assert small_file.read_bytes() == before  # the old file is whole and unchanged
    assert sorted(p.name for p in small_mount.iterdir()) == ["Small (Spotify).m3u"]  # no temps


def test_a_read_only_playlist_folder_changes_nothing_and_says_so(
    small_mount: Path, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    options = mirror_options(small_mount, music)
    first = _native.mirror([playlist("a" * 22, "Mine", music, 3)], [], options)
    mine = small_mount / "Mine (Spotify).m3u"
    before = mine.read_bytes()
    # Root ignores permission bits, so make the file system itself read-only.
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    with pytest.raises(_native.MirrorError) as error:
        _native.mirror(
            [playlist("a" * 22, "Mine", music, 4), playlist("c" * 22, "New", music, 2)],
            list(first.owned),
            options,
        )
    message = str(error.value)
    assert "\n" not in message
    assert str(small_mount) in message or "read-only" in message.lower()
    assert mine.read_bytes() == before
    assert sorted(p.name for p in small_mount.iterdir()) == ["Mine (Spotify).m3u"]
