"""The spotDL runner against the stand-in spotDL: real processes, real files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fixtures_wishlist import Standin
from mutagen.easyid3 import EasyID3
from spotify_extract import download_runner, downloaders
from spotify_extract.download_runner import DownloadRunner, RateCap
from spotify_extract.downloaders import DownloadJob, SpotDL

A = "4uLU6hMCjMI75M1A2tKUQC"
B = "7ouMYWpwJ422jRcDASZB7P"
C = "0VjIjW4GlUZAMYd2vXMi3b"


def runner(standin: Standin, tmp_path: Path, mode: str = "ok", **kwargs) -> DownloadRunner:
    return DownloadRunner(SpotDL(standin.command), tmp_path / "dl", env=standin.env(mode), **kwargs)


def test_track_url_accepts_only_track_ids() -> None:
    assert downloaders.track_url(A) == f"https://open.spotify.com/track/{A}"
    for bad in ["", "--output=/etc", A + "x", A[:-1] + "-", "../../etc/passwd", A[:-1] + "é"]:
        with pytest.raises(ValueError):
            downloaders.track_url(bad)


def test_arguments_are_a_list_with_the_url_and_output_folder(tmp_path: Path) -> None:
    args = downloaders.spotdl_arguments(["python3", "-m", "spotdl"], A, tmp_path)
    assert args[:4] == ["python3", "-m", "spotdl", "download"]
    assert args[4] == f"https://open.spotify.com/track/{A}"
    assert args[5:] == ["--output", str(tmp_path / "{artists} - {title}.{output-ext}")]


def test_split_command_like_a_shell() -> None:
    assert downloaders.split_command("'/opt/my tools/spotdl' --bitrate 320k") == [
        "/opt/my tools/spotdl",
        "--bitrate",
        "320k",
    ]
    with pytest.raises(downloaders.DownloaderError, match="spotdl_command"):
        downloaders.split_command("")
    with pytest.raises(downloaders.DownloaderError, match="cannot be parsed"):
        downloaders.split_command("spotdl 'unclosed")


def test_downloads_tagged_audio_into_the_tracks_own_folder(
    standin: Standin, tmp_path: Path
) -> None:
    standin.add(A, "Dancing Queen", "ABBA", "Arrival", isrc="SEAYD7601020")
    standin.add(B, "Song 2", "Blur", "Blur")
    results = runner(standin, tmp_path).run([DownloadJob(1, A), DownloadJob(2, B)])
    by_key = {result.job.key: result for result in results}
    assert all(result.ok for result in results), results
    file_a = by_key[1].file
    assert file_a is not None
    assert file_a.parent == tmp_path / "dl" / "spotify-extract" / A
    assert file_a.name == "ABBA - Dancing Queen.mp3"
    tags = EasyID3(file_a)
    assert tags["title"] == ["Dancing Queen"] and tags["isrc"] == ["SEAYD7601020"]
    assert download_runner.downloaded_file(tmp_path / "dl", A) == file_a
    assert download_runner.downloaded_file(tmp_path / "dl", B) == by_key[2].file
    # Nothing half-done is left behind.
    assert sorted(p.name for p in (tmp_path / "dl" / "spotify-extract").iterdir()) == sorted([A, B])
    # One process per track, with exactly the arguments we mean to pass.
    calls = standin.invocations()
    assert len(calls) == 2
    for call in calls:
        assert call[0] == "download" and call[2] == "--output" and len(call) == 4


def test_a_failure_keeps_spotdls_error_line(standin: Standin, tmp_path: Path) -> None:
    standin.add(A, "T", "A", mode="fail")
    [result] = runner(standin, tmp_path).run([DownloadJob(1, A)])
    assert not result.ok
    assert result.error.startswith("AudioProviderError: YT-DLP download error")
    assert "\n" not in result.error
    assert download_runner.downloaded_file(tmp_path / "dl", A) is None
    assert list((tmp_path / "dl" / "spotify-extract").iterdir()) == []


def test_a_track_spotdl_cannot_find(standin: Standin, tmp_path: Path) -> None:
    [result] = runner(standin, tmp_path).run([DownloadJob(1, C)])
    assert not result.ok and "No results found" in result.error


def test_exit_zero_without_a_file_is_a_failure(standin: Standin, tmp_path: Path) -> None:
    standin.add(A, "T", "A", mode="quiet")
    [result] = runner(standin, tmp_path).run([DownloadJob(1, A)])
    assert not result.ok
    assert result.error == "Processing query: https://open.spotify.com/track/" + A


def test_garbage_is_not_accepted_as_audio(standin: Standin, tmp_path: Path) -> None:
    standin.add(A, "T", "A", mode="garbage")
    [result] = runner(standin, tmp_path).run([DownloadJob(1, A)])
    assert not result.ok
    assert "not readable audio" in result.error and "A - T.mp3" in result.error


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_timeout_kills_the_whole_process_group(standin: Standin, tmp_path: Path) -> None:
    standin.add(A, "T", "A", mode="hang")
    standin.add(B, "Fine", "B")
    started = time.monotonic()
    results = runner(standin, tmp_path, timeout=1.5, kill_grace=0.5, parallel=2).run(
        [DownloadJob(1, A), DownloadJob(2, B)]
    )
    assert time.monotonic() - started < 30
    by_key = {result.job.key: result for result in results}
    assert not by_key[1].ok and "timed out after 1.5 s" in by_key[1].error
    assert by_key[2].ok
    pids = [int(line) for line in standin.pids_file.read_text().split()]
    assert pids
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids), "the hanging child survived"


def test_parallel_downloads_run_at_once(standin: Standin, tmp_path: Path) -> None:
    ids = [A, B, C]
    for index, track_id in enumerate(ids):
        standin.add(track_id, f"T{index}", "A", mode="slow")
    env = standin.env()
    env["SPOTDL_STANDIN_SLEEP"] = "2"
    starts: list[float] = []
    run = DownloadRunner(SpotDL(standin.command), tmp_path / "dl", env=env, parallel=3)
    results = run.run(
        [DownloadJob(i, t) for i, t in enumerate(ids)],
        on_start=lambda job: starts.append(time.monotonic()),
    )
    assert all(result.ok for result in results)
    # All three started before the first one (which sleeps 2 s) could have finished.
    assert max(starts) - min(starts) < 1.5


def test_rate_cap_stops_starting_new_downloads(standin: Standin, tmp_path: Path) -> None:
    standin.add(A, "T", "A")
    standin.add(B, "U", "A")
    now = time.time()
    cap = RateCap(3, recent_starts=[now - 4000, now - 100, now - 50])
    run = runner(standin, tmp_path, rate_cap=cap)
    results = run.run([DownloadJob(1, A), DownloadJob(2, B)])
    assert [result.job.key for result in results] == [1]
    assert run.rate_capped
    assert cap.remaining() == 0


def test_missing_program_is_one_clear_error(tmp_path: Path) -> None:
    run = DownloadRunner(SpotDL("no-such-spotdl-program --x"), tmp_path)
    with pytest.raises(
        downloaders.DownloaderError, match="spotDL not found: `no-such-spotdl-program`"
    ):
        run.run([DownloadJob(1, A)])


def test_error_line_picks_the_error() -> None:
    output = "Processing query\n\x1b[31mLookupError: No results\x1b[0m\nDone\n"
    assert downloaders.error_line(output, 0) == "LookupError: No results"
    assert downloaders.error_line("", 3) == "spotDL exited with status 3 and wrote no audio file"
    assert len(downloaders.error_line("error " * 200, 1)) == downloaders.MAX_ERROR_CHARS


def test_error_line_joins_a_wrapped_exception_message() -> None:
    output = (
        "│ ❱ 729 │   raise ConnectionError(e, request=request)   │\n"
        "╰──────────────────────────────────────────────────────╯\n"
        "ConnectionError: HTTPSConnectionPool(host='music.youtube.com', port=443): Max \n"
        "retries exceeded with url: / (Caused by NameResolutionError)\n"
        "\n"
        "Something else afterwards\n"
    )
    assert downloaders.error_line(output, 1) == (
        "ConnectionError: HTTPSConnectionPool(host='music.youtube.com', port=443): Max "
        "retries exceeded with url: / (Caused by NameResolutionError)"
    )
