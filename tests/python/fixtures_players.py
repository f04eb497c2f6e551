"""Fixtures of the player refresh part: a real supysonic (Debian's package: its Flask app
and its scanner daemon) over a music folder, and a request recorder standing in for
Jellyfin and Plex (no real server of theirs can run here)."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fixtures_playlist import _free_port

# Debian's supysonic runs on Debian's python3 (its modules are not in our venv).
SYSTEM_PYTHON = "/usr/bin/python3"
SUPYSONIC_USER = "admin"
SUPYSONIC_PASSWORD = "s3cret-sub"


@dataclass
class Supysonic:
    url: str
    home: Path
    processes: list[subprocess.Popen]

    def call(self, method: str, **params: str | list[str]) -> dict:
        """One API call with the admin's password (the test's own view of the server)."""
        form = {
            "u": SUPYSONIC_USER,
            "p": SUPYSONIC_PASSWORD,
            "v": "1.10.2",
            "c": "test",
            "f": "json",
            **params,
        }
        data = urllib.parse.urlencode(form, doseq=True).encode()
        with urllib.request.urlopen(f"{self.url}/rest/{method}", data=data, timeout=30) as r:
            answer = json.loads(r.read())["subsonic-response"]
        assert answer["status"] == "ok", answer
        return answer

    def playlists(self) -> dict[str, list[str]]:
        """Every playlist's name -> its songs' paths, in order."""
        result = {}
        for playlist in self.call("getPlaylists")["playlists"].get("playlist", []):
            entries = self.call("getPlaylist", id=playlist["id"])["playlist"].get("entry", [])
            result[playlist["name"]] = [entry["path"] for entry in entries]
        return result

    def log(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in self.home.glob("*.log") if p.is_file()
        )


def _cli(home: Path, *args: str) -> None:
    subprocess.run(
        ["supysonic-cli", *args],
        cwd=home,
        env=_env(home),
        check=True,
        capture_output=True,
        timeout=60,
    )


def _env(home: Path) -> dict[str, str]:
    # supysonic reads supysonic.conf from the working folder, and ~/.supysonic: HOME too.
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


@pytest.fixture
def supysonic_server() -> Iterator:
    """`start(music_folder)`: a supysonic with one admin user and the folder, its web app
    and its scanner daemon running; everything stopped and removed at teardown. The
    folder is short (/tmp/…): the daemon's Unix socket path must fit 108 bytes."""
    started: list[Supysonic] = []
    homes: list[Path] = []

    def start(music: Path) -> Supysonic:
        home = Path(tempfile.mkdtemp(prefix="supy"))
        homes.append(home)
        port = _free_port()
        (home / "supysonic.conf").write_text(
            "[base]\n"
            f"database_uri = sqlite:///{home / 'supysonic.db'}\n"
            "[webapp]\n"
            f"cache_dir = {home / 'cache'}\n"
            "mount_webui = no\n"
            f"log_file = {home / 'web.log'}\n"
            "[daemon]\n"
            f"socket = {home / 'daemon.sock'}\n"
            "run_watcher = no\n"
            f"log_file = {home / 'daemon.log'}\n"
        )
        _cli(home, "user", "add", SUPYSONIC_USER, "-p", SUPYSONIC_PASSWORD)
        _cli(home, "user", "setroles", "-A", SUPYSONIC_USER)
        _cli(home, "folder", "add", "music", str(music))
        processes = [
            subprocess.Popen(
                ["supysonic-daemon"],
                cwd=home,
                env=_env(home),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [
                    SYSTEM_PYTHON,
                    "-c",
                    "import sys\nfrom supysonic.web import create_application\n"
                    "create_application().run(host='127.0.0.1', port=int(sys.argv[1]), "
                    "threaded=True)",
                    str(port),
                ],
                cwd=home,
                env=_env(home),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        ]
        server = Supysonic(f"http://127.0.0.1:{port}", home, processes)
        started.append(server)
        deadline = time.monotonic() + 30
        while True:
            try:
                server.call("ping")
                # startScan needs the daemon's socket.
                if (home / "daemon.sock").exists():
                    return server
            except OSError:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                pytest.fail(f"supysonic did not start:\n{server.log()}")
            time.sleep(0.1)

    try:
        yield start
    finally:
        for server in started:
            for process in server.processes:
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """An HTTP server that records every request and answers `status` (200 by default,
    401 when `token_header` is set and the request does not carry `token`)."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    status: int = 200
    token_header: str | None = None
    token: str | None = None


@pytest.fixture
def request_recorder() -> Iterator:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start() -> Recorder:
        recorder = Recorder("")

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                recorder.requests.append(Recorded(self.command, self.path, headers, body))
                status = recorder.status
                if recorder.token_header and headers.get(recorder.token_header.lower()) != (
                    recorder.token
                ):
                    status = 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
        return recorder

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
