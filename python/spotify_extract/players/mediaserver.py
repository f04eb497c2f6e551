"""Jellyfin and Plex: ask for a library refresh through their documented endpoints.

Jellyfin: `POST /Library/Refresh` (api.jellyfin.org, LibraryApi.refreshLibrary), the API
key in the `Authorization: MediaBrowser Token="…"` header. Plex: `GET
/library/sections/{id}/refresh` or `/library/sections/all/refresh` (Plex's "URL
commands" article), the token in the `X-Plex-Token` header. Neither server can run in the
tests: they check the requests against a recorder.
"""

from __future__ import annotations

import urllib.parse

from spotify_extract.players import http
from spotify_extract.players.base import RefreshContext
from spotify_extract.players.config import PlayerConfig


class JellyfinPlayer:
    def __init__(self, config: PlayerConfig) -> None:
        self.config = config

    @property
    def label(self) -> str:
        return f"jellyfin ({self.config['url']})"

    def refresh(self, context: RefreshContext) -> str:
        http.request(
            self.config["url"] + "/Library/Refresh",
            method="POST",
            headers={"Authorization": f'MediaBrowser Token="{self.config["api_key"]}"'},
            ca_file=self.config["ca_file"],
            timeout=self.config["timeout"],
        )
        return "library scan started"


class PlexPlayer:
    def __init__(self, config: PlayerConfig) -> None:
        self.config = config

    @property
    def label(self) -> str:
        return f"plex ({self.config['url']})"

    def refresh(self, context: RefreshContext) -> str:
        section = self.config["section"] or "all"
        http.request(
            f"{self.config['url']}/library/sections/{urllib.parse.quote(section, safe='')}/refresh",
            headers={"X-Plex-Token": self.config["token"], "Accept": "application/json"},
            ca_file=self.config["ca_file"],
            timeout=self.config["timeout"],
        )
        return "library scan started" + ("" if section == "all" else f" (section {section})")
