"""The real `beet` executable: wishlist download + import, any import closing entries,
and errors as one line with a non-zero exit status."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures_wishlist import BeetsEnv, Standin, seed_wishlist
from spotify_extract import _native
from test_wishlist_commands import PLAYLISTS, A, B, C

BEET = Path(sys.executable).with_name("beet")


@pytest.fixture
def cli(tmp_path: Path, standin: Standin):
    root = tmp_path / "cli"
    root.mkdir()
    env = BeetsEnv(root, None)
    (root / "config.yaml").write_text(
        f"""
directory: {env.music}
library: {root / "library.db"}
plugins: spotifyextract
import:
  log: null
spotifyextract:
  state_dir: {env.state_dir}
  download_dir: {env.download_dir}
  spotdl_command: {standin.command}
  parallel_downloads: 2
"""
    )
    seed_wishlist(env, PLAYLISTS)
    for playlist in PLAYLISTS.values():
        for track in playlist:
            standin.add(track["id"], track["title"], track["artist"], track["album"])
    environ = {**standin.env(), "BEETSDIR": str(root), "HOME": str(root)}

    def beet(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BEET), *args], env=environ, capture_output=True, text=True, timeout=300
        )

    return env, beet


def store(env: BeetsEnv):
    return _native.StateStore(str(env.state_dir / "spotify_extract.db"))


def test_download_and_import_through_beet(cli) -> None:
    env, beet = cli
    result = beet("wishlist", "download", "--playlist", "Party")
    assert result.returncode == 0, result.stderr
    assert "2 downloaded, 0 failed" in result.stdout
    assert "2 imported, 0 not imported" in result.stdout
    assert store(env).get_wishlist_entry(A).status == "imported"
    listing = beet("ls", "-f", "$spotify_track_id $title")
    assert sorted(listing.stdout.splitlines()) == sorted([f"{A} Dancing Queen", f"{B} Song 2"])
    result = beet("wishlist")
    assert result.stdout.splitlines()[-1] == "3 entries: 1 pending, 2 imported"


def test_the_persons_own_import_closes_the_entry(cli, standin: Standin, tmp_path) -> None:
    """`beet import` of a file bought elsewhere: the wishlist entry closes at exit."""
    env, beet = cli
    from spotify_extract.download_runner import DownloadRunner
    from spotify_extract.downloaders import DownloadJob, SpotDL

    [bought] = DownloadRunner(SpotDL(standin.command), tmp_path / "bought", env=standin.env()).run(
        [DownloadJob(1, C)]
    )
    assert bought.file is not None
    result = beet("-v", "import", "-q", "-s", "-A", str(bought.file))
    assert result.returncode == 0, result.stderr
    entry = store(env).get_wishlist_entry(C)
    assert entry.status == "imported", (entry, result.stdout, result.stderr)
    assert store(env).get_match(C).method == "exact"
    # beets prefixes the plugin's log lines itself: once.
    output = result.stdout + result.stderr
    assert "spotifyextract: 1 wishlist entries imported" in output, output
    assert "spotifyextract: spotifyextract:" not in output


def test_errors_are_one_line(cli) -> None:
    _, beet = cli
    result = beet("wishlist", "add", "no separator")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: add: 'no separator' is neither a Spotify link nor 'Artist - Title'"
    ]
    result = beet("wishlist", "list", "--status", "lost")
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_spotdl_missing_is_one_line(cli) -> None:
    env, beet = cli
    config = env.root / "config.yaml"
    lines = config.read_text().splitlines()
    config.write_text(
        "\n".join(
            "  spotdl_command: /nonexistent/spotdl" if "spotdl_command" in line else line
            for line in lines
        )
    )
    result = beet("wishlist", "download")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: spotDL not found: `/nonexistent/spotdl` is not installed or not on PATH "
        "(pip install 'beets-spotify-extract[download]', or set spotifyextract.spotdl_command)"
    ]
    assert store(env).get_wishlist_entry(A).status == "pending"


def _set_config(env: BeetsEnv, **keys: object) -> None:
    """Change `spotifyextract:` keys of the cli fixture's config.yaml."""
    config = env.root / "config.yaml"
    lines = [
        line
        for line in config.read_text().splitlines()
        if not any(line.strip().startswith(f"{key}:") for key in keys)
    ]
    at = lines.index("spotifyextract:") + 1
    lines[at:at] = [f"  {key}: {value}" for key, value in keys.items()]
    config.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "args",
    [
        ("download",),
        ("import",),
        ("add", "ABBA - Waterloo"),
        ("dismiss", "abba"),
        ("restore", "abba"),
        ("retry",),
    ],
)
def test_writing_subcommands_wait_for_the_run_lock(cli, standin: Standin, args) -> None:
    """Two `wishlist download` at once downloaded each other's tracks: every subcommand
    that writes takes the run lock, waits beets' `timeout`, then names the holder."""
    env, beet = cli
    with (env.root / "config.yaml").open("a") as config:
        config.write("timeout: 0.5\n")
    before = [(e.spotify_track_id, e.status) for e in store(env).list_wishlist()]
    with _native.RunLock.acquire(store(env).lock_path(), "beet wishlist download"):
        result = beet("wishlist", *args)
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: another spotify-extract run is in progress")
    assert f"pid {os.getpid()}, beet wishlist download" in line
    assert standin.invocations() == []
    assert [(e.spotify_track_id, e.status) for e in store(env).list_wishlist()] == before


def _wait_for(condition, what: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_ctrl_c_stops_imports_what_finished_and_fails(cli, standin: Standin) -> None:
    """Ctrl-C used to leave quietly with exit status 0 and the finished files unimported."""
    env, _ = cli
    _set_config(env, parallel_downloads=1)
    standin.tracks[B]["mode"] = "hang"  # A (ABBA) downloads first, then B hangs
    standin.save()
    environ = {**standin.env(), "BEETSDIR": str(env.root), "HOME": str(env.root)}
    process = subprocess.Popen(
        [str(BEET), "wishlist", "download"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: standin.pids_file.exists() and standin.pids_file.read_text(), "B")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode != 0, (out, err)
    assert "stopped (Ctrl-C)" in err
    assert "Traceback" not in err
    assert store(env).get_wishlist_entry(A).status == "imported", (out, err)
    assert store(env).get_wishlist_entry(B).status == "pending"
    assert store(env).get_wishlist_entry(C).status == "pending"
    assert [argv for argv in standin.invocations() if C in " ".join(argv)] == []
    # spotDL's own children went with it.
    for pid in standin.pids_file.read_text().split():
        _wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists(), f"pid {pid} to end", 30)


def test_every_download_failing_is_an_error(cli, standin: Standin) -> None:
    _, beet = cli
    for track in standin.tracks.values():
        track["mode"] = "fail"
    standin.save()
    result = beet("wishlist", "download")
    assert result.returncode != 0
    assert "0 downloaded, 3 failed" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("error: every download failed (3")


def test_a_bad_import_mode_stops_before_any_download(cli, standin: Standin) -> None:
    env, beet = cli
    _set_config(env, import_mode="bogus")
    result = beet("wishlist", "download")
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()  # the settings' one line
    assert line.startswith("error: ") and "import_mode" in line and "bogus" in line, line
    assert standin.invocations() == []
    assert store(env).get_wishlist_entry(A).status == "pending"
