"""The `refresh:` list of the config: which players to refresh after a sync, each with its
own keys. Checked here (one line naming the key) before any work starts.

    refresh:
      - mpd                              # MPD_HOST / MPD_PORT, or localhost:6600
      - mpd: {host: nas, port: 6600, password: secret}
      - subsonic: {url: https://music.example.org, user: me, password: secret,
                   push_playlists: yes}
      - jellyfin: {url: http://jellyfin:8096, api_key: KEY}
      - plex: {url: http://plex:32400, token: TOKEN}
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import confuse

KINDS = ("mpd", "subsonic", "jellyfin", "plex")

# Every player's keys: (default, kind of value). None as default: unset.
_KEYS: dict[str, dict[str, tuple[Any, str]]] = {
    "mpd": {
        "host": (None, "text"),
        "port": (None, "port"),
        "password": (None, "secret"),
        "timeout": (30.0, "seconds"),
    },
    "subsonic": {
        "url": (None, "url"),
        "user": (None, "text"),
        "password": (None, "secret"),
        "auth": ("token", "auth"),
        "push_playlists": (False, "flag"),
        "ca_file": (None, "file"),
        "timeout": (30.0, "seconds"),
        "scan_timeout": (600.0, "seconds"),
    },
    "jellyfin": {
        "url": (None, "url"),
        "api_key": (None, "secret"),
        "ca_file": (None, "file"),
        "timeout": (30.0, "seconds"),
    },
    "plex": {
        "url": (None, "url"),
        "token": (None, "secret"),
        "section": (None, "text"),  # a library section id; unset: every section
        "ca_file": (None, "file"),
        "timeout": (30.0, "seconds"),
    },
}
_REQUIRED = {
    "subsonic": ("url", "user", "password"),
    "jellyfin": ("url", "api_key"),
    "plex": ("url", "token"),
}
AUTH_MODES = ("token", "password")


@dataclass(frozen=True)
class PlayerConfig:
    """One entry of `refresh:`; `options` holds its checked keys (defaults filled in)."""

    kind: str
    options: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.options[key]

    def __repr__(self) -> str:  # never the password, key or token
        shown = {
            k: ("***" if _KEYS[self.kind][k][1] == "secret" and v else v)
            for k, v in self.options.items()
        }
        return f"PlayerConfig({self.kind!r}, {shown!r})"


def _check(kind: str, key: str, value: Any, how: str) -> Any:
    """The value, or a ValueError saying what the key must be."""
    if how in ("text", "secret"):
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
        raise ValueError("must be text")
    if how == "file":
        if isinstance(value, str) and os.path.isfile(os.path.expanduser(value)):
            return os.path.expanduser(value)
        raise ValueError("must be an existing file (a CA bundle in PEM)")
    if how == "url":
        if isinstance(value, str) and re.match(r"^https?://[^\s/]+", value):
            return value.rstrip("/")
        raise ValueError("must be an http:// or https:// URL")
    if how == "port":
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
            return value
        raise ValueError("must be a port number (1-65535)")
    if how == "seconds":
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        raise ValueError("must be a number of seconds greater than 0")
    if how == "flag":
        if isinstance(value, bool):
            return value
        raise ValueError("must be yes or no")
    if how == "auth":
        if value in AUTH_MODES:
            return value
        raise ValueError(f"must be one of {', '.join(AUTH_MODES)}")
    raise AssertionError(how)


def player_config(kind: str, given: dict[str, Any]) -> PlayerConfig:
    """A checked PlayerConfig; ValueError names the key and what it must be."""
    keys = _KEYS[kind]
    unknown = sorted(set(given) - set(keys))
    if unknown:
        raise ValueError(f"{kind}: unknown key {unknown[0]!r} (keys: {', '.join(keys)})")
    options: dict[str, Any] = {}
    for key, (default, how) in keys.items():
        value = given.get(key)
        if value is None or value == "":
            options[key] = default
            continue
        try:
            options[key] = _check(kind, key, value, how)
        except ValueError as error:
            raise ValueError(f"{kind}.{key} {error}") from None
    for key in _REQUIRED.get(kind, ()):
        if options[key] is None:
            raise ValueError(f"{kind}: {key} is required")
    return PlayerConfig(kind, options)


class RefreshList(confuse.Template):
    """`refresh:` as a tuple of PlayerConfig (empty when unset)."""

    def __init__(self) -> None:
        super().__init__([])

    def convert(self, value: object, view: confuse.ConfigView) -> tuple[PlayerConfig, ...]:
        if value is None or value == "":
            return ()
        if not isinstance(value, list):
            self.fail("must be a list of players (mpd, subsonic, jellyfin, plex)", view)
        players = []
        for item in value:
            if isinstance(item, str):
                kind, given = item, {}
            elif isinstance(item, dict) and len(item) == 1:
                kind, given = next(iter(item.items()))
                given = given or {}
            else:
                self.fail(
                    "each entry is a player name or `name: {keys}` (mpd, subsonic, jellyfin, plex)",
                    view,
                )
            if kind not in KINDS:
                self.fail(f"unknown player {kind!r} (players: {', '.join(KINDS)})", view)
            if not isinstance(given, dict):
                self.fail(f"{kind}: its keys must be a mapping", view)
            try:
                players.append(player_config(kind, given))
            except ValueError as error:
                self.fail(str(error), view)
        return tuple(players)
