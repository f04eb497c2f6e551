"""The real `beet` executable: wishlist download + import, any import closing entries,
and errors as one line with a non-zero exit status."""

from __future__ import annotations

import subprocess
import sys
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
    from spotify_extract.spotdl import DownloadJob, SpotdlRunner

    [bought] = SpotdlRunner(standin.command, tmp_path / "bought", env=standin.env()).run(
        [DownloadJob(1, C)]
    )
    assert bought.file is not None
    result = beet("import", "-q", "-s", "-A", str(bought.file))
    assert result.returncode == 0, result.stderr
    entry = store(env).get_wishlist_entry(C)
    assert entry.status == "imported", (entry, result.stdout, result.stderr)
    assert store(env).get_match(C).method == "exact"


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
