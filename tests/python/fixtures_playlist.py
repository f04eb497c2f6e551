"""Fixtures of the playlist part: a folder of real audio files, a real beets library over it,
and real MPD servers (Debian's `mpd`, driven with `mpc`) on free loopback ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BEET = Path(sys.executable).with_name("beet")

# (relative path, artist, title, seconds): awkward names on purpose.
TRACKS = [
    ("Björk/Homogenic/01 Hunter.flac", "Björk", "Hunter", 2),
    ("AC_DC/Back in Black/01 Hells Bells.mp3", "AC/DC", "Hells Bells", 3),
    ("#1 Hits/01 Number One.ogg", "The Ones", "Number One", 2),
    ("Various/Spaces & 'Quotes'/02 It's [Live].mp3", "Various", "It's [Live]", 1),
    ("日本/夜に駆ける.mp3", "YOASOBI", "夜に駆ける", 2),
    ("Kino/Группа крови.flac", "Кино", "Группа крови", 1),
]


def make_audio(path: Path, seconds: int, artist: str, title: str) -> None:
    """A real, short, tagged audio file (sine tone by sox, tags by mutagen)."""
    import mutagen

    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["sox", "-n", "-r", "22050", "-c", "1", str(path), "synth", str(seconds), "sine", "440"],
        check=True,
        capture_output=True,
    )
    audio = mutagen.File(path, easy=True)
    if audio.tags is None:
        audio.add_tags()
    audio["artist"] = artist
    audio["title"] = title
    audio["album"] = path.parent.name
    audio.save()


@dataclass
class AudioLibrary:
    music: Path
    files: list[Path]
    tracks: list[tuple[str, str, str, int]] = field(default_factory=lambda: list(TRACKS))


@pytest.fixture(scope="session")
def _audio_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    music = tmp_path_factory.mktemp("audio_template") / "Music"
    for relative, artist, title, seconds in TRACKS:
        make_audio(music / relative, seconds, artist, title)
    return music


@pytest.fixture
def audio_library(tmp_path: Path, _audio_template: Path) -> AudioLibrary:
    """A music folder of real audio files, a fresh copy for each test."""
    music = tmp_path / "Music"
    shutil.copytree(_audio_template, music)
    return AudioLibrary(music, [music / relative for relative, *_ in TRACKS])


@dataclass
class BeetsSetup:
    """A real beets configuration folder (BEETSDIR) whose library holds `audio_library`."""

    root: Path
    music: Path
    env: dict[str, str]

    @property
    def config_file(self) -> Path:
        return self.root / "config.yaml"

    @property
    def library_db(self) -> Path:
        return self.root / "library.db"

    def beet(self, *args: str) -> str:
        result = subprocess.run(
            [str(BEET), *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


def write_beets_config(root: Path, music: Path, extra: str = "") -> None:
    (root / "config.yaml").write_text(
        f"directory: {music}\n"
        f"library: {root / 'library.db'}\n"
        "import:\n  copy: no\n  write: no\n  autotag: no\n  log: null\n"
        f"{extra}"
    )


@pytest.fixture
def beets_library(tmp_path: Path, audio_library: AudioLibrary) -> BeetsSetup:
    """`beet import` (as-is, in place) of the audio library into a real library.db."""
    root = tmp_path / "beetsdir"
    root.mkdir()
    write_beets_config(root, audio_library.music)
    env = {**os.environ, "BEETSDIR": str(root), "HOME": str(tmp_path)}
    setup = BeetsSetup(root, audio_library.music, env)
    setup.beet("import", "-q", "-s", "-A", "-C", "-W", str(audio_library.music))
    return setup


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mpd:
    """One running MPD (no audio output) and the mpc that talks to it."""

    port: int
    process: subprocess.Popen
    log: Path

    def mpc(self, *args: str) -> list[str]:
        result = subprocess.run(
            ["mpc", "--host", "127.0.0.1", "--port", str(self.port), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"mpc {args}: {result.stderr}\n{self.log.read_text()}"
        return [line for line in result.stdout.splitlines() if line]


def _wait_for_mpd(port: int, process: subprocess.Popen, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"OK MPD"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture
def mpd_server(tmp_path: Path) -> Iterator:
    """Starts MPDs: `start(music_directory, playlist_directory[, password])`; all killed
    at teardown."""
    started: list[subprocess.Popen] = []

    def start(music: Path, playlists: Path, password: str | None = None) -> Mpd:
        home = Path(os.path.realpath(tmp_path)) / f"mpd{len(started)}"
        home.mkdir()
        playlists.mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):  # another test may take the port between probe and bind
            port = _free_port()
            log = home / "log"
            (home / "mpd.conf").write_text(
                f'music_directory "{music}"\n'
                f'playlist_directory "{playlists}"\n'
                f'db_file "{home / "database"}"\n'
                f'log_file "{log}"\n'
                f'bind_to_address "127.0.0.1"\n'
                f'port "{port}"\n'
                'zeroconf_enabled "no"\n'
                'auto_update "no"\n'
                'filesystem_charset "UTF-8"\n'
                'audio_output {\n  type "null"\n  name "null"\n  mixer_type "none"\n}\n'
                # Without the password only reading (mpc's listings) is allowed.
                + (
                    f'password "{password}@read,add,control,admin"\ndefault_permissions "read"\n'
                    if password
                    else ""
                )
            )
            process = subprocess.Popen(
                ["mpd", "--no-daemon", str(home / "mpd.conf")],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started.append(process)
            if _wait_for_mpd(port, process, time.monotonic() + 20):
                return Mpd(port, process, log)
            process.kill()
            process.wait()
        pytest.fail(f"mpd did not start: {log.read_text() if log.exists() else ''}")

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
