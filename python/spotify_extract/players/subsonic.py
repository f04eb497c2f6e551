"""Subsonic API servers (Navidrome, gonic, Airsonic, supysonic…): `startScan`, wait for
`getScanStatus` to finish, then with `push_playlists` keep one server playlist per
mirrored playlist, for servers that do not import m3u files.

Authentication as the Subsonic API defines it (http://www.subsonic.org/pages/api.jsp):
`auth: token` (default) sends t = md5(password + salt) with a new random salt s on every
request; `auth: password` sends p = enc:HEX for servers without token support (supysonic)
and only in the request body. Every call is a form POST (no secret in a URL).

Songs are found by their path relative to the server's music folder (the path of the
file in beets' library), else by artist and title through `search3`. Only playlists
this tool created on the server (ids kept in the state database) are ever changed or
deleted; a playlist of the same name made by someone else is left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from spotify_extract.players import http
from spotify_extract.players.base import MirroredPlaylist, RefreshContext, RefreshError
from spotify_extract.players.config import PlayerConfig

API_VERSION = "1.13.0"  # the first with token authentication
CLIENT = "beets-spotify-extract"
PAGE = 500  # songs per search3 page when indexing the server's paths
POLL_SECONDS = 0.5


class SubsonicError(RefreshError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class SubsonicClient:
    def __init__(self, config: PlayerConfig) -> None:
        self.config = config
        self.base = config["url"] + "/rest/"

    def _auth(self) -> list[tuple[str, str]]:
        password = self.config["password"]
        if self.config["auth"] == "password":
            return [("p", "enc:" + password.encode("utf-8").hex())]
        salt = secrets.token_hex(8)
        token = hashlib.md5((password + salt).encode("utf-8")).hexdigest()
        return [("t", token), ("s", salt)]

    def call(self, method: str, *params: tuple[str, str]) -> dict[str, Any]:
        form = [
            ("u", self.config["user"]),
            *self._auth(),
            ("v", API_VERSION),
            ("c", CLIENT),
            ("f", "json"),
            *params,
        ]
        body = http.request(
            self.base + method,
            method="POST",
            form=form,
            ca_file=self.config["ca_file"],
            timeout=self.config["timeout"],
        )
        answer = http.json_body(body, self.base + method)
        response = answer.get("subsonic-response") if isinstance(answer, dict) else None
        if not isinstance(response, dict):
            raise RefreshError(f"{method}: not a Subsonic API answer")
        if response.get("status") != "ok":
            error = response.get("error") or {}
            raise _error(
                method,
                int(error.get("code") or 0),
                str(error.get("message") or ""),
                self.config["auth"],
            )
        return response


def _error(method: str, code: int, message: str, auth: str) -> SubsonicError:
    if code == 40:
        return SubsonicError(code, "wrong user name or password")
    if code == 41 or (code == 10 and auth == "token" and method == "ping"):
        return SubsonicError(
            code,
            "the server does not take token authentication: set `auth: password` for it "
            "(the password is then sent hex-encoded: use https)",
        )
    if code == 50:
        return SubsonicError(code, f"{method}: not allowed for this user (an admin is needed)")
    return SubsonicError(code, f"{method}: {message or 'error'} (Subsonic error {code})")


class SubsonicPlayer:
    def __init__(self, config: PlayerConfig) -> None:
        self.config = config
        self.client = SubsonicClient(config)

    @property
    def label(self) -> str:
        return f"subsonic ({self.config['url']})"

    @property
    def _state_key(self) -> str:
        return f"subsonic_playlists:{self.config['url']}:{self.config['user']}"

    def refresh(self, context: RefreshContext) -> str:
        self.client.call("ping")
        self._scan()
        done = "library scanned"
        if not self.config["push_playlists"]:
            return done
        return done + "; " + self._push(context)

    def _scan(self) -> None:
        status = self.client.call("startScan").get("scanStatus") or {}
        deadline = time.monotonic() + self.config["scan_timeout"]
        while status.get("scanning"):
            if time.monotonic() >= deadline:
                raise RefreshError(
                    f"the scan did not finish within {self.config['scan_timeout']:g} s "
                    "(scan_timeout)"
                )
            time.sleep(POLL_SECONDS)
            status = self.client.call("getScanStatus").get("scanStatus") or {}

    # -- playlists ------------------------------------------------------------------------

    def _push(self, context: RefreshContext) -> str:
        known: dict[str, str] = _load(context.get_state(self._state_key))
        on_server = {
            str(p.get("id")): p
            for p in (self.client.call("getPlaylists").get("playlists") or {}).get("playlist", [])
        }
        # Ours that someone deleted on the server are made again.
        known = {spotify: server for spotify, server in known.items() if server in on_server}
        index = SongIndex(self.client, context.music_dir)
        created = updated = unchanged = removed = 0
        missing = 0
        skipped: list[str] = []
        wanted = {p.playlist_id for p in context.playlists}
        try:
            for playlist in context.playlists:
                song_ids, not_found = index.song_ids(playlist)
                missing += not_found
                server_id = known.get(playlist.playlist_id)
                if server_id is None:
                    taken = [
                        p
                        for p in on_server.values()
                        if p.get("name") == playlist.name and str(p.get("id")) not in known.values()
                    ]
                    if taken:
                        skipped.append(playlist.name)
                        continue
                    known[playlist.playlist_id] = self._create(playlist.name, song_ids)
                    created += 1
                elif self._update(server_id, on_server[server_id], playlist.name, song_ids):
                    updated += 1
                else:
                    unchanged += 1
            for spotify_id, server_id in list(known.items()):
                if spotify_id not in wanted:  # its m3u was removed: so is our copy
                    self.client.call("deletePlaylist", ("id", server_id))
                    del known[spotify_id]
                    removed += 1
        finally:
            context.set_state(self._state_key, json.dumps(known, sort_keys=True))
        line = (
            f"playlists: {created} created, {updated} updated, {unchanged} unchanged, "
            f"{removed} removed"
        )
        if missing:
            line += f"; {missing} track(s) not found on the server"
        if skipped:
            line += (
                "; left alone (a playlist of that name exists that this tool did not make): "
                + ", ".join(repr(name) for name in skipped[:3])
            )
        return line

    def _create(self, name: str, song_ids: list[str]) -> str:
        before = self._ids_named(name)
        response = self.client.call(
            "createPlaylist", ("name", name), *(("songId", s) for s in song_ids)
        )
        made = response.get("playlist")  # API 1.14+ answers the playlist; older ones nothing
        if isinstance(made, dict) and made.get("id"):
            return str(made["id"])
        new = self._ids_named(name) - before
        if len(new) != 1:
            raise RefreshError(f"created playlist {name!r} but cannot find its id")
        return new.pop()

    def _ids_named(self, name: str) -> set[str]:
        playlists = (self.client.call("getPlaylists").get("playlists") or {}).get("playlist", [])
        return {str(p.get("id")) for p in playlists if p.get("name") == name}

    def _update(
        self, server_id: str, summary: dict[str, Any], name: str, song_ids: list[str]
    ) -> bool:
        """Makes the server playlist hold exactly song_ids (in order); False when it did."""
        current = self.client.call("getPlaylist", ("id", server_id)).get("playlist") or {}
        have = [str(entry.get("id")) for entry in current.get("entry", [])]
        if have == song_ids and summary.get("name") == name:
            return False
        # Appends the new list, then removes the old indexes (all below the new ones).
        self.client.call(
            "updatePlaylist",
            ("playlistId", server_id),
            ("name", name),
            *(("songIdToAdd", s) for s in song_ids),
            *(("songIndexToRemove", str(i)) for i in range(len(have))),
        )
        return True


def _load(raw: str) -> dict[str, str]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


class SongIndex:
    """Server song ids by path relative to the music folder (every song listed once with
    search3's empty query, page by page), with a per-title search3 for the rest."""

    def __init__(self, client: SubsonicClient, music_dir: Path) -> None:
        self.client = client
        self.music_dir = music_dir
        self._by_path: dict[str, str] | None = None

    def _paths(self) -> dict[str, str]:
        if self._by_path is None:
            self._by_path = {}
            offset = 0
            while True:
                result = (
                    self.client.call(
                        "search3",
                        ("query", ""),
                        ("artistCount", "0"),
                        ("albumCount", "0"),
                        ("songCount", str(PAGE)),
                        ("songOffset", str(offset)),
                    ).get("searchResult3")
                    or {}
                )
                songs = result.get("song") or []
                for song in songs:
                    if song.get("path") and song.get("id"):
                        self._by_path.setdefault(str(song["path"]), str(song["id"]))
                if len(songs) < PAGE:
                    break
                offset += len(songs)
        return self._by_path

    def song_ids(self, playlist: MirroredPlaylist) -> tuple[list[str], int]:
        """The server's ids of the playlist's tracks in order, and how many were not found."""
        ids: list[str] = []
        not_found = 0
        for entry in playlist.entries(self.music_dir):
            song_id = self._by_relative_path(entry.path) or self._by_search(entry.label)
            if song_id is None:
                not_found += 1
            else:
                ids.append(song_id)
        return ids, not_found

    def _by_relative_path(self, path: Path) -> str | None:
        try:
            relative = os.path.relpath(path, self.music_dir)
        except ValueError:
            return None
        if relative.startswith(".."):
            return None
        return self._paths().get(relative.replace(os.sep, "/"))

    def _by_search(self, label: str) -> str | None:
        artist, sep, title = label.partition(" - ")
        if not sep or not title:
            return None
        result = (
            self.client.call(
                "search3",
                ("query", title),
                ("artistCount", "0"),
                ("albumCount", "0"),
                ("songCount", "20"),
            ).get("searchResult3")
            or {}
        )
        for song in result.get("song") or []:
            if (
                str(song.get("title", "")).casefold() == title.casefold()
                and str(song.get("artist", "")).casefold() == artist.casefold()
            ):
                return str(song.get("id"))
        return None
