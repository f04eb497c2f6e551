"""The plugin's settings: every key of the `spotifyextract:` section checked before any
work, each bad value one line naming the key (real beets config, real `beet` processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import beets
import pytest
from beets import ui
from spotify_extract import settings

BEET = Path(sys.executable).with_name("beet")


@pytest.fixture
def load(tmp_path: Path) -> Iterator:
    """Reads a plugin section (YAML text) into beets' global config and checks it."""

    def read(section: str) -> settings.Settings:
        config_file = tmp_path / "config.yaml"
        config_file.write_text(
            f"directory: {tmp_path / 'music'}\nspotifyextract:\n" + section
            if section
            else f"directory: {tmp_path / 'music'}\n"
        )
        beets.config.clear()
        beets.config.read(user=False, defaults=True)
        beets.config.set_file(str(config_file))
        view = beets.config["spotifyextract"]
        view.add(settings.DEFAULTS)
        return settings.load(view)

    try:
        yield read
    finally:
        beets.config.clear()
        beets.config.read(user=False, defaults=True)


def test_defaults_come_from_one_place(load, tmp_path: Path) -> None:
    loaded = load("")
    assert loaded.redirect_port == 8888
    assert loaded.target == "mpd"
    assert loaded.name_template == "{name} (Spotify)"
    assert loaded.min_confidence == 0.85
    assert loaded.api_url == "https://api.spotify.com/v1"
    assert loaded.auth_url == "https://accounts.spotify.com"
    assert loaded.spotdl_command == ("spotdl",)
    assert loaded.playlist_extension is None and loaded.relative_to is None
    assert loaded.download_dir == tmp_path / "music"  # beets' directory
    assert loaded.state_dir == Path(beets.config.config_dir())
    assert loaded.import_singletons is True
    assert set(settings.DEFAULTS) == set(settings.TEMPLATES)


def test_good_values_are_typed(load, tmp_path: Path) -> None:
    loaded = load(
        "  client_id: 123456789\n"  # a bare number in YAML is still the id's text
        "  redirect_port: 0\n"
        "  playlist_extension: M3U8\n"
        "  name_template: 'Spotify {{x}} {id} {name}'\n"
        "  spotdl_command: python -m spotdl\n"
        "  download_timeout: 1.5\n"
        "  downloads_per_hour: 0\n"
        "  min_confidence: 1\n"
        "  import_mode: beets\n"
        "  forward_slash: no\n"
        "  target: prefix\n  path_prefix: /music\n"
        "  download_dir: downloads\n"
    )
    assert loaded.client_id == "123456789"
    assert loaded.playlist_extension == ".m3u8"
    assert loaded.spotdl_command == ("python", "-m", "spotdl")
    assert loaded.download_timeout == 1.5
    assert loaded.forward_slash is False
    assert loaded.import_singletons is None
    # Relative folders are relative to beets' config folder, as beets' own `directory`.
    assert loaded.download_dir == Path(beets.config.config_dir()) / "downloads"
    with pytest.raises(Exception):  # noqa: B017  (frozen)
        loaded.target = "mpd"  # type: ignore[misc]


BAD_VALUES = [
    ("redirect_port: abc", "redirect_port", "whole number from 0 to 65535"),
    ("redirect_port: 70000", "redirect_port", "65535"),
    ("download_timeout: 0", "download_timeout", "greater than 0"),
    ("download_timeout: -5", "download_timeout", "greater than 0"),
    ("parallel_downloads: 0", "parallel_downloads", "from 1 to"),
    ("parallel_downloads: yes", "parallel_downloads", "from 1 to"),
    ("downloads_per_hour: -1", "downloads_per_hour", "at least 0"),
    ("playlist_extension: .txt", "playlist_extension", ".m3u or .m3u8"),
    ("playlist_extension: ../x", "playlist_extension", ".m3u or .m3u8"),
    ("liked_songs_playlist: maybe", "liked_songs_playlist", "yes or no"),
    ("client_id: [1, 2]", "client_id", "must be text"),
    ("name_template: '{bogus}'", "name_template", "{bogus} is not a field"),
    ("name_template: 'Spotify'", "name_template", "{name} or {id}"),
    ("name_template: 'a/{name}'", "name_template", "no /"),
    ("write_attributes: maybe", "write_attributes", "yes or no"),
    ("import_mode: bogus", "import_mode", "singletons, albums, beets"),
    ("target: winamp", "target", "mpd, sonos"),
    ("target: prefix", "path_prefix", "needs the root"),
    ("relative_to: home", "relative_to", "library, playlist, absolute"),
    ("non_utf8_paths: mangle", "non_utf8_paths", "skip, write"),
    ("min_confidence: 1.5", "min_confidence", "at most 1"),
    ("min_confidence: 0", "min_confidence", "greater than 0"),
    ("min_confidence: high", "min_confidence", "greater than 0"),
    ("api_url: ftp://example.com", "api_url", "http:// or https://"),
    ("spotdl_command: ''", "spotdl_command", "empty"),
    ("spotdl_command: 'spotdl \"unclosed'", "spotdl_command", "cannot be split"),
    ("ca_file: /nonexistent/ca.pem", "ca_file", "is not a file"),
]


