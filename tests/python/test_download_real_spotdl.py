"""Against the real spotDL, when it is installed (the optional `download` extra).

CI does not install spotDL, so these skip there; with `pip install spotdl` they check
that every option we pass is one spotDL's `--help` documents, and that offline (no
network here) a download fails with spotDL's own message and changes nothing else.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from spotify_extract import spotdl
from spotify_extract.spotdl import DownloadJob, SpotdlRunner

SPOTDL = shutil.which("spotdl") or (
    str(Path(sys.executable).with_name("spotdl"))
    if Path(sys.executable).with_name("spotdl").exists()
    else None
)
pytestmark = pytest.mark.skipif(SPOTDL is None, reason="spotDL is not installed")

TRACK = "4uLU6hMCjMI75M1A2tKUQC"


def test_every_argument_we_pass_is_documented(tmp_path: Path) -> None:
    assert SPOTDL is not None
    help_text = subprocess.run(
        [SPOTDL, "--help"], capture_output=True, text=True, timeout=120, check=False
    ).stdout
    assert "usage: spotdl" in help_text
    args = spotdl.build_arguments([SPOTDL], TRACK, tmp_path)[1:]
    documented_options = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", help_text))
    operations = re.search(r"\{(download,[a-z,]+)\}", help_text)
    assert operations is not None
    for arg in args:
        if arg.startswith("-"):
            assert arg in documented_options, f"spotDL --help does not document {arg}"
    assert args[0] in operations.group(1).split(",")


def test_offline_the_download_fails_with_spotdls_message(tmp_path: Path) -> None:
    assert SPOTDL is not None
    runner = SpotdlRunner([SPOTDL], tmp_path / "dl", timeout=120)
    [result] = runner.run([DownloadJob(1, TRACK)])
    assert not result.ok
    assert result.error and "\n" not in result.error
    # Nothing but the empty downloads folder was left behind.
    assert list((tmp_path / "dl" / "spotify-extract").iterdir()) == []


def test_offline_the_entry_fails_with_the_message_and_nothing_else_changes(
    beets_env, capsys
) -> None:
    import beets
    from fixtures_wishlist import open_state_store, seed_wishlist
    from test_wishlist_commands import PLAYLISTS, wishlist

    seed_wishlist(beets_env, PLAYLISTS)
    beets.config["spotifyextract"]["spotdl_command"] = SPOTDL
    beets.config["spotifyextract"]["download_timeout"] = 120
    store = open_state_store(beets_env)
    before = {e.spotify_track_id: e.status for e in store.list_wishlist()}
    out = wishlist(beets_env, capsys, "download", "--limit", "1", "dancing")
    assert "0 downloaded, 1 failed" in out
    entry = store.get_wishlist_entry(TRACK)
    assert entry.status == "failed" and entry.retries == 1
    assert entry.error and "\n" not in entry.error
    after = {e.spotify_track_id: e.status for e in store.list_wishlist()}
    assert {k: v for k, v in after.items() if k != TRACK} == {
        k: v for k, v in before.items() if k != TRACK
    }
    assert list(beets_env.lib.items()) == []
    assert list((beets_env.download_dir / "spotify-extract").iterdir()) == []
