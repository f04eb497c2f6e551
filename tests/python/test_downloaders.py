"""The downloaders behind one interface (spotDL, yt-dlp, command templates and the sldl
preset), each with its stand-in executable, and the check of what arrives before import."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import beets
import mutagen
import pytest
from beets import ui
from fixtures_wishlist import BeetsEnv, Standin, open_state_store, seed_wishlist
from spotify_extract import downloaders, settings, verify
from spotify_extract.download_runner import DownloadRunner, rejected_folder
from spotify_extract.downloaders import DownloadJob
from test_wishlist_commands import PLAYLISTS, A, B, C, wishlist

STANDINS = Path(__file__).resolve().parents[1] / "downloader_standins"

TEARDROP = DownloadJob(
    3,
    C,
    "Massive Attack - Teardrop",
    artist="Massive Attack",
    title="Teardrop",
    album="Mezzanine",
    duration_ms=1000,
)


def tool_bin(tmp_path: Path, *names: str) -> Path:
    """A folder with `yt-dlp` / `sldl` that run the stand-ins with this Python (they need
    mutagen), to put first on PATH as the real programs would be."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name in names:
        wrapper = folder / name
        wrapper.write_text(
            f"#!/bin/sh\nexec {shlex.quote(sys.executable)} "
            f'{shlex.quote(str(STANDINS / name))} "$@"\n'
        )
        wrapper.chmod(0o755)
    return folder


@pytest.fixture
def tools(tmp_path: Path, standin: Standin, monkeypatch: pytest.MonkeyPatch) -> Standin:
    """The stand-ins' track table (the spotDL stand-in's) and yt-dlp/sldl on PATH."""
    folder = tool_bin(tmp_path, "yt-dlp", "sldl")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    standin.add(C, "Teardrop", "Massive Attack", "Mezzanine", isrc="GBAAA9800001")
    standin.install_env(monkeypatch)
    return standin


def argv_log(standin: Standin) -> list[list[str]]:
    return standin.invocations()


# --------------------------------------------------------------------------------------
# yt-dlp


def test_yt_dlp_searches_the_isrc_and_tags_the_file_from_spotify(tools, tmp_path) -> None:
    job = DownloadJob(
        3,
        C,
        artist="Massive Attack",
        title="Teardrop",
        album="Mezzanine",
        isrc="GBAAA9800001",
        duration_ms=1000,
    )
    [result] = DownloadRunner(downloaders.YtDlp(), tmp_path / "dl").run([job])
    assert result.ok, result.error
    [argv] = argv_log(tools)
    assert argv[-1] == "ytsearch1:GBAAA9800001"
    assert "--ignore-config" in argv and "--extract-audio" in argv
    tags = mutagen.File(result.file, easy=True)
    assert tags["title"] == ["Teardrop"] and tags["artist"] == ["Massive Attack"]
    assert tags["album"] == ["Mezzanine"] and tags["isrc"] == ["GBAAA9800001"]


def test_yt_dlp_falls_back_to_artist_and_title(tools, tmp_path) -> None:
    # The ISRC finds nothing (yt-dlp: an empty search, no error): the second search runs.
    job = DownloadJob(3, C, artist="Massive Attack", title="Teardrop", isrc="USXXX0000000")
    [result] = DownloadRunner(downloaders.YtDlp(), tmp_path / "dl").run([job])
    assert result.ok, result.error
    assert [argv[-1] for argv in argv_log(tools)] == [
        "ytsearch1:USXXX0000000",
        "ytsearch1:Massive Attack - Teardrop",
    ]


def test_yt_dlp_failure_is_its_error_line(tools, tmp_path) -> None:
    tools.tracks[C]["mode"] = "fail"
    tools.save()
    [result] = DownloadRunner(downloaders.YtDlp(), tmp_path / "dl").run([TEARDROP])
    assert not result.ok
    assert result.error == "ERROR: [youtube] abcdefghijk: Sign in to confirm you're not a bot"
    assert list((tmp_path / "dl" / "spotify-extract").iterdir()) == []


def test_yt_dlp_timeout_stops_it(tools, tmp_path) -> None:
    tools.tracks[C]["mode"] = "hang"
    tools.save()
    runner = DownloadRunner(downloaders.YtDlp(), tmp_path / "dl", timeout=1, kill_grace=1)
    [result] = runner.run([TEARDROP])
    assert not result.ok and "timed out after 1 s (download_timeout); yt-dlp was stopped" in (
        result.error
    )


