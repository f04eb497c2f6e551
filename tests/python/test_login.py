"""`beet spotify-extract --login/--status/--logout` end to end against the emulator, with
the test acting as the browser (it follows the authorize redirect to the loopback
callback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.emulator import Emulator
from tests.python.fixtures_client import beets_home

BEET = Path(sys.executable).with_name("beet")

BROWSER = """#!{python}
import sys, urllib.request, urllib.error

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

opener = urllib.request.build_opener(NoRedirect)
try:
    opener.open(sys.argv[1])
    sys.exit("the authorize page did not redirect")
except urllib.error.HTTPError as answer:
    location = answer.headers["Location"]
assert location.startswith("http://127.0.0.1:"), location
with urllib.request.urlopen(location) as page:
    body = page.read().decode()
open({report!r}, "w").write(body)
"""


def beet(home: Path, *args: str, browser: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "BEETSDIR": str(home)}
    if browser is not None:
        env["BROWSER"] = str(browser)
    return subprocess.run(
        [BEET, "spotify-extract", *args], env=env, capture_output=True, text=True, timeout=120
    )


def setup_home(tmp_path: Path, emu: Emulator) -> tuple[Path, Path, Path]:
    home, state = beets_home(tmp_path, emu)
    report = tmp_path / "browser-page.html"
    browser = tmp_path / "browser"
    browser.write_text(BROWSER.format(python=sys.executable, report=str(report)))
    browser.chmod(0o700)
    return home, state, browser


def test_login_status_logout(emulator: Emulator, tmp_path: Path) -> None:
    home, state, browser = setup_home(tmp_path, emulator)
    result = beet(home, "--login", browser=browser)
    assert result.returncode == 0, result.stderr
    assert "Connected to Spotify as Emulator User" in result.stdout
    assert "/authorize?" in result.stdout  # printed for headless machines
    assert "Connected to Spotify" in (tmp_path / "browser-page.html").read_text()
    token_file = state / "spotify_extract_token.json"
    assert token_file.stat().st_mode & 0o777 == 0o600
    saved = json.loads(token_file.read_text())
    for secret in (saved["access_token"], saved["refresh_token"]):
        assert secret not in result.stdout + result.stderr
    counters = emulator.counters()["accounts"]
    assert counters["codes_exchanged"] == 1

    status = beet(home, "--status")
    assert status.returncode == 0, status.stderr
    assert "Connected to Spotify as Emulator User (emulatoruser)" in status.stdout

    logout = beet(home, "--logout")
    assert logout.returncode == 0
    assert not token_file.exists()
    after = beet(home, "--status")
    assert after.returncode != 0
    assert "--login" in after.stderr + after.stdout
    assert "Traceback" not in after.stderr


def test_denied_login_is_one_clear_line(emulator: Emulator, tmp_path: Path) -> None:
    home, state, browser = setup_home(tmp_path, emulator)
    emulator.configure(approve="deny")
    result = beet(home, "--login", browser=browser)
    assert result.returncode != 0
    assert "access_denied" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (state / "spotify_extract_token.json").exists()


def test_expired_refresh_token_asks_for_login(emulator: Emulator, tmp_path: Path) -> None:
    home, _, browser = setup_home(tmp_path, emulator)
    assert beet(home, "--login", browser=browser).returncode == 0
    emulator.expire_refresh_tokens()
    emulator.expire_tokens()
    result = beet(home, "--status")
    assert result.returncode != 0
    assert "beet spotify-extract --login" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_write_scopes_are_asked_for_only_with_login_write(
    emulator: Emulator, tmp_path: Path
) -> None:
    home, state, browser = setup_home(tmp_path, emulator)
    token_file = state / "spotify_extract_token.json"
    plain = beet(home, "--login", browser=browser)
    assert plain.returncode == 0, plain.stderr
    assert "playlist-modify" not in plain.stdout  # the printed authorize URL
    assert "playlist-modify" not in json.loads(token_file.read_text())["scope"]
    write = beet(home, "--login", "--write", browser=browser)
    assert write.returncode == 0, write.stderr
    granted = json.loads(token_file.read_text())["scope"].split()
    assert {"playlist-modify-private", "playlist-modify-public"} <= set(granted)
    alone = beet(home, "--write")
    assert alone.returncode == 2 and "--write goes with --login" in alone.stderr
