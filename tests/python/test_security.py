"""Security properties of the real parts: hostile playlist names stay inside the playlist
folder, Spotify data never becomes a spotDL option or shell text.

(See SECURITY.md for the table of bad inputs and the tests that show them.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures_wishlist import Standin
from spotify_extract import _native
from spotify_extract.download_runner import DownloadRunner
from spotify_extract.downloaders import DownloadJob, SpotDL

# Names a Spotify playlist (or an export file) can carry; bytes where they are not UTF-8.
HOSTILE_NAMES: list[str | bytes] = [
    "../escape",
    "../../../../../../tmp/escape",
    "/etc/cron.d/escape",
    "/",
    "..",
    ".",
    "a/../../b",
    "..\\..\\windows",
    "C:\\Windows\\evil",
    "sub/dir/name",
    b"nul\x00inside",
    b"\xff\xfe not utf-8 \xc0\xaf",  # \xc0\xaf: the overlong '/' of old exploits
    "line\nbreak\r",
    "\u202eu3m.exe",
    ".hidden",
    "CON",
    "nul.txt",
    "x" * 5000,
    "🔥" * 300,
    "\u2215fake slash\u2044",  # look-alike slashes are only characters
    "",
    "   ",
    "...",
]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


TEMPLATES = ["{name} (Spotify)", "../{name}", "/tmp/{name}", "{id}/{name}"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_playlist_names_cannot_escape_the_playlist_folder(template: str, tmp_path: Path) -> None:
    music = tmp_path / "music"
    (music / "Artist").mkdir(parents=True)
    song = music / "Artist" / "song.mp3"
    song.write_bytes(b"ID3")
    playlists_dir = tmp_path / "outer" / "playlists"
    # A decoy next to the playlist folder and a file at its parent: neither may change.
    (tmp_path / "outer").mkdir()
    decoy = tmp_path / "outer" / "escape (Spotify).m3u"
    decoy.write_text("not ours\n")
    before_outside = _snapshot(tmp_path / "outer")

    options = _native.MirrorOptions()
    options.playlist_dir = str(playlists_dir)
    options.library_root = str(music)
    options.style = _native.target_profile("mpd")
    options.name_template = template
    playlists = [
        _native.MirrorPlaylist(
            f"id{index:020d}/../x" if index % 3 == 0 else f"{index:022d}",
            name,
            [_native.MirrorEntry.matched(str(song), 100.0, "A", "T")],
        )
        for index, name in enumerate(HOSTILE_NAMES)
    ]
    result = _native.mirror(playlists, [], options)

    assert result.written == len(HOSTILE_NAMES)
    written = sorted(playlists_dir.iterdir())
    assert len(written) == len(HOSTILE_NAMES)  # none overwrote another
    for path in written:
        assert path.parent == playlists_dir
        assert path.is_file() and not path.is_symlink()
        assert not path.name.startswith(".")
        assert path.name.endswith(".m3u")
        assert len(os.fsencode(path.name)) <= 255
        path.name.encode("utf-8")  # valid UTF-8 (no surrogate escapes)
        lines = path.read_text().splitlines()
        assert lines[0] == "#EXTM3U" and lines[1].startswith("#SPOTIFY-EXTRACT:playlist=")
        assert lines[2:] == ["#EXTINF:100,A - T", "Artist/song.mp3"]
    for outcome in result.playlists:
        assert os.path.dirname(outcome.path) == os.fsencode(playlists_dir)
    # Nothing else under the test folder changed, and nothing appeared in /tmp or /etc.
    after_outside = {k: v for k, v in _snapshot(tmp_path / "outer").items() if "playlists" not in k}
    assert after_outside == before_outside
    assert not Path("/tmp/escape (Spotify).m3u").exists()
    assert not Path("/etc/cron.d/escape (Spotify).m3u").exists()


TRACK = "4uLU6hMCjMI75M1A2tKUQC"


def test_spotify_data_never_reaches_spotdl_as_options_or_shell_text(
    standin: Standin, tmp_path: Path
) -> None:
    pwned = tmp_path / "pwned"
    # Metadata is under the attacker's control (a playlist anyone can make public).
    standin.add(TRACK, f"--output=/tmp/x; touch {pwned}", f"-rf $(touch {pwned})", "`id`")
    runner = DownloadRunner(SpotDL(standin.command), tmp_path / "dl", env=standin.env())
    hostile_ids = [
        "--output=/etc/passwd",
        f"-{TRACK[1:]}",
        f"$(touch {pwned})",
        f"{TRACK}; touch {pwned}",
        f"{TRACK} --help",
        "../../../../etc/passwd",
        TRACK[:-1] + "\n",
    ]
    jobs = [
        DownloadJob(index, track_id, label=f"-x $(touch {pwned})")
        for index, track_id in enumerate(hostile_ids)
    ]
    jobs.append(DownloadJob(99, TRACK, label=f"--version; touch {pwned}"))
    results = {result.job.key: result for result in runner.run(jobs)}

    for index in range(len(hostile_ids)):
        assert not results[index].ok
        assert "not a Spotify track id" in results[index].error
    assert results[99].ok, results[99].error
    # Only the one valid track started spotDL, with the URL as its only free argument.
    invocations = standin.invocations()
    assert len(invocations) == 1
    argv = invocations[0]
    assert argv[argv.index("download") + 1] == f"https://open.spotify.com/track/{TRACK}"
    assert all(pwned.name not in argument for argument in argv)
    assert not pwned.exists()
    # The file spotDL wrote stays inside the track's own folder, whatever the title holds.
    assert results[99].file is not None
    assert results[99].file.parent == tmp_path / "dl" / "spotify-extract" / TRACK