# --------------------------------------------------------------------------------------
# Command templates and the sldl preset


def test_template_fills_each_argument_without_a_shell(tools, tmp_path) -> None:
    proof = tmp_path / "pwned"
    tools.add(A, f"Dancing Queen $(touch {proof})", "ABBA; rm -rf /", "Arrival")
    template = ["sldl", "{artist} - {title}", "--input-type", "string", "--path", "{dir}"]
    job = DownloadJob(1, A, artist="ABBA; rm -rf /", title=f"Dancing Queen $(touch {proof})")
    [result] = DownloadRunner(downloaders.CommandTemplate(template), tmp_path / "dl").run([job])
    assert result.ok, result.error
    [argv] = argv_log(tools)
    assert argv[1] == f"ABBA; rm -rf / - Dancing Queen $(touch {proof})"
    assert argv[-1].endswith(".part-" + argv[-1].rsplit(".part-", 1)[1])
    assert not proof.exists()
    # sldl left the file in a sub-folder: the track's folder holds it at its top.
    assert result.file.parent.name == A


def test_the_sldl_preset_downloads_into_the_tracks_folder(tools, tmp_path) -> None:
    sldl = downloaders.from_settings(("sldl",), ("spotdl",))
    [result] = DownloadRunner(sldl, tmp_path / "dl").run([TEARDROP])
    assert result.ok, result.error
    [argv] = argv_log(tools)
    assert argv[1:4] == ["Massive Attack - Teardrop", "--input-type", "string"]
    assert mutagen.File(result.file, easy=True)["title"] == ["Teardrop"]


def test_a_value_that_would_be_an_option_fails_only_that_track(tools, tmp_path) -> None:
    template = downloaders.CommandTemplate(["sldl", "{title}", "--path", "{dir}"])
    job = DownloadJob(1, A, artist="X", title="--help")
    [result] = DownloadRunner(template, tmp_path / "dl").run([job])
    assert not result.ok and "read as an option" in result.error
    assert argv_log(tools) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mytool {artist} {nope}", "{nope} is not a placeholder"),
        ("mytool --out {dir}", "needs at least one of {artist} {title} {isrc} {url}"),
        ("mytool '{title}", "cannot be split"),
    ],
)
def test_a_bad_template_is_one_line_before_any_work(beets_env, value, message) -> None:
    beets.config["spotifyextract"]["downloader"] = value
    with pytest.raises(ui.UserError, match=r"spotifyextract\.downloader") as error:
        settings.load(beets.config["spotifyextract"])
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_downloader_key(beets_env) -> None:
    loaded = settings.load(beets.config["spotifyextract"])
    assert loaded.downloader == ("spotdl",) and loaded.verify_tolerance == 10
    beets.config["spotifyextract"]["downloader"] = "yt-dlp"
    beets.config["spotifyextract"]["verify_tolerance"] = 3
    loaded = settings.load(beets.config["spotifyextract"])
    assert loaded.downloader == ("yt-dlp",) and loaded.verify_tolerance == 3
    beets.config["spotifyextract"]["downloader"] = ["my tool", "{url}", "--to={dir}"]
    loaded = settings.load(beets.config["spotifyextract"])
    assert isinstance(downloaders.from_settings(loaded.downloader, ()), downloaders.CommandTemplate)


# --------------------------------------------------------------------------------------
# spotDL's version


def test_spotdl_version_is_detected(standin: Standin) -> None:
    spotdl = downloaders.SpotDL(standin.command)
    spotdl.check(standin.env())
    assert spotdl.version == "4.4.3"


def test_an_unknown_spotdl_major_version_is_one_line(standin: Standin, tmp_path) -> None:
    env = {**standin.env(), "SPOTDL_STANDIN_VERSION": "5.0.0rc1"}
    runner = DownloadRunner(downloaders.SpotDL(standin.command), tmp_path / "dl", env=env)
    with pytest.raises(downloaders.DownloaderError) as error:
        runner.run([DownloadJob(1, A)])
    message = str(error.value)
    assert message.startswith("spotDL 5.0.0 is a version this plugin does not know how to call")
    assert "spotifyextract.downloader" in message and "\n" not in message
    assert standin.invocations() == []  # no download started


# --------------------------------------------------------------------------------------
# What arrives is checked before import


