"""The emulator's write endpoints and search (tests/emulator/writes.py): 2026 semantics."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.emulator import Emulator

READ = "playlist-read-private playlist-read-collaborative user-library-read"
WRITE = READ + " playlist-modify-private playlist-modify-public"


def send(emu: Emulator, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        emu.api_url + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, content = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, content = e.code, e.read()
    return status, json.loads(content) if content else None


def token(emu: Emulator, scope: str = WRITE) -> str:
    return emu.issue_token(scope=scope)["access_token"]


def uris(emu: Emulator, n: int) -> list[str]:
    return [f"spotify:track:{t}" for t in list(emu.library.tracks)[:n]]


def entry_ids(emu: Emulator, pid: str) -> list[str | None]:
    p = emu.library.playlist(pid)
    assert p is not None
    return [e.id for e in p.entries]


def test_create_add_replace_with_changing_snapshots(emulator: Emulator) -> None:
    t = token(emulator)
    status, created = send(
        emulator,
        "POST",
        "/me/playlists",
        t,
        {"name": "Master (beets)", "description": "made by a test", "public": False},
    )
    assert status == 201
    pid = created["id"]
    assert created["owner"]["id"] == emulator.library.me.id
    assert created["public"] is False and created["items"]["total"] == 0
    snapshots = {created["snapshot_id"]}
    # A new playlist is listed first, as on Spotify.
    assert emulator.library.playlists[0].id == pid

    first = uris(emulator, 100)
    status, answer = send(emulator, "POST", f"/playlists/{pid}/items", t, {"uris": first})
    assert status == 201 and answer["snapshot_id"] not in snapshots
    snapshots.add(answer["snapshot_id"])
    more = uris(emulator, 130)[100:]
    status, answer = send(
        emulator, "POST", f"/playlists/{pid}/items", t, {"uris": more, "position": 0}
    )
    assert status == 201 and answer["snapshot_id"] not in snapshots
    snapshots.add(answer["snapshot_id"])
    assert entry_ids(emulator, pid) == [u.split(":")[2] for u in more + first]

    status, answer = send(emulator, "PUT", f"/playlists/{pid}/items", t, {"uris": first[:5]})
    assert status == 200 and answer["snapshot_id"] not in snapshots
    assert entry_ids(emulator, pid) == [u.split(":")[2] for u in first[:5]]
    assert emulator.count("/items$", status=201) == 2
    assert emulator.count("/items$", status=200) == 1


def test_more_than_100_uris_is_a_400_and_changes_nothing(emulator: Emulator) -> None:
    t = token(emulator)
    pid = emulator.library.create_playlist("Mine", public=False)
    for method in ("POST", "PUT"):
        status, answer = send(
            emulator, method, f"/playlists/{pid}/items", t, {"uris": uris(emulator, 101)}
        )
        assert status == 400, answer
        assert "100" in answer["error"]["message"]
    assert entry_ids(emulator, pid) == []
    status, _ = send(
        emulator, "POST", f"/playlists/{pid}/items", t, {"uris": ["spotify:track:nope"]}
    )
    assert status == 400


def test_writes_need_the_scope_and_an_own_playlist(emulator: Emulator) -> None:
    read_only = token(emulator, READ)
    status, answer = send(
        emulator, "POST", "/me/playlists", read_only, {"name": "x", "public": False}
    )
    assert status == 403 and answer["error"]["message"] == "Insufficient client scope"
    mine = emulator.library.create_playlist("Mine", public=False)
    status, _ = send(
        emulator, "POST", f"/playlists/{mine}/items", read_only, {"uris": uris(emulator, 1)}
    )
    assert status == 403
    # Private scope only: a public playlist still needs playlist-modify-public.
    private_only = token(emulator, READ + " playlist-modify-private")
    public = emulator.library.create_playlist("Public one", public=True)
    status, _ = send(emulator, "PUT", f"/playlists/{public}/items", private_only, {"uris": []})
    assert status == 403
    status, _ = send(emulator, "PUT", f"/playlists/{mine}/items", private_only, {"uris": []})
    assert status == 200

    lib = emulator.library
    theirs = next(
        p for p in lib.playlists if p.owner_id not in (lib.me.id, "spotify") and not p.collaborative
    )
    before = entry_ids(emulator, theirs.id)
    status, answer = send(
        emulator,
        "POST",
        f"/playlists/{theirs.id}/items",
        token(emulator),
        {"uris": uris(emulator, 1)},
    )
    assert status == 403, answer
    assert entry_ids(emulator, theirs.id) == before


def test_writes_share_the_rate_window_faults_and_log(emulator_factory: Any) -> None:
    emu = emulator_factory(rate_limit=3, rate_window=30)
    t = token(emu)
    pid = emu.library.create_playlist("Mine", public=False)
    assert send(emu, "GET", "/me", t)[0] == 200
    assert send(emu, "POST", f"/playlists/{pid}/items", t, {"uris": uris(emu, 1)})[0] == 201
    assert send(emu, "GET", "/search?q=a&type=track", t)[0] == 200
    status, _ = send(emu, "POST", f"/playlists/{pid}/items", t, {"uris": uris(emu, 1)})
    assert status == 429
    assert entry_ids(emu, pid) == [uris(emu, 1)[0].split(":")[2]]
    emu.configure(rate_limit=0)
    emu.fail_next(1, "status", status=503, path="/items$")
    assert send(emu, "POST", f"/playlists/{pid}/items", t, {"uris": uris(emu, 1)})[0] == 503
    assert len(entry_ids(emu, pid)) == 1
    log = emu.requests("/items$")
    assert [(r["method"], r["status"]) for r in log] == [
        ("POST", 201),
        ("POST", 429),
        ("POST", 503),
    ]


def test_search_by_isrc_and_words_with_the_development_limit(emulator: Emulator) -> None:
    t = token(emulator, READ)
    lib = emulator.library
    track = next(tr for tr in lib.tracks.values() if tr.isrc)
    status, answer = send(emulator, "GET", f"/search?q=isrc:{track.isrc}&type=track&limit=10", t)
    assert status == 200
    assert track.id in [item["id"] for item in answer["tracks"]["items"]]
    assert answer["tracks"]["limit"] == 10
    artist = lib.artists[track.artist_ids[0]].name
    query = urllib.request.quote(f'artist:"{artist}" track:"{track.name}"')
    status, answer = send(emulator, "GET", f"/search?q={query}&type=track", t)
    assert status == 200 and track.id in [item["id"] for item in answer["tracks"]["items"]]
    status, answer = send(emulator, "GET", "/search?q=a&type=track&limit=11", t)
    assert status == 400 and answer["error"]["message"] == "Invalid limit"
    status, _ = send(emulator, "GET", "/search?type=track", t)
    assert status == 400


def test_search_allows_50_in_extended_mode(emulator_extended: Emulator) -> None:
    status, answer = send(
        emulator_extended, "GET", "/search?q=a&type=track&limit=50", token(emulator_extended)
    )
    assert status == 200 and answer["tracks"]["limit"] == 50


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_write_to_an_unknown_playlist_is_a_404(emulator: Emulator, method: str) -> None:
    status, _ = send(
        emulator, method, "/playlists/" + "Z" * 22 + "/items", token(emulator), {"uris": []}
    )
    assert status == 404