@pytest.mark.parametrize(("line", "key", "fix"), BAD_VALUES)
def test_a_bad_value_is_one_line_naming_the_key(load, line: str, key: str, fix: str) -> None:
    with pytest.raises(ui.UserError) as error:
        load(f"  {line}\n")
    message = str(error.value)
    assert f"spotifyextract.{key}" in message
    assert fix in message
    assert "config.yaml" in message or "spotifyextract: section" in message
    assert "\n" not in message


@pytest.mark.parametrize("key", ["download_dir", "state_dir", "playlist_dir"])
def test_a_file_where_a_folder_belongs(load, tmp_path: Path, key: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(ui.UserError, match=rf"spotifyextract\.{key}: .*a-file is a file"):
        load(f"  {key}: {a_file}\n")


def test_unknown_keys_are_only_reported(load, caplog: pytest.LogCaptureFixture) -> None:
    loaded = load("  min_confidance: 0.5\n")
    assert loaded.min_confidence == 0.85


# -- the same through `beet`, before any work ------------------------------------------


def beet_home(tmp_path: Path, section: str) -> dict[str, str]:
    home = tmp_path / "beets"
    home.mkdir(exist_ok=True)
    (home / "config.yaml").write_text(
        "plugins: spotifyextract\n"
        f"library: {tmp_path / 'library.db'}\n"
        f"directory: {tmp_path / 'music'}\n"
        "spotifyextract:\n"
        f"  playlist_dir: {tmp_path / 'playlists'}\n" + section
    )
    return {**os.environ, "BEETSDIR": str(home)}


def beet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BEET), *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "section",
    [
        "  redirect_port: abc\n",
        "  write_attributes: maybe\n",
        "  import_mode: bogus\n",
        "  client_id: [1, 2]\n",
    ],
)
def test_beet_stops_before_any_work(tmp_path: Path, section: str) -> None:
    env = beet_home(tmp_path, section + f"  state_dir: {tmp_path / 'state'}\n")
    for args in (
        ["spotify-extract"],
        ["spotify-extract", "--login"],
        ["spotify-extract", "--status"],
    ):
        result = beet(env, *args)
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: spotifyextract.")
    assert not (tmp_path / "state").exists()  # nothing was created
    assert not (tmp_path / "playlists").exists()


@pytest.mark.parametrize("where", ["file", "proc"])
def test_an_unusable_state_dir_is_one_line(tmp_path: Path, where: str) -> None:
    if where == "file":
        state = tmp_path / "state-file"
        state.write_text("not a folder")
    else:
        state = Path("/proc/spotify-extract-state")
    env = beet_home(tmp_path, f"  state_dir: {state}\n  client_id: abc\n  redirect_port: 0\n")
    for args in (["spotify-extract", "--login"], ["spotify-extract", "--review"]):
        result = beet(env, *args)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "state" in lines[0] and str(state) in lines[0]


def test_a_download_dir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "downloads"
    a_file.write_text("x")
    env = beet_home(tmp_path, f"  download_dir: {a_file}\n  state_dir: {tmp_path / 'state'}\n")
    result = beet(env, "spotify-extract")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: spotifyextract.download_dir: {a_file} is a file, not a folder "
        f"(in the spotifyextract: section of {tmp_path / 'beets' / 'config.yaml'})"
    )
