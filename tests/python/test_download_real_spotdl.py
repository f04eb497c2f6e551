"""Against the real spotDL and yt-dlp (`make setup` installs both, in their own venv
linked into .venv/bin; CI too).

They check that spotDL's version is one we know and every option we pass is one its
`--help` documents, and that offline (no network here) a download with either fails
with the program's own message and changes nothing else. Outside CI they skip when the
programs are not installed; in CI a missing one fails.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from spotify_extract import downloaders
from spotify_extract.download_runner import DownloadRunner
from spotify_extract.downloaders import DownloadJob, SpotDL

SPOTDL = downloaders.find_executable(["spotdl"])
YT_DLP = downloaders.find_executable(["yt-dlp"])
if os.environ.get("CI") and (SPOTDL is None or YT_DLP is None):
    raise RuntimeError("CI must run these: `make downloaders` installs spotDL and yt-dlp")
needs_spotdl = pytest.mark.skipif(SPOTDL is None, reason="spotDL is not installed")
needs_yt_dlp = pytest.mark.skipif(YT_DLP is None, reason="yt-dlp is not installed")

TRACK = "4uLU6hMCjMI75M1A2tKUQC"


@needs_spotdl
def test_every_argument_we_pass_is_documented(tmp_path: Path) -> None:
    assert SPOTDL is not None
    help_text = subprocess.run(
        [SPOTDL, "--help"], capture_output=True, text=True, timeout=120, check=False
    ).stdout
    assert "usage: spotdl" in help_text
    args = downloaders.spotdl_arguments([SPOTDL], TRACK, tmp_path)[1:]
    documented_options = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", help_text))
    operations = re.search(r"\{(download,[a-z,]+)\}", help_text)
    assert operations is not None
    for arg in args:
        if arg.startswith("-"):
            assert arg in documented_options, f"spotDL --help does not document {arg}"
    assert args[0] in operations.group(1).split(",")


@needs_yt_dlp
def test_every_yt_dlp_option_we_pass_is_documented(tmp_path: Path) -> None:
    help_text = subprocess.run(
        [YT_DLP, "--help"], capture_output=True, text=True, timeout=120, check=False
    ).stdout
    documented_options = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", help_text))
    job = DownloadJob(1, TRACK, artist="ABBA", title="Dancing Queen", isrc="SEAYD7601020")
    for args in downloaders.YtDlp([YT_DLP]).attempts(job, tmp_path):
        for arg in args[1:]:
            if arg.startswith("-"):
                assert arg in documented_options, f"yt-dlp --help does not document {arg}"


@needs_spotdl
def test_the_installed_spotdl_is_a_version_we_know() -> None:
    spotdl = SpotDL([SPOTDL])
    spotdl.check()
    assert spotdl.version.split(".")[0] == "4"


@needs_spotdl
def test_offline_the_download_fails_with_spotdls_message(tmp_path: Path) -> None:
    runner = DownloadRunner(SpotDL([SPOTDL]), tmp_path / "dl", timeout=120)
    [result] = runner.run([DownloadJob(1, TRACK)])
    assert not result.ok
    assert result.error and "\n" not in result.error
    # spotDL's own words: the exception that ended it, not ours.
    assert re.match(r"[\w.]*(Error|Exception)\b", result.error), result.error
    # Nothing but the empty downloads folder was left behind.
    assert list((tmp_path / "dl" / "spotify-extract").iterdir()) == []


@needs_yt_dlp
def test_offline_yt_dlp_fails_with_its_message(tmp_path: Path) -> None:
    job = DownloadJob(1, TRACK, artist="ABBA", title="Dancing Queen", isrc="SEAYD7601020")
    runner = DownloadRunner(downloaders.YtDlp([YT_DLP]), tmp_path / "dl", timeout=120)
    [result] = runner.run([job])
    assert not result.ok
    assert result.error.startswith("ERROR: ") and "\n" not in result.error, result.error
    assert list((tmp_path / "dl" / "spotify-extract").iterdir()) == []


@pytest.mark.parametrize(
    ("downloader", "own_words"),
    [
        pytest.param("spotdl", r"[\w.]*(Error|Exception)\b", marks=needs_spotdl),
        pytest.param("yt-dlp", r"ERROR: ", marks=needs_yt_dlp),
    ],
)
def test_offline_the_entry_fails_with_the_message_and_nothing_else_changes(
    beets_env, capsys, downloader: str, own_words: str
) -> None:
    import beets
    from beets import ui
    from fixtures_wishlist import open_state_store, seed_wishlist
    from test_wishlist_commands import PLAYLISTS, wishlist

    seed_wishlist(beets_env, PLAYLISTS)
    beets.config["spotifyextract"]["downloader"] = downloader
    beets.config["spotifyextract"]["download_timeout"] = 120
    store = open_state_store(beets_env)
    before = {e.spotify_track_id: (e.status, e.retries) for e in store.list_wishlist()}
    with pytest.raises(ui.UserError, match="every download failed"):
        wishlist(beets_env, capsys, "download", "--limit", "1", "dancing")
    assert "0 downloaded, 1 failed" in capsys.readouterr().out
    entry = store.get_wishlist_entry(TRACK)
    assert entry.status == "failed" and entry.retries == 1
    assert re.match(own_words, entry.error) and "\n" not in entry.error, entry.error
    after = {e.spotify_track_id: (e.status, e.retries) for e in store.list_wishlist()}
    assert {k: v for k, v in after.items() if k != TRACK} == {
        k: v for k, v in before.items() if k != TRACK
    }
    assert list(beets_env.lib.items()) == []
    assert list((beets_env.download_dir / "spotify-extract").iterdir()) == []
