"""Security of the login and the token: the loopback callback (state check, loopback-only
bind, one answer then closed), the token file (0600), tokens absent from every output,
TLS verification that cannot be switched off silently.

Real parts: the native LoginFlow and client against the emulator, and `beet` subprocesses.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from spotify_extract import _native

from tests.emulator import Emulator
from tests.emulator.tls import make_test_ca
from tests.python.fixtures_client import beets_home

BEET = Path(sys.executable).with_name("beet")
TOKEN_FILE = "spotify_extract_token.json"


def config_for(emu: Emulator, state_dir: Path, **settings) -> _native.SpotifyConfig:
    config = _native.SpotifyConfig()
    config.client_id = emu.client_id
    config.api_url = emu.api_url
    config.auth_url = emu.auth_url
    config.state_dir = str(state_dir)
    config.redirect_port = 0
    for key, value in settings.items():
        setattr(config, key, value)
    return config


def get(url: str) -> tuple[int, str, dict[str, str]]:
    """A GET that never follows redirects: (status, body, headers)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(errors="replace"), dict(answer.headers)


def other_local_addresses() -> list[str]:
    """This machine's addresses other than 127.0.0.1 (127.0.1.1 counts: a different IP)."""
    found = {"127.0.1.1"}
    try:
        output = subprocess.run(
            ["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=False
        ).stdout
        for line in output.splitlines():
            parts = line.split()
            if "inet" in parts:
                found.add(parts[parts.index("inet") + 1].split("/")[0])
    except OSError:
        pass
    found.discard("127.0.0.1")
    return sorted(found)


def connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def test_the_loopback_callback(emulator: Emulator, tmp_path: Path) -> None:
    flow = _native.LoginFlow(config_for(emulator, tmp_path))
    url = flow.start()
    port = flow.port
    state = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["state"][0]
    assert len(state) >= 16
    outcome: list[BaseException | None] = []

    def wait() -> None:
        try:
            flow.wait(60.0)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    waiter = threading.Thread(target=wait)
    waiter.start()
    try:
        callback = f"http://127.0.0.1:{port}/callback"
        # Requests from elsewhere cannot even connect: the server listens on 127.0.0.1 only.
        for address in other_local_addresses():
            assert not connects(address, port), address
        # Wrong, missing or empty state: refused, and the login keeps waiting.
        for query in ["state=wrong&code=stolen", "code=stolen", "state=&code=x", f"state={state}x"]:
            status, body, _ = get(f"{callback}?{query}")
            assert status == 400, query
            assert "does not match" in body
        status, _, _ = get(f"http://127.0.0.1:{port}/other?state={state}&code=x")
        assert status == 404
        assert waiter.is_alive() and not outcome
        # The real answer (the test is the browser): the authorize page redirects here.
        status, _, headers = get(url)
        assert status in (302, 303), status
        location = headers["Location"]
        assert location.startswith(f"http://127.0.0.1:{port}/callback?")
        status, body, headers = get(location)
        assert status == 200 and "Connected to Spotify" in body
        assert headers.get("Cache-Control") == "no-store"
        waiter.join(30)
        assert outcome == [None]
        # One answer only: the server is closed afterwards.
        assert not connects("127.0.0.1", port)
    finally:
        waiter.join(60)

    token_file = tmp_path / TOKEN_FILE
    mode = stat.S_IMODE(token_file.stat().st_mode)
    assert mode == 0o600, oct(mode)
    saved = json.loads(token_file.read_text())
    assert saved["access_token"] and saved["refresh_token"]


BROWSER = """#!{python}
import sys, urllib.request, urllib.error
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
try:
    urllib.request.build_opener(NoRedirect).open(sys.argv[1])
    sys.exit("no redirect")
except urllib.error.HTTPError as answer:
    location = answer.headers["Location"]
urllib.request.urlopen(location).read()
"""


def beet(home: Path, *args: str, browser: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "BEETSDIR": str(home)}
    if browser is not None:
        env["BROWSER"] = str(browser)
    return subprocess.run([str(BEET), *args], env=env, capture_output=True, text=True, timeout=180)


def test_tokens_never_appear_in_any_output(emulator: Emulator, tmp_path: Path) -> None:
    home, state = beets_home(tmp_path, emulator)
    browser = tmp_path / "browser"
    browser.write_text(BROWSER.format(python=sys.executable))
    browser.chmod(0o700)
    outputs: list[str] = []

    def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
        result = beet(home, *args, **kwargs)
        outputs.extend([result.stdout, result.stderr])
        return result

    assert run("-v", "spotify-extract", "--login", browser=browser).returncode == 0
    token_file = state / TOKEN_FILE
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    first = json.loads(token_file.read_text())
    assert run("-v", "spotify-extract", "--status").returncode == 0
    # Faults and a forced refresh, all in verbose mode: retries and refreshes are logged.
    emulator.storm_429(2, retry_after=1)
    emulator.fail_next(2, kind="status", status=500)
    emulator.expire_tokens()
    assert run("-v", "spotify-extract", "--status").returncode == 0
    second = json.loads(token_file.read_text())
    assert second["access_token"] != first["access_token"]  # refreshed and saved
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    # A revoked login: the error names --login, without the dead tokens.
    emulator.revoke_refresh_tokens()
    emulator.expire_tokens()
    failed = run("-v", "spotify-extract", "--status")
    assert failed.returncode != 0 and "--login" in failed.stderr
    assert "Traceback" not in failed.stderr

    secrets = {
        first["access_token"],
        first["refresh_token"],
        second["access_token"],
        second["refresh_token"],
    }
    text = "\n".join(outputs)
    for secret in secrets:
        assert len(secret) >= 16
        assert secret not in text
        assert secret[:16] not in text  # not even a prefix


def save_token(state: Path, emu: Emulator) -> dict:
    """A valid login in the state folder (as --login leaves it)."""
    state.mkdir(parents=True, exist_ok=True)
    token = emu.issue_token()
    saved = {
        "access_token": token["access_token"],
        "refresh_token": token["refresh_token"],
        "token_type": "Bearer",
        "scope": "",
        "expires_at": 4102444800,
    }
    fd = os.open(state / TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(saved, out)
    return token


def test_tls_verification_cannot_be_switched_off_silently(
    emulator_tls: Emulator, tmp_path: Path
) -> None:
    other = make_test_ca(tmp_path / "other-ca")
    for extra in [
        f"  ca_file: {other.ca_file}\n",  # the wrong CA
        "",  # the system CAs: they do not know the test CA
        "  verify: no\n  verify_ssl: no\n  insecure: yes\n",  # no such switches exist
    ]:
        home, state = beets_home(tmp_path / f"case{len(extra)}", emulator_tls, extra)
        token = save_token(state, emulator_tls)
        result = beet(home, "spotify-extract", "--status")
        assert result.returncode != 0, extra
        message = result.stderr.strip()
        assert "certificate" in message.lower() or "tls" in message.lower(), message
        assert "Traceback" not in message
        assert token["access_token"] not in result.stdout + result.stderr
    # With the right CA it works: the failures above were verification, not set-up.
    right = f"  ca_file: {emulator_tls.ca_file}\n"
    home, state = beets_home(tmp_path / "right", emulator_tls, right)
    save_token(state, emulator_tls)
    assert beet(home, "spotify-extract", "--status").returncode == 0
