"""`beet spotify-sync`: the whole cycle run the way cron and systemd run it.

Real parts throughout: beets with a real library of real audio files, the Spotify
emulator, the stand-in spotDL, a real MPD and a real supysonic (Debian's). Jellyfin and
Plex cannot run here: their requests go to a recorder.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fixtures_players import SUPYSONIC_PASSWORD, SUPYSONIC_USER
from fixtures_playlist import BEET, BeetsSetup, write_beets_config
from fixtures_wishlist import STANDIN

from tests.emulator import Library
from tests.python.fixtures_client import write_token_file

PLAYLIST = "Road Trip"
PLAYLIST_FILE = f"{PLAYLIST} (Spotify)"
NEW_TRACK = {"title": "Brand New Song", "artist": "Fresh Face", "album": "Debut"}
MPD_PASSWORD = "mpd-pass"


@dataclass
class SyncWorld:
    setup: BeetsSetup
    home: Path  # HOME of the scheduled runs
    emulator: Any
    state_dir: Path
    playlist_dir: Path
    standin_tracks: Path
    track_ids: list[str]

    def write_config(self, **extra: Any) -> None:
        settings = {
            "client_id": self.emulator.client_id,
            "api_url": self.emulator.api_url,
            "auth_url": self.emulator.auth_url,
            "state_dir": str(self.state_dir),
            "playlist_dir": str(self.playlist_dir),
            "target": "mpd",
            "liked_songs_playlist": False,
            "audio_features": False,
            # The stand-in spotDL learns its tracks from its environment: given here, so
            # that the scheduled run's own environment stays empty.
            "spotdl_command": [
                "/usr/bin/env",
                f"SPOTDL_STANDIN_TRACKS={self.standin_tracks}",
                sys.executable,
                str(STANDIN),
            ],
            **extra,
        }
        write_beets_config(
            self.setup.root,
            self.setup.music,
            "plugins: spotifyextract\nspotifyextract: " + json.dumps(settings) + "\n",
        )

    def beet(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BEET), *args],
            env=env or {**self.setup.env, "HOME": str(self.home)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def scheduled_command(self, *options: str) -> str:
        """The command of the cron line `--print-schedule` prints."""
        printed = self.beet("spotify-sync", "--print-schedule", *options)
        assert printed.returncode == 0, printed.stderr
        [cron] = [line for line in printed.stdout.splitlines() if line and line[0] in "0123456789*"]
        return cron.split(" ", 5)[5]

    def scheduled_run(self, command: str) -> subprocess.CompletedProcess:
        """As cron runs it: /bin/sh -c, an environment of HOME alone, no terminal."""
        return subprocess.run(
            ["/bin/sh", "-c", command],
            env={"HOME": str(self.home)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture
def sync_world(beets_library: BeetsSetup, emulator_factory, tmp_path: Path) -> SyncWorld:
    from fixtures_playlist import TRACKS

    tracks = [
        {"title": title, "artist": artist, "album": Path(relative).parent.name, "length": seconds}
        for relative, artist, title, seconds in TRACKS
    ]
    tracks.append(dict(NEW_TRACK, length=2))
    library = Library.from_tracks(tracks, playlists=[{"name": PLAYLIST, "tracks": [0, 1, 2, 3]}])
    emulator = emulator_factory(library=library, mode="development")
    track_ids = list(library.tracks)
    state_dir = tmp_path / "state"
    write_token_file(state_dir, emulator.issue_token())
    standin_tracks = tmp_path / "standin_tracks.json"
    standin_tracks.write_text(json.dumps({track_ids[6]: NEW_TRACK}))
    home = tmp_path / "home"
    home.mkdir()
    world = SyncWorld(
        beets_library,
        home,
        emulator,
        state_dir,
        tmp_path / "mpd-playlists",
        standin_tracks,
        track_ids,
    )
    world.write_config()
    return world


def mpd_entry(refresh_mpd) -> dict[str, Any]:
    return {"mpd": {"host": "127.0.0.1", "port": refresh_mpd.port, "password": MPD_PASSWORD}}


def test_a_scheduled_run_after_a_change_updates_mpd_and_supysonic(
    sync_world: SyncWorld, mpd_server, supysonic_server
) -> None:
    world = sync_world
    mpd = mpd_server(world.setup.music, world.playlist_dir, password=MPD_PASSWORD)
    supysonic = supysonic_server(world.setup.music)
    world.write_config(
        refresh=[
            mpd_entry(mpd),
            {
                "subsonic": {
                    "url": supysonic.url,
                    "user": SUPYSONIC_USER,
                    "password": SUPYSONIC_PASSWORD,
                    "auth": "password",
                    "push_playlists": True,
                }
            },
        ]
    )
    command = world.scheduled_command("--every", "6h")
    assert command.startswith("BEETSDIR=")

    first = world.scheduled_run(command)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines()[0] == "spotify-sync: 1 playlist(s) rewritten"
    assert mpd.mpc("lsplaylists") == [PLAYLIST_FILE]
    assert len(mpd.mpc("-f", "%file%", "playlist", PLAYLIST_FILE)) == 4
    assert len(supysonic.playlists()[PLAYLIST_FILE]) == 4

    # Nothing changed: nothing printed, nothing refreshed.
    again = world.scheduled_run(command)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")

    # The change: two more tracks on the playlist, one of them not in the library yet.
    world.emulator.library.add_to_playlist(
        world.emulator.library.playlists[0].id, [world.track_ids[4], world.track_ids[6]]
    )
    changed = world.scheduled_run(command)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert changed.stderr == ""
    digest = changed.stdout.splitlines()
    assert digest[0].startswith("spotify-sync: ")
    for part in ("1 downloaded", "1 imported", "1 playlist(s) rewritten"):
        assert part in digest[0], digest
    assert any(line.startswith("mpd (127.0.0.1:") for line in digest), digest
    assert any("playlists: 0 created, 1 updated" in line for line in digest), digest

    files = mpd.mpc("-f", "%file%", "playlist", PLAYLIST_FILE)
    assert len(files) == 6 and files[-1].endswith(".mp3")
    # Every entry resolves against MPD's database (titles come from there).
    titles = mpd.mpc("-f", "%title%", "playlist", PLAYLIST_FILE)
    assert len(titles) == 6 and all(titles) and titles[-1] == NEW_TRACK["title"]
    on_server = supysonic.playlists()[PLAYLIST_FILE]
    assert len(on_server) == 6 and on_server[-1] == files[-1]


def test_a_second_run_waits_then_leaves_with_one_line(sync_world: SyncWorld) -> None:
    from spotify_extract import _native

    world = sync_world
    world.write_config(sync_wait=0.5)
    store = _native.StateStore(str(world.state_dir / "spotify_extract.db"))
    with _native.RunLock.acquire(store.lock_path(), "beet spotify-sync"):
        second = world.beet("spotify-sync", "--quiet")
    assert second.returncode == 0
    assert second.stderr == ""
    [line] = second.stdout.splitlines()
    assert "another spotify-extract run is in progress" in line and "waited 0.5 s" in line
    assert not world.playlist_dir.exists()  # it did nothing


def test_a_player_that_fails_is_one_line_and_the_run_succeeds(
    sync_world: SyncWorld, mpd_server, request_recorder
) -> None:
    world = sync_world
    mpd = mpd_server(world.setup.music, world.playlist_dir, password=MPD_PASSWORD)
    jellyfin = request_recorder()
    jellyfin.token_header, jellyfin.token = "Authorization", 'MediaBrowser Token="right"'
    world.write_config(
        refresh=[
            {"mpd": {"host": "127.0.0.1", "port": mpd.port, "password": "wrong"}},
            {"subsonic": {"url": "http://127.0.0.1:9", "user": "me", "password": "pw"}},
            {"jellyfin": {"url": jellyfin.url, "api_key": "not-the-key"}},
        ]
    )
    result = world.beet("spotify-sync", "--quiet", "--max-downloads", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "spotify-sync: 1 playlist(s) rewritten"
    assert lines[1:] == [
        f"mpd (127.0.0.1:{mpd.port}): not refreshed: wrong password (MPD refused it)",
        "subsonic (http://127.0.0.1:9): not refreshed: cannot reach "
        "http://127.0.0.1:9/rest/ping (Connection refused)",
        f"jellyfin ({jellyfin.url}): not refreshed: HTTP 401 (unauthorized: check the "
        f"key/token) from {jellyfin.url}/Library/Refresh",
    ]
    assert "not-the-key" not in result.stdout + result.stderr
    # Nothing lost: the playlist was written all the same.
    assert (world.playlist_dir / f"{PLAYLIST_FILE}.m3u").is_file()
    # A player that failed is tried again by the next run, changed or not.
    again = world.beet("spotify-sync", "--quiet", "--max-downloads", "0")
    assert again.returncode == 0
    assert [line.split(":")[0] for line in again.stdout.splitlines()][1:] == [
        "mpd (127.0.0.1",
        "subsonic (http",
        "jellyfin (http",
    ]


def test_jellyfin_and_plex_get_their_documented_requests(
    sync_world: SyncWorld, request_recorder
) -> None:
    world = sync_world
    jellyfin, plex = request_recorder(), request_recorder()
    world.write_config(
        refresh=[
            {"jellyfin": {"url": jellyfin.url, "api_key": "jf-key"}},
            {"plex": {"url": plex.url + "/", "token": "plex-token", "section": "3"}},
        ]
    )
    result = world.beet("spotify-sync", "--max-downloads", "0")
    assert result.returncode == 0, result.stderr
    [jf] = jellyfin.requests
    assert (jf.method, jf.path) == ("POST", "/Library/Refresh")
    assert jf.headers["authorization"] == 'MediaBrowser Token="jf-key"'
    [px] = plex.requests
    assert (px.method, px.path) == ("GET", "/library/sections/3/refresh")
    assert px.headers["x-plex-token"] == "plex-token"
    assert f"jellyfin ({jellyfin.url}): library scan started" in result.stdout
    assert f"plex ({plex.url}): library scan started (section 3)" in result.stdout
    for secret in ("jf-key", "plex-token"):
        assert secret not in result.stdout + result.stderr


def test_subsonic_token_authentication_as_the_api_defines_it(
    sync_world: SyncWorld, request_recorder
) -> None:
    """t = md5(password + s), a new salt s each request, in the form body (not the URL)."""
    import hashlib
    import urllib.parse

    world = sync_world
    server = request_recorder()
    server.status = 500  # the answer is not the point here
    world.write_config(
        refresh=[{"subsonic": {"url": server.url, "user": "me", "password": "pässword"}}]
    )
    result = world.beet("spotify-sync", "--max-downloads", "0")
    assert result.returncode == 0
    [ping] = server.requests
    assert (ping.method, ping.path) == ("POST", "/rest/ping")
    form = dict(urllib.parse.parse_qsl(ping.body.decode()))
    assert form["u"] == "me" and "p" not in form and len(form["s"]) >= 6
    assert form["t"] == hashlib.md5(("pässword" + form["s"]).encode()).hexdigest()
    assert "pässword" not in result.stdout + result.stderr


def test_supysonic_without_token_support_says_which_setting_helps(
    sync_world: SyncWorld, supysonic_server
) -> None:
    world = sync_world
    supysonic = supysonic_server(world.setup.music)
    world.write_config(
        refresh=[
            {
                "subsonic": {
                    "url": supysonic.url,
                    "user": SUPYSONIC_USER,
                    "password": SUPYSONIC_PASSWORD,
                }
            }
        ]
    )
    result = world.beet("spotify-sync", "--quiet", "--max-downloads", "0")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        f"subsonic ({supysonic.url}): not refreshed: the server does not take token "
        "authentication: set `auth: password` for it (the password is then sent "
        "hex-encoded: use https)"
    )


def test_failed_downloads_finish_with_status_3(sync_world: SyncWorld) -> None:
    world = sync_world
    world.standin_tracks.write_text(json.dumps({world.track_ids[6]: dict(NEW_TRACK, mode="fail")}))
    world.emulator.library.add_to_playlist(
        world.emulator.library.playlists[0].id, [world.track_ids[6]]
    )
    result = world.beet("spotify-sync", "--quiet")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "1 failed" in result.stdout.splitlines()[0]
    assert "every download failed" in result.stdout


def test_a_playlist_with_nothing_in_the_library_yet_is_no_failure(sync_world: SyncWorld) -> None:
    """It gets no file, as with `beet spotify-extract`: status 0, not 3 (was 3, "1
    playlist(s) not written", on every run of a real library)."""
    world = sync_world
    world.emulator.library.create_playlist("Only New", track_ids=[world.track_ids[6]])
    result = world.beet("spotify-sync", "--quiet", "--max-downloads", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["spotify-sync: 1 playlist(s) rewritten"]


def test_a_failed_extraction_is_status_1_and_one_line(sync_world: SyncWorld) -> None:
    world = sync_world
    (world.state_dir / "spotify_extract_token.json").unlink()
    result = world.beet("spotify-sync", "--quiet")
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "spotify-sync: nothing changed",
        "spotify-sync failed: not connected to Spotify: run `beet spotify-extract --login` "
        "first (or read Spotify's data export with `beet spotify-extract --from-export PATH`)",
    ]


def test_print_schedule_names_this_beet_and_its_config(sync_world: SyncWorld) -> None:
    world = sync_world
    printed = world.beet("spotify-sync", "--print-schedule", "--every", "30m")
    assert printed.returncode == 0, printed.stderr
    text = printed.stdout
    assert f"ExecStart={BEET} spotify-sync --quiet" in text
    assert f"Environment=BEETSDIR={world.setup.root}" in text
    assert "OnUnitActiveSec=30min" in text
    assert f"*/30 * * * * BEETSDIR={shlex.quote(str(world.setup.root))} {BEET} " in text
    bad = world.beet("spotify-sync", "--print-schedule", "--every", "7h")
    assert bad.returncode == 1 and "cron cannot repeat that evenly" in bad.stderr


@pytest.mark.parametrize(
    ("refresh", "message"),
    [
        (["kodi"], "unknown player 'kodi'"),
        ([{"subsonic": {"url": "http://x"}}], "subsonic: user is required"),
        ([{"mpd": {"port": "many"}}], "mpd.port must be a port number"),
        ([{"plex": {"url": "http://x", "token": "t", "colour": 1}}], "plex: unknown key 'colour'"),
    ],
)
def test_a_bad_refresh_entry_is_one_line_before_any_work(
    sync_world: SyncWorld, refresh: list, message: str
) -> None:
    world = sync_world
    world.write_config(refresh=refresh)
    result = world.beet("spotify-sync")
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert message in line and "refresh" in line
    assert world.emulator.count() == 0


@pytest.mark.parametrize(
    ("keys", "environ", "expected"),
    [
        ({}, {}, ("localhost", 6600, "")),
        ({}, {"MPD_HOST": "pw@nas", "MPD_PORT": "6601"}, ("nas", 6601, "pw")),
        ({}, {"MPD_HOST": "/run/mpd/socket"}, ("/run/mpd/socket", 6600, "")),
        ({}, {"MPD_HOST": "@mpd"}, ("@mpd", 6600, "")),
        (
            {"host": "box", "port": 7000, "password": "x"},
            {"MPD_HOST": "pw@nas"},
            ("box", 7000, "x"),
        ),
    ],
)
def test_mpd_address_from_the_config_else_mpd_host_and_port(keys, environ, expected) -> None:
    from spotify_extract.players import mpd
    from spotify_extract.players.config import player_config

    assert mpd.address(player_config("mpd", keys), environ) == expected


def test_tls_to_a_player_is_verified(sync_world: SyncWorld, emulator_factory) -> None:
    """A server with a certificate from an unknown CA is refused; its CA as `ca_file`
    is accepted (the emulator's test CA stands in for a self-hosted server's)."""
    world = sync_world
    server = emulator_factory(tls=True)
    entry = {"url": server.base_url, "user": "me", "password": "pw"}
    world.write_config(
        refresh=[{"subsonic": entry}, {"subsonic": dict(entry, ca_file=server.ca_file)}]
    )
    result = world.beet("spotify-sync", "--quiet", "--max-downloads", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    untrusted, trusted = result.stdout.splitlines()[1:]
    assert "TLS certificate not trusted" in untrusted
    assert "TLS" not in trusted and f"from {server.base_url}/rest/ping" in trusted