def test_a_wrong_version_is_rejected_and_kept(tools, tmp_path) -> None:
    tools.tracks[C]["found_title"] = "Teardrop (Live at Glastonbury)"
    tools.save()
    runner = DownloadRunner(
        downloaders.SpotDL(tools.command), tmp_path / "dl", verify=verify.verifier(10)
    )
    [result] = runner.run([TEARDROP])
    assert not result.ok
    assert result.error.startswith(
        "rejected: its title 'Teardrop (Live at Glastonbury)' is a live version, not wanted"
    )
    assert result.rejected is not None and result.rejected.is_file()
    assert result.rejected.parent == rejected_folder(tmp_path / "dl", C)
    assert str(result.rejected.relative_to(tmp_path / "dl")) in result.error
    # A second rejected copy does not replace the first.
    [again] = runner.run([TEARDROP])
    assert again.rejected != result.rejected and result.rejected.is_file()


def test_a_wrong_length_is_rejected(tools, tmp_path) -> None:
    tools.tracks[C]["seconds"] = 14
    tools.save()
    runner = DownloadRunner(downloaders.YtDlp(), tmp_path / "dl", verify=verify.verifier(10))
    [result] = runner.run([TEARDROP])
    assert not result.ok
    assert "it lasts 0:14, Spotify's track 0:01 (more than verify_tolerance 10 s apart)" in (
        result.error
    )
    # Rejected before tagging: the file is as yt-dlp left it.
    assert "title" not in (mutagen.File(result.rejected, easy=True).tags or {})
    runner = DownloadRunner(downloaders.YtDlp(), tmp_path / "dl", verify=verify.verifier(15))
    [result] = runner.run([TEARDROP])
    assert result.ok, result.error


def test_the_title_falls_back_to_the_file_name(tools, tmp_path) -> None:
    # yt-dlp's file is untagged and named after the video.
    tools.tracks[C]["found_title"] = "Massive Attack - Teardrop (Karaoke Version)"
    tools.save()
    runner = DownloadRunner(downloaders.YtDlp(), tmp_path / "dl", verify=verify.verifier(10))
    [result] = runner.run([TEARDROP])
    assert "is a karaoke version, not wanted" in result.error


@pytest.fixture
def seeded(beets_env: BeetsEnv, tools: Standin) -> tuple[BeetsEnv, Standin]:
    seed_wishlist(beets_env, PLAYLISTS)
    for playlist in PLAYLISTS.values():
        for track in playlist:
            tools.add(
                track["id"],
                track["title"],
                track["artist"],
                track["album"],
                isrc=track.get("isrc", ""),
            )
    return beets_env, tools


def test_wishlist_download_with_yt_dlp_rejects_imports_and_refills(
    seeded, capsys, tmp_path
) -> None:
    env, tools = seeded
    tools.tracks[C]["found_title"] = "Teardrop (Instrumental)"
    tools.save()
    playlists = tmp_path / "playlists"
    beets.config["spotifyextract"]["downloader"] = "yt-dlp"
    beets.config["spotifyextract"]["playlist_dir"] = str(playlists)
    beets.config["spotifyextract"]["target"] = "absolute"
    store = open_state_store(env)
    out = wishlist(env, capsys, "download", "--playlist", "Chill")
    assert "1 downloaded, 1 failed" in out and "1 imported, 0 not imported" in out
    rejected = store.get_wishlist_entry(C)
    assert rejected.status == "failed" and rejected.retries == 1
    assert rejected.error.startswith("rejected: its title 'Teardrop (Instrumental)'")
    assert list(rejected_folder(env.download_dir, C).iterdir())
    imported = store.get_wishlist_entry(B)
    assert imported.status == "imported"
    item = env.lib.get_item(imported.item_id)
    assert item.title == "Song 2" and item["spotify_track_id"] == B
    chill = (playlists / "Chill (Spotify).m3u").read_text(encoding="utf-8")
    assert os.fsdecode(item.path) in chill
    # Retry once the right version can be found: it comes in, the rejected file stays.
    tools.tracks[C].pop("found_title")
    tools.save()
    wishlist(env, capsys, "retry", "teardrop")
    out = wishlist(env, capsys, "download", "--playlist", "Chill")
    assert "1 downloaded, 0 failed" in out
    assert store.get_wishlist_entry(C).status == "imported"
    assert list(rejected_folder(env.download_dir, C).iterdir())
    assert json.dumps(store.get_wishlist_entry(A).status) == '"pending"'
