"""The Spotify emulator behaves like the Spotify Web API and Accounts service."""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import secrets
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.emulator import Emulator, Library, s256
from tests.emulator import fields as fields_filter

ROOT = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def call(
    url: str,
    token: str | None = None,
    *,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None,
    raw: bool = False,
) -> tuple[int, dict[str, str], Any]:
    """One request; returns (status, headers, parsed JSON body or raw bytes)."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    body = None
    if data is not None:
        body = urlencode(data).encode()
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    req = urllib.request.Request(url, data=body, headers=h)
    opener = urllib.request.build_opener(
        _NoRedirect(), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(req, timeout=10) as resp:
            status, hdrs, content = resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        status, hdrs, content = e.code, dict(e.headers), e.read()
    if raw:
        return status, hdrs, content
    try:
        return status, hdrs, json.loads(content) if content else None
    except ValueError:
        return status, hdrs, content


def get_all(url: str, token: str, key: str | None = None) -> tuple[list[Any], int]:
    """Follow ``next`` links; returns (items, requests made)."""
    items: list[Any] = []
    n = 0
    next_url: str | None = url
    while next_url:
        status, _, page = call(next_url, token)
        n += 1
        assert status == 200, page
        if key:
            page = page[key]
        items.extend(page["items"])
        next_url = page["next"]
    return items, n


def owned(emu: Emulator) -> Any:
    lib = emu.library
    return next(p for p in lib.playlists if p.owner_id == lib.me.id and len(p.entries) > 60)


def followed(emu: Emulator) -> Any:
    lib = emu.library
    return next(
        p for p in lib.playlists if p.owner_id not in (lib.me.id, "spotify") and not p.collaborative
    )


def spotify_owned(emu: Emulator) -> Any:
    return next(p for p in emu.library.playlists if p.owner_id == "spotify")


# ------------------------------------------------------------------------ data
def test_generator_is_deterministic_and_exact() -> None:
    a = Library.generate(seed=3, playlists=12, entries=900, liked=120, albums=20, artists=15)
    b = Library.generate(seed=3, playlists=12, entries=900, liked=120, albums=20, artists=15)
    assert a.to_dict() == b.to_dict()
    s = a.summary()
    assert (s["playlists"], s["entries"], s["liked"], s["saved_albums"], s["followed_artists"]) == (
        12,
        900,
        120,
        20,
        15,
    )
    assert s["owned"] and s["followed"] and s["spotify_owned"] and s["collaborative"]
    c = Library.generate(seed=4, playlists=12, entries=900, liked=120, albums=20, artists=15)
    assert c.to_dict() != a.to_dict()


def test_big_library_has_every_kind_of_entry() -> None:
    s = Library.generate(seed=1).summary()
    assert s["entries"] == 18000 and s["liked"] == 5000 and s["playlists"] == 60
    assert all(s["entry_kinds"][k] > 0 for k in ("track", "episode", "local", "null"))


def test_library_round_trips_through_json(tmp_path: Path, emulator_library: Library) -> None:
    path = tmp_path / "lib.json"
    emulator_library.save(path)
    assert Library.load(path).to_dict() == emulator_library.to_dict()


def test_library_from_simple_tracks(
    emulator_factory: Callable[..., Emulator], tmp_path: Path
) -> None:
    tracks = [
        {
            "title": "Hoppípolla",
            "artist": "Sigur Rós",
            "album": "Takk...",
            "length": 268.5,
            "isrc": "GBAAA0500001",
            "track": 3,
            "year": 2005,
        },
        {
            "title": "Glósóli",
            "artist": "Sigur Rós",
            "album": "Takk...",
            "length": 375.0,
            "track": 2,
            "year": 2005,
        },
        {
            "title": "Lemon",
            "artists": ["米津玄師"],
            "album": "Lemon",
            "length": 255.0,
            "spotify_track_id": "04TshWXkhV1qkqHzf31Hn6",
        },
    ]
    spec = {
        "tracks": tracks,
        "playlists": [
            {
                "name": "Mine",
                "tracks": [
                    0,
                    1,
                    {"local": {"name": "Demo", "artist": "Me"}},
                    None,
                    "04TshWXkhV1qkqHzf31Hn6",
                ],
            },
            {"name": "Theirs", "owner": "someoneelse", "tracks": [2]},
        ],
        "liked": [2, 0],
        "saved_albums": ["Takk..."],
        "followed_artists": ["Sigur Rós", "Nobody Yet"],
    }
    path = tmp_path / "simple.json"
    path.write_text(json.dumps(spec, ensure_ascii=False))
    lib = Library.load(path)
    assert lib.summary()["entry_kinds"] == {
        "track": 4,
        "episode": 0,
        "local": 1,
        "null": 1,
        "raw": 0,
    }
    emu = emulator_factory(library=lib)
    token = emu.issue_token()["access_token"]
    mine = lib.playlists[0].id
    items, _ = get_all(f"{emu.api_url}/playlists/{mine}/items?limit=50", token)
    first = items[0]["item"]
    assert first["name"] == "Hoppípolla" and first["external_ids"] == {"isrc": "GBAAA0500001"}
    assert first["duration_ms"] == 268500 and first["album"]["name"] == "Takk..."
    assert first["album"]["release_date"] == "2005"
    assert first["album"]["release_date_precision"] == "year"
    assert items[1]["item"]["external_ids"] == {}
    assert items[2]["is_local"] is True and items[2]["item"]["id"] is None
    assert items[2]["item"]["uri"].startswith("spotify:local:Me:")
    assert items[3]["item"] is None
    assert items[4]["item"]["id"] == "04TshWXkhV1qkqHzf31Hn6"
    liked, _ = get_all(f"{emu.api_url}/me/tracks?limit=50", token)
    assert [x["track"]["name"] for x in liked] == ["Lemon", "Hoppípolla"]
    status, _, theirs = call(f"{emu.api_url}/playlists/{lib.playlists[1].id}/items", token)
    assert status == 403 and theirs == {"error": {"status": 403, "message": "Forbidden"}}


# ---------------------------------------------------------------------- paging
def test_paging_at_the_maximum_follows_absolute_next_links(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    lib = emulator.library
    playlists, n = get_all(f"{emulator.api_url}/me/playlists?limit=50", token)
    assert len(playlists) == len(lib.playlists) and n == -(-len(lib.playlists) // 50)
    p = owned(emulator)
    url = f"{emulator.api_url}/playlists/{p.id}/items?limit=50&additional_types=track,episode"
    _status, _, first = call(url, token)
    assert first["total"] == len(p.entries) and first["limit"] == 50
    assert first["next"].startswith(emulator.api_url + f"/playlists/{p.id}/items?offset=50")
    assert "additional_types=track,episode" in first["next"]
    items, n = get_all(url, token)
    assert len(items) == len(p.entries) and n == -(-len(p.entries) // 50)
    liked, n = get_all(f"{emulator.api_url}/me/tracks?limit=50", token)
    assert len(liked) == len(lib.liked) and n == -(-len(lib.liked) // 50)
    assert [x["track"]["id"] for x in liked] == [t for _, t in lib.liked]
    albums, _ = get_all(f"{emulator.api_url}/me/albums?limit=50", token)
    assert [a["album"]["id"] for a in albums] == [a for _, a in lib.saved_albums]
    artists, n = get_all(
        f"{emulator.api_url}/me/following?type=artist&limit=50", token, key="artists"
    )
    assert sorted(a["id"] for a in artists) == sorted(lib.followed_artists)
    assert n == -(-len(lib.followed_artists) // 50)
    pages = [
        -(-x // 50)
        for x in (
            len(lib.playlists),
            len(p.entries),
            len(lib.liked),
            len(lib.saved_albums),
            len(lib.followed_artists),
        )
    ]
    assert emulator.count() == sum(pages) + 1  # + the single first page fetched above


def test_default_page_size_is_twenty(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    status, _, page = call(f"{emulator.api_url}/me/tracks", token)
    assert status == 200 and page["limit"] == 20 and len(page["items"]) == 20
    assert page["previous"] is None and page["offset"] == 0


@pytest.mark.parametrize(
    "path",
    ["/me/playlists", "/me/tracks", "/me/albums", "/me/following?type=artist", "ITEMS"],
)
@pytest.mark.parametrize("limit", ["51", "0", "-1", "abc"])
def test_a_limit_outside_the_maximum_is_a_400(emulator: Emulator, path: str, limit: str) -> None:
    token = emulator.issue_token()["access_token"]
    if path == "ITEMS":
        path = f"/playlists/{owned(emulator).id}/items"
    sep = "&" if "?" in path else "?"
    status, _, body = call(f"{emulator.api_url}{path}{sep}limit={limit}", token)
    assert status == 400
    assert body == {"error": {"status": 400, "message": "Invalid limit"}}


def test_legacy_tracks_path_allows_100_in_extended_mode(emulator_extended: Emulator) -> None:
    emu = emulator_extended
    token = emu.issue_token()["access_token"]
    p = max(emu.library.playlists, key=lambda p: len(p.entries))
    status, _, page = call(f"{emu.api_url}/playlists/{p.id}/tracks?limit=100", token)
    assert status == 200 and len(page["items"]) == min(100, len(p.entries))
    assert "track" in page["items"][0] and "item" not in page["items"][0]
    status, _, _ = call(f"{emu.api_url}/playlists/{p.id}/items?limit=100", token)
    assert status == 400


def test_followed_artists_use_cursor_paging(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    status, _, page = call(f"{emulator.api_url}/me/following?type=artist&limit=10", token)
    inner = page["artists"]
    assert set(inner) >= {"href", "items", "limit", "next", "cursors", "total"}
    assert inner["cursors"]["after"] == inner["items"][-1]["id"]
    assert f"after={inner['items'][-1]['id']}" in inner["next"]
    status, _, page2 = call(inner["next"], token)
    assert page2["artists"]["items"][0]["id"] > inner["items"][-1]["id"]
    status, _, _bad = call(f"{emulator.api_url}/me/following?type=user", token)
    assert status == 400


# ------------------------------------------------------------------- shapes
def test_playlist_entry_shapes(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    lib = emulator.library
    p = next(
        p
        for p in lib.playlists
        if lib.items_allowed_in_development(p) and {e.kind for e in p.entries} >= {"episode"}
    )
    pos = next(i for i, e in enumerate(p.entries) if e.kind == "episode")
    url = f"{emulator.api_url}/playlists/{p.id}/items?limit=1&offset={pos}"
    _, _, plain = call(url, token)
    as_track = plain["items"][0]["item"]
    assert as_track["type"] == "track" and as_track["episode"] is True
    assert as_track["uri"].startswith("spotify:episode:")
    _, _, typed = call(url + "&additional_types=track,episode", token)
    entry = typed["items"][0]
    assert entry["item"]["type"] == "episode" and entry["track"] == entry["item"]
    assert set(entry) >= {"added_at", "added_by", "is_local", "item", "track"}


def test_track_fields_differ_between_modes(emulator_factory: Callable[..., Emulator]) -> None:
    dev = emulator_factory(mode="development")
    ext = emulator_factory(mode="extended")
    tid = next(iter(dev.library.tracks))
    _, _, d = call(f"{dev.api_url}/tracks/{tid}", dev.issue_token()["access_token"])
    _, _, e = call(
        f"{ext.api_url}/tracks/{tid}?market=from_token", ext.issue_token()["access_token"]
    )
    assert "popularity" not in d and "available_markets" not in d
    assert "popularity" in e and "available_markets" in e and "is_playable" in e
    for t in (d, e):
        assert t["id"] == tid and t["type"] == "track" and t["uri"] == f"spotify:track:{tid}"
        assert {"album", "artists", "duration_ms", "external_ids", "name"} <= set(t)
        assert len(t["album"]["images"]) in (0, 3)


def test_me_playlists_shape_and_scopes(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    _, _, page = call(f"{emulator.api_url}/me/playlists?limit=50", token)
    p = page["items"][0]
    assert set(p) >= {
        "collaborative",
        "description",
        "href",
        "id",
        "images",
        "items",
        "name",
        "owner",
        "public",
        "snapshot_id",
        "type",
        "uri",
    }
    assert "tracks" not in p  # gone for development-mode apps
    assert set(p["items"]) == {"href", "total"}
    narrow = emulator.issue_token(scope="playlist-read-private")["access_token"]
    _, _, page = call(f"{emulator.api_url}/me/playlists?limit=50", narrow)
    assert all(not x["collaborative"] for x in page["items"])
    status, _, body = call(f"{emulator.api_url}/me/tracks", narrow)
    assert status == 403 and body["error"]["message"] == "Insufficient client scope"


def test_fields_filter(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    p = owned(emulator)
    _, _, snap = call(f"{emulator.api_url}/playlists/{p.id}?fields=snapshot_id", token)
    assert snap == {"snapshot_id": p.snapshot_id}
    f = "items(added_at,item(id,name,album(!images,!artists))),next,total"
    _, _, page = call(f"{emulator.api_url}/playlists/{p.id}/items?limit=5&fields={f}", token)
    assert set(page) == {"items", "next", "total"}
    track = next(x["item"] for x in page["items"] if x["item"])
    assert set(track) <= {"id", "name", "album"}
    assert "fields=" in page["next"]
    node = fields_filter.parse("a.b,c(!d)")
    assert fields_filter.apply({"a": {"b": 1, "x": 2}, "c": [{"d": 1, "e": 2}], "z": 0}, node) == {
        "a": {"b": 1},
        "c": [{"e": 2}],
    }
    status, _, _ = call(f"{emulator.api_url}/playlists/{p.id}?fields=items(", token)
    assert status == 400


# ---------------------------------------------------------------------- modes
def test_development_mode_restrictions(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    api = emulator.api_url
    mine, theirs, editorial = owned(emulator), followed(emulator), spotify_owned(emulator)
    assert call(f"{api}/playlists/{mine.id}/items", token)[0] == 200
    assert call(f"{api}/playlists/{mine.id}/tracks", token)[0] == 403
    status, _, body = call(f"{api}/playlists/{theirs.id}/items", token)
    assert status == 403 and body["error"]["status"] == 403
    status, _, meta = call(f"{api}/playlists/{theirs.id}", token)
    assert status == 200 and meta["name"] == theirs.name and "items" not in meta["items"]
    assert meta["items"]["total"] == len(theirs.entries)
    assert call(f"{api}/playlists/{editorial.id}", token)[0] == 404
    status, _, body = call(f"{api}/playlists/{editorial.id}/items", token)
    assert status == 404 and body == {"error": {"status": 404, "message": "Resource not found"}}
    tid = next(iter(emulator.library.tracks))
    status, _, body = call(f"{api}/audio-features?ids={tid}", token)
    assert status == 403 and body["error"]["status"] == 403
    assert call(f"{api}/tracks?ids={tid}", token)[0] == 403
    assert call(f"{api}/tracks/{tid}", token)[0] == 200


def test_extended_mode_serves_everything(emulator_extended: Emulator) -> None:
    emu = emulator_extended
    token = emu.issue_token()["access_token"]
    api = emu.api_url
    for p in (followed(emu), spotify_owned(emu)):
        items, _ = get_all(f"{api}/playlists/{p.id}/items?limit=50", token)
        assert len(items) == len(p.entries)
    ids = list(emu.library.tracks)[:100]
    status, _, feats = call(f"{api}/audio-features?ids={','.join(ids)}", token)
    assert status == 200 and [f["id"] for f in feats["audio_features"]] == ids
    assert call(f"{api}/audio-features?ids={','.join(ids + ids[:1])}", token)[0] == 400
    status, _, tracks = call(f"{api}/tracks?ids={','.join(ids[:50])}", token)
    assert status == 200 and [t["id"] for t in tracks["tracks"]] == ids[:50]
    status, _, body = call(f"{api}/tracks?ids={','.join(ids[:51])}", token)
    assert status == 400 and body["error"]["message"] == "Too many ids requested"
    _, _, meta = call(f"{api}/me/playlists", token)
    assert "tracks" in meta["items"][0]


def test_unknown_and_malformed_ids(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    assert call(f"{emulator.api_url}/playlists/{'0' * 22}/items", token)[0] == 404
    status, _, body = call(f"{emulator.api_url}/tracks/not-an-id", token)
    assert status == 400 and body["error"]["message"] == "Invalid base62 id"
    status, _, body = call(f"{emulator.api_url}/nothing/here", token)
    assert status == 404 and body["error"]["message"] == "Service not found"


# ------------------------------------------------------------------ auth
def test_bearer_checks(emulator: Emulator) -> None:
    url = f"{emulator.api_url}/me"
    status, _headers, body = call(url)
    assert status == 401 and body == {"error": {"status": 401, "message": "No token provided"}}
    status, _, body = call(url, "not-a-token")
    assert status == 401 and body["error"]["message"] == "Invalid access token"
    tokens = emulator.issue_token()
    assert call(url, tokens["access_token"])[0] == 200
    emulator.expire_tokens()
    status, _, body = call(url, tokens["access_token"])
    assert status == 401 and body["error"]["message"] == "The access token expired"
    status, _, fresh = call(
        f"{emulator.auth_url}/api/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": emulator.client_id,
        },
    )
    assert status == 200 and fresh["token_type"] == "Bearer" and fresh["expires_in"] == 3600
    assert call(url, fresh["access_token"])[0] == 200


def test_short_lived_tokens_expire(emulator_factory: Callable[..., Emulator]) -> None:
    emu = emulator_factory(access_token_ttl=0)
    token = emu.issue_token()["access_token"]
    status, _, body = call(f"{emu.api_url}/me", token)
    assert status == 401 and body["error"]["message"] == "The access token expired"


def login(
    emu: Emulator, verifier: str, redirect: str = "http://127.0.0.1:43111/callback", **extra: str
) -> tuple[int, dict[str, str], dict[str, list[str]]]:
    """Act as the browser: open the authorize URL, read the redirect."""
    params = {
        "client_id": emu.client_id,
        "response_type": "code",
        "redirect_uri": redirect,
        "state": "st4te",
        "scope": "playlist-read-private user-library-read",
        "code_challenge_method": "S256",
        "code_challenge": s256(verifier),
        **extra,
    }
    status, headers, _ = call(f"{emu.auth_url}/authorize?{urlencode(params)}", raw=True)
    location = headers.get("Location", "")
    return status, headers, parse_qs(urlsplit(location).query)


def exchange(
    emu: Emulator, code: str, verifier: str, redirect: str = "http://127.0.0.1:43111/callback"
) -> tuple[int, Any]:
    status, _, body = call(
        f"{emu.auth_url}/api/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": emu.client_id,
            "code_verifier": verifier,
        },
    )
    return status, body


def test_pkce_login_success(emulator: Emulator) -> None:
    verifier = secrets.token_urlsafe(64)
    status, headers, q = login(emulator, verifier)
    assert status == 302 and headers["Location"].startswith("http://127.0.0.1:43111/callback?")
    assert q["state"] == ["st4te"]
    status, tokens = exchange(emulator, q["code"][0], verifier)
    assert status == 200
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert tokens["scope"] == "playlist-read-private user-library-read"
    assert call(f"{emulator.api_url}/me/tracks", tokens["access_token"])[0] == 200
    # The code is single-use.
    status, body = exchange(emulator, q["code"][0], verifier)
    assert status == 400 and body["error"] == "invalid_grant"


def test_pkce_login_failures(emulator: Emulator) -> None:
    verifier = secrets.token_urlsafe(64)
    _, _, q = login(emulator, verifier)
    status, body = exchange(emulator, q["code"][0], secrets.token_urlsafe(64))
    assert status == 400 and body == {
        "error": "invalid_grant",
        "error_description": "code_verifier was incorrect",
    }
    _, _, q = login(emulator, verifier)
    status, body = exchange(
        emulator, q["code"][0], verifier, redirect="http://127.0.0.1:43112/callback"
    )
    assert status == 400 and body["error"] == "invalid_grant"
    # Spotify refuses localhost, unknown clients, and plain-text challenges.
    status, _, _ = login(emulator, verifier, redirect="http://localhost:43111/callback")
    assert status == 400
    status, _, _ = login(emulator, verifier, client_id="someone-else")
    assert status == 400
    status, _, q = login(emulator, verifier, code_challenge_method="plain")
    assert status == 302 and q["error"] == ["invalid_request"]
    emulator.configure(approve="deny")
    status, _, q = login(emulator, verifier)
    assert status == 302 and q["error"] == ["access_denied"] and q["state"] == ["st4te"]


def test_refresh_tokens_are_single_use_and_expire(emulator: Emulator) -> None:
    first = emulator.issue_token()["refresh_token"]

    def refresh(token: str) -> tuple[int, Any]:
        status, _, body = call(
            f"{emulator.auth_url}/api/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": token,
                "client_id": emulator.client_id,
            },
        )
        return status, body

    status, body = refresh(first)
    assert status == 200 and body["refresh_token"] != first
    second = body["refresh_token"]
    status, body = refresh(first)
    assert status == 400 and body["error"] == "invalid_grant"
    status, body = refresh(second)
    assert status == 200
    emulator.expire_refresh_tokens()
    status, body = refresh(body["refresh_token"])
    assert status == 400 and body == {
        "error": "invalid_grant",
        "error_description": "Refresh token expired",
    }
    status, _, body = call(f"{emulator.auth_url}/api/token", data={"grant_type": "password"})
    assert status == 400


def test_client_secret_flow_does_not_rotate(emulator: Emulator) -> None:
    params = {
        "client_id": emulator.client_id,
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1:8888/callback",
        "state": "x",
    }
    _, headers, _ = call(f"{emulator.auth_url}/authorize?{urlencode(params)}", raw=True)
    code = parse_qs(urlsplit(headers["Location"]).query)["code"][0]
    basic = base64.b64encode(f"{emulator.client_id}:{emulator.client_secret}".encode()).decode()
    auth = {"Authorization": f"Basic {basic}"}
    status, _, tokens = call(
        f"{emulator.auth_url}/api/token",
        headers=auth,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:8888/callback",
        },
    )
    assert status == 200
    for _ in range(2):
        status, _, body = call(
            f"{emulator.auth_url}/api/token",
            headers=auth,
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        assert status == 200 and "refresh_token" not in body
    bad = {"Authorization": "Basic " + base64.b64encode(b"emulator-client-id:nope").decode()}
    status, _, body = call(
        f"{emulator.auth_url}/api/token",
        headers=bad,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert status == 400 and body["error"] == "invalid_client"


# ------------------------------------------------------ rate limit and faults
def test_rate_limit_answers_429_with_retry_after(
    emulator_factory: Callable[..., Emulator],
) -> None:
    emu = emulator_factory(rate_limit=5, rate_window=30.0)
    token = emu.issue_token()["access_token"]
    statuses = [call(f"{emu.api_url}/me", token)[0] for _ in range(5)]
    assert statuses == [200] * 5
    status, headers, body = call(f"{emu.api_url}/me", token)
    assert status == 429
    assert body == {"error": {"status": 429, "message": "API rate limit exceeded"}}
    assert 1 <= int(headers["Retry-After"]) <= 30
    # Once the window has rolled past the first requests, requests pass again.
    emu.configure(rate_window=0.5)
    time.sleep(0.6)
    assert call(f"{emu.api_url}/me", token)[0] == 200
    assert emu.counters()["rate_limited"] == 1


def test_quota_exceeded(emulator_factory: Callable[..., Emulator]) -> None:
    emu = emulator_factory(quota=2, rate_limit=None)
    token = emu.issue_token()["access_token"]
    assert [call(f"{emu.api_url}/me", token)[0] for _ in range(2)] == [200, 200]
    status, headers, body = call(f"{emu.api_url}/me", token)
    assert status == 429 and body == {
        "error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}
    }
    assert int(headers["Retry-After"]) > 60


def test_scheduled_faults(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    url = f"{emulator.api_url}/me/tracks?limit=50"
    emulator.fail_next(1, "status", status=503)
    status, _, body = call(url, token)
    assert status == 503 and body["error"]["status"] == 503
    assert call(url, token)[0] == 200
    emulator.storm_429(3, retry_after=7)
    answers = [call(url, token) for _ in range(4)]
    assert [a[0] for a in answers] == [429, 429, 429, 200]
    assert answers[0][1]["Retry-After"] == "7"
    emulator.fail_next(1, "reset")
    with pytest.raises((ConnectionError, http.client.HTTPException, urllib.error.URLError)):
        call(url, token)
    emulator.fail_next(1, "truncate")
    with pytest.raises(http.client.IncompleteRead):
        call(url, token)
    emulator.fail_next(1, "status", status=500, path="/me/albums")
    assert call(url, token)[0] == 200
    assert call(f"{emulator.api_url}/me/albums", token)[0] == 500
    faults = emulator.counters()["faults"]
    assert faults == {"503": 1, "429": 3, "reset": 1, "truncate": 1, "500": 1}


def test_random_faults_are_seeded(emulator_factory: Callable[..., Emulator]) -> None:
    def run() -> list[int]:
        emu = emulator_factory(rate_limit=None)
        emu.set_faults(p_5xx=0.3, p_429=0.2, retry_after=2, seed=42)
        token = emu.issue_token()["access_token"]
        return [call(f"{emu.api_url}/me", token)[0] for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert {200, 429} <= set(first) and set(first) & {500, 502, 503}


def test_latency_is_added(emulator_factory: Callable[..., Emulator]) -> None:
    emu = emulator_factory(latency_ms=120)
    token = emu.issue_token()["access_token"]
    call(f"{emu.api_url}/me", token)
    assert emu.requests("/me$")[0]["ms"] >= 120


def test_concurrent_requests_are_served_in_parallel(
    emulator_factory: Callable[..., Emulator],
) -> None:
    emu = emulator_factory(latency_ms=600, rate_limit=None)
    token = emu.issue_token()["access_token"]
    threads = [
        threading.Thread(
            target=call, args=(f"{emu.api_url}/me/tracks?limit=50&offset={i * 50}", token)
        )
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert emu.counters()["max_inflight"] >= 2


def test_gzip_when_asked(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    status, headers, body = call(
        f"{emulator.api_url}/me/tracks?limit=50",
        token,
        headers={"Accept-Encoding": "gzip"},
        raw=True,
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(body))["items"]) == 50


# ---------------------------------------------------------------- TLS
def test_tls_with_the_test_ca(emulator_tls: Emulator) -> None:
    emu = emulator_tls
    assert emu.api_url.startswith("https://127.0.0.1:") and emu.ca_file
    token = emu.issue_token()["access_token"]
    ctx = ssl.create_default_context(cafile=emu.ca_file)
    status, _, me = call(f"{emu.api_url}/me", token, context=ctx)
    assert status == 200 and me["id"] == emu.library.me.id
    with pytest.raises(urllib.error.URLError) as err:
        call(f"{emu.api_url}/me", token, context=ssl.create_default_context())
    assert isinstance(err.value.reason, ssl.SSLCertVerificationError)


# ------------------------------------------------------- log and admin
def test_request_log_and_counters(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    call(f"{emulator.api_url}/me", token)
    call(f"{emulator.api_url}/me/tracks?limit=50&offset=50", token)
    call(f"{emulator.api_url}/me/tracks?limit=99", token)
    log = emulator.requests()
    assert [(r["method"], r["path"], r["query"], r["status"]) for r in log] == [
        ("GET", "/v1/me", "", 200),
        ("GET", "/v1/me/tracks", "limit=50&offset=50", 200),
        ("GET", "/v1/me/tracks", "limit=99", 400),
    ]
    assert emulator.count("/me/tracks") == 2 and emulator.count(status=400) == 1
    c = emulator.counters()
    assert c["api_requests"] == 3 and c["by_status"] == {"200": 2, "400": 1}
    assert c["by_endpoint"] == {"/v1/me": 1, "/v1/me/tracks": 2}
    assert all(token not in json.dumps(r) for r in log)
    emulator.reset_log()
    assert emulator.count() == 0


def admin(emu: Emulator, action: str, **args: Any) -> Any:
    req = urllib.request.Request(
        f"{emu.base_url}/_admin/{action}",
        data=json.dumps(args).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)["result"]


def test_admin_mutations_change_snapshots(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    api = emulator.api_url
    p = owned(emulator)
    before = p.snapshot_id
    extra = next(t for t in emulator.library.tracks if t not in {e.id for e in p.entries})
    snap = admin(emulator, "add_to_playlist", playlist_id=p.id, track_ids=[extra], position=0)
    assert snap != before
    _, _, page = call(f"{api}/playlists/{p.id}/items?limit=1", token)
    assert page["items"][0]["item"]["id"] == extra and page["total"] == len(p.entries)
    admin(emulator, "rename_playlist", playlist_id=p.id, name="Renamed")
    _, _, meta = call(f"{api}/playlists/{p.id}?fields=name,snapshot_id", token)
    assert meta["name"] == "Renamed" and meta["snapshot_id"] not in (before, snap)
    emulator.library.remove_from_playlist(p.id, track_ids=[extra])
    admin(emulator, "delete_playlist", playlist_id=p.id)
    assert call(f"{api}/playlists/{p.id}/items", token)[0] == 404
    all_playlists, _ = get_all(f"{api}/me/playlists?limit=50", token)
    assert p.id not in {x["id"] for x in all_playlists}
    admin(emulator, "like", track_id=extra)
    _, _, liked = call(f"{api}/me/tracks?limit=1", token)
    assert liked["items"][0]["track"]["id"] == extra
    tokens = admin(emulator, "token")
    admin(emulator, "expire_tokens")
    assert call(f"{api}/me", tokens["access_token"])[0] == 401
    admin(emulator, "fail_next", count=1, status=502)
    assert call(f"{api}/me", emulator.issue_token()["access_token"])[0] == 502
    log = admin(emulator, "log")["requests"]
    assert log[-1]["status"] == 502
    assert admin(emulator, "summary")["playlists"] == len(emulator.library.playlists)


# ---------------------------------------------------------------- CLI
def test_cli_prints_the_url_first_and_serves(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.emulator",
            "--port",
            "0",
            "--seed",
            "2",
            "--playlists",
            "4",
            "--entries",
            "120",
            "--liked",
            "30",
            "--albums",
            "3",
            "--artists",
            "5",
            "--tls",
            "--tls-dir",
            str(tmp_path),
            "--print-token",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().split()
        info = json.loads(proc.stdout.readline())
        assert first[0].startswith("https://127.0.0.1:") and Path(first[1]).is_file()
        assert info["api_url"] == first[0] + "/v1" and info["summary"]["entries"] == 120
        ctx = ssl.create_default_context(cafile=first[1])
        status, _, page = call(
            info["api_url"] + "/me/playlists", info["token"]["access_token"], context=ctx
        )
        assert status == 200 and page["total"] == 4
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_token_expires_mid_run(emulator: Emulator) -> None:
    tokens = emulator.issue_token()
    url = f"{emulator.api_url}/me/tracks?limit=50"
    emulator.fail_next(1, "expire", path="/me/tracks", after=2)
    statuses = [call(url, tokens["access_token"])[0] for _ in range(3)]
    assert statuses == [200, 200, 401]
    assert emulator.requests(status=401)[0]["fault"] == "expire"


def test_admin_can_load_a_library(emulator: Emulator) -> None:
    summary = admin(
        emulator,
        "load_library",
        tracks=[{"title": "One", "artist": "A", "album": "X", "length": 100}],
        playlists=[{"name": "Only", "tracks": [0, 0]}],
    )
    assert summary["playlists"] == 1 and summary["entries"] == 2
    token = emulator.issue_token()["access_token"]
    _, _, page = call(f"{emulator.api_url}/me/playlists", token)
    assert [p["name"] for p in page["items"]] == ["Only"]


def test_library_from_beets_items(tmp_path: Path) -> None:
    items = [
        {
            "id": i + 1,
            "title": f"Song {i}",
            "artist": f"Artist {i % 7} feat. Guest" if i % 5 == 0 else f"Artist {i % 7}",
            "artists": [f"Artist {i % 7}", "Guest"] if i % 5 == 0 else [f"Artist {i % 7}"],
            "featured": ["Guest"] if i % 5 == 0 else [],
            "album": f"Album {i % 13}",
            "albumartist": f"Artist {i % 7}",
            "length": 200.0 + i,
            "track": i % 12 + 1,
            "disc": 1,
            "year": 1990 + i % 30,
            "isrc": f"USAAA99{i:05d}" if i % 3 else "",
            "spotify_track_id": "4uLU6hMCjMI75M1A2tKUQC" if i == 4 else "",
            "base_title": f"Song {i}",
        }
        for i in range(300)
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in items))
    lib = Library.from_items(
        Library.read_items(path),
        seed=3,
        playlists=6,
        entries=300,
        liked=80,
        albums=5,
        artists=8,
        missing=0.3,
        catalogue=300,
    )
    s = lib.summary()
    assert (s["playlists"], s["entries"], s["liked"]) == (6, 300, 80)
    truth = lib.truth()
    by_item = {v: k for k, v in truth.items() if v is not None}
    assert by_item[5] == "4uLU6hMCjMI75M1A2tKUQC"  # the item's own Spotify id is kept
    matched = [lib.tracks[t] for t, v in truth.items() if v is not None]
    assert len(matched) == len(items)
    for t in matched:
        item = items[t.beets_item - 1]
        assert abs(t.duration_ms - item["length"] * 1000) <= 1500
        assert [lib.artists[a].name for a in t.artist_ids] == item["artists"]
        assert item["isrc"] == "" or t.isrc in (item["isrc"], None)
    missing = sum(v is None for v in truth.values())
    assert 0.2 < missing / len(truth) < 0.45
    used = [e.id for p in lib.playlists for e in p.entries if e.kind == "track"]
    assert any(truth[t] is None for t in used) and any(truth[t] is not None for t in used)
    assert Library.from_dict(lib.to_dict()).truth() == truth


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_minimum_requests_matches_a_minimal_fetch(
    emulator_factory: Callable[..., Emulator], mode: str
) -> None:
    emu = emulator_factory(mode=mode)
    lib = emu.library
    token = emu.issue_token()["access_token"]
    api = emu.api_url
    call(f"{api}/me", token)
    playlists, _ = get_all(f"{api}/me/playlists?limit=50", token)
    wanted: set[str] = set()
    for p in playlists:
        if p["items"]["total"] == 0:
            continue
        url: str | None = f"{api}/playlists/{p['id']}/items?limit=50"
        while url:
            status, _, page = call(url, token)
            if status != 200:
                break
            wanted.update(
                x["item"]["id"]
                for x in page["items"]
                if x["item"]
                and x["item"]["id"]
                and x["item"]["type"] == "track"
                and not x["item"].get("episode")
            )
            url = page["next"]
    liked, _ = get_all(f"{api}/me/tracks?limit=50", token)
    wanted.update(x["track"]["id"] for x in liked)
    get_all(f"{api}/me/albums?limit=50", token)
    get_all(f"{api}/me/following?type=artist&limit=50", token, key="artists")
    ids = sorted(wanted)
    for i in range(0, len(ids), 100):
        status, _, _ = call(f"{api}/audio-features?ids={','.join(ids[i : i + 100])}", token)
        if status == 403:
            break
    expected = lib.minimum_requests(mode)
    got = emu.counters()["by_endpoint"]
    got = {
        k: v for k, v in got.items() if not k.startswith("/v1/playlists/") or k.endswith("/items")
    }
    assert got == {k: v for k, v in expected.items() if k != "total"}
    assert emu.count() == expected["total"] == admin(emu, "minimum_requests")["total"]


def test_hostile_playlist(emulator: Emulator) -> None:
    from tests.emulator.data import HOSTILE_ITEMS

    pid = emulator.library.add_hostile_playlist()
    token = emulator.issue_token()["access_token"]
    items, _ = get_all(f"{emulator.api_url}/playlists/{pid}/items?limit=50", token)
    assert [x["item"] for x in items[1:-1]] == HOSTILE_ITEMS
    assert items[0]["added_at"] is None and items[0]["added_by"] is None
    _, _, page = call(f"{emulator.api_url}/playlists/{pid}/items?fields=items(item(name))", token)
    assert page["items"][6]["item"] == [1, 2, 3]
    _, _, meta = call(f"{emulator.api_url}/playlists/{pid}?fields=name,description", token)
    assert meta["description"] == "<script>alert(1)</script>"
