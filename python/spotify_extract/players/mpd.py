"""MPD: `update` the database, wait for it, then check that the mirrored playlists load.

The protocol is MPD's plain text one (https://mpd.readthedocs.io/en/latest/protocol.html):
a greeting `OK MPD x.y.z`, one command per line, answers ending in `OK` or `ACK [...]`.
Host, port and password come from the config, else from MPD_HOST (`password@host`, a
socket path too) and MPD_PORT, as mpc reads them.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from spotify_extract.players.base import RefreshContext, RefreshError
from spotify_extract.players.config import PlayerConfig

DEFAULT_PORT = 6600


def _quoted(argument: str) -> str:
    return '"' + argument.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MpdConnection:
    """One connection: send a command, read its key/value answer."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        try:
            if host.startswith("/") or host.startswith("@"):
                address = "\0" + host[1:] if host.startswith("@") else host
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._socket.settimeout(timeout)
                self._socket.connect(address)
            else:
                self._socket = socket.create_connection((host, port), timeout=timeout)
        except OSError as error:
            raise RefreshError(f"cannot connect ({error.strerror or error})") from None
        self._file = self._socket.makefile("rb")
        greeting = self._line()
        if not greeting.startswith("OK MPD "):
            self.close()
            raise RefreshError("not an MPD server (no `OK MPD` greeting)")

    def _line(self) -> str:
        try:
            raw = self._file.readline()
        except OSError as error:
            raise RefreshError(f"connection lost ({error.strerror or error})") from None
        if not raw:
            raise RefreshError("the server closed the connection")
        return raw.decode("utf-8", errors="replace").rstrip("\n")

    def command(self, name: str, *arguments: str) -> list[tuple[str, str]]:
        line = " ".join([name, *(_quoted(a) for a in arguments)]) + "\n"
        try:
            self._socket.sendall(line.encode("utf-8"))
        except OSError as error:
            raise RefreshError(f"connection lost ({error.strerror or error})") from None
        pairs: list[tuple[str, str]] = []
        while True:
            answer = self._line()
            if answer == "OK":
                return pairs
            if answer.startswith("ACK "):
                raise MpdCommandError(answer.partition("} ")[2] or answer)
            key, _, value = answer.partition(": ")
            pairs.append((key, value))

    def close(self) -> None:
        try:
            self._file.close()
            self._socket.close()
        except OSError:
            pass


class MpdCommandError(RefreshError):
    """MPD answered ACK (its message is the reason)."""


def address(config: PlayerConfig, environ: dict[str, str] | None = None) -> tuple[str, int, str]:
    """(host, port, password): the config's keys first, then MPD_HOST/MPD_PORT."""
    environ = os.environ if environ is None else environ
    env_host = environ.get("MPD_HOST", "")
    env_password = ""
    # MPD_HOST is `password@host`; a leading @ alone is an abstract socket.
    if "@" in env_host[1:]:
        env_password, _, env_host = env_host.rpartition("@")
    host = config["host"] or env_host or "localhost"
    port = config["port"]
    if port is None:
        try:
            port = int(environ.get("MPD_PORT", "")) if environ.get("MPD_PORT") else DEFAULT_PORT
        except ValueError:
            raise RefreshError(f"MPD_PORT is not a port number: {environ['MPD_PORT']!r}") from None
    password = config["password"] or env_password
    return host, port, password


class MpdPlayer:
    def __init__(self, config: PlayerConfig, environ: dict[str, str] | None = None) -> None:
        self.config = config
        self._environ = environ

    @property
    def label(self) -> str:
        try:
            host, port, _ = address(self.config, self._environ)
        except RefreshError:
            return "mpd"
        return f"mpd ({host})" if host.startswith(("/", "@")) else f"mpd ({host}:{port})"

    def refresh(self, context: RefreshContext) -> str:
        host, port, password = address(self.config, self._environ)
        timeout = self.config["timeout"]
        connection = MpdConnection(host, port, timeout)
        try:
            if password:
                try:
                    connection.command("password", password)
                except MpdCommandError:
                    raise RefreshError("wrong password (MPD refused it)") from None
            try:
                connection.command("update")
            except MpdCommandError as error:
                raise RefreshError(f"update refused: {error}") from None
            _wait_for_update(connection, timeout)
            return _check_playlists(connection, context)
        finally:
            connection.close()


def _wait_for_update(connection: MpdConnection, timeout: float) -> None:
    """`update` answers at once; the database is ready when `status` has no updating_db."""
    deadline = time.monotonic() + max(timeout, 1.0)
    while True:
        status = dict(connection.command("status"))
        if "updating_db" not in status:
            return
        if time.monotonic() >= deadline:
            raise RefreshError(f"the database update did not finish within {timeout:g} s")
        time.sleep(0.1)


def _check_playlists(connection: MpdConnection, context: RefreshContext) -> str:
    """Each mirrored playlist MPD lists: how many of its entries MPD resolves (an entry
    MPD cannot find in its database comes back without a duration)."""
    stored = {value for key, value in connection.command("listplaylists") if key == "playlist"}
    ours = [p for p in context.playlists if p.name in stored]
    problems = []
    for playlist in ours:
        try:
            pairs = connection.command("listplaylistinfo", playlist.name)
        except MpdCommandError as error:
            problems.append(f"{playlist.name!r} does not load ({error})")
            continue
        records = _records(pairs)
        files = len(records)
        known = sum(1 for record in records if "duration" in record or "Time" in record)
        if known < files:
            problems.append(f"{playlist.name!r}: {files - known} of {files} entries not found")
        elif files == 0 and _has_entries(playlist.path):
            problems.append(f"{playlist.name!r} loads empty")
    if problems:
        more = " …" if len(problems) > 3 else ""
        raise RefreshError("updated, but " + "; ".join(problems[:3]) + more)
    return f"updated; {len(ours)} mirrored playlist(s) load"


def _records(pairs: list[tuple[str, str]]) -> list[set[str]]:
    """The keys of each song of a listing (a song starts at its `file` line)."""
    records: list[set[str]] = []
    for key, _ in pairs:
        if key == "file":
            records.append(set())
        elif records:
            records[-1].add(key)
    return records


def _has_entries(path: Path) -> bool:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False
    return any(line.strip() and not line.startswith("#") for line in text.splitlines())
