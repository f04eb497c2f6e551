"""The emulator's discographies (GET /artists/{id}/albums) and its image CDN."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from PIL import Image

from tests.emulator import Emulator, releases


def get(emulator: Emulator, url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def albums(emulator: Emulator, artist: str, query: str) -> tuple[int, Any]:
    token = emulator.issue_token()["access_token"]
    status, body = get(emulator, f"{emulator.api_url}/artists/{artist}/albums?{query}", token)
    return status, json.loads(body)


def test_artist_albums_are_grouped_newest_first_with_paging(emulator: Emulator) -> None:
    artist = emulator.library.followed_artists[0]
    releases.add_discography(emulator.library, artist, 60)
    status, first = albums(emulator, artist, "include_groups=album,single&limit=50")
    assert status == 200
    assert first["limit"] == 50 and first["offset"] == 0 and len(first["items"]) == 50
    assert first["total"] >= 60 and "include_groups=album,single" in first["next"]
    status, second = albums(emulator, artist, "include_groups=album,single&limit=50&offset=50")
    items = first["items"] + second["items"]
    assert len(items) == first["total"] and second["next"] is None
    groups = [item["album_group"] for item in items]
    assert groups == sorted(groups, key=("album", "single").index)  # album group first
    for group in ("album", "single"):
        dates = [item["release_date"] for item in items if item["album_group"] == group]
        assert dates == sorted(dates, reverse=True)
    item = items[0]
    assert item["type"] == "album" and item["uri"] == f"spotify:album:{item['id']}"
    assert {"album_type", "artists", "images", "name", "total_tracks", "id"} <= set(item)


def test_a_release_added_between_runs_comes_first(emulator: Emulator) -> None:
    artist = emulator.library.followed_artists[1]
    new = releases.add_release(emulator.library, artist, "Brand New", release_date="2026-11-28")
    _, page = albums(emulator, artist, "include_groups=album,single")
    assert page["items"][0]["id"] == new and page["items"][0]["total_tracks"] == 3
    token = emulator.issue_token()["access_token"]
    _, body = get(emulator, f"{emulator.api_url}/albums/{new}/tracks?limit=50", token)
    assert [t["track_number"] for t in json.loads(body)["items"]] == [1, 2, 3]


def test_appears_on_and_compilations_are_their_own_groups(emulator: Emulator) -> None:
    lib = emulator.library
    featured = next(
        a
        for t in lib.tracks.values()
        for a in t.artist_ids[1:]
        if a not in lib.albums[t.album_id].artist_ids
    )
    _, page = albums(emulator, featured, "include_groups=appears_on&limit=50")
    assert page["total"] >= 1 and {i["album_group"] for i in page["items"]} == {"appears_on"}
    _, only_albums = albums(emulator, featured, "include_groups=album")
    assert all(i["album_group"] == "album" for i in only_albums["items"])


@pytest.mark.parametrize(
    "query", ["limit=51", "limit=0", "include_groups=album,bogus", "offset=-1"]
)
def test_bad_artist_album_queries_are_400(emulator: Emulator, query: str) -> None:
    status, body = albums(emulator, emulator.library.followed_artists[0], query)
    assert status == 400 and body["error"]["status"] == 400


def test_unknown_artist_is_404(emulator: Emulator) -> None:
    status, _ = albums(emulator, "0" * 22, "")
    assert status == 404


def test_image_urls_are_served_as_real_jpegs_outside_the_api_budget(emulator: Emulator) -> None:
    token = emulator.issue_token()["access_token"]
    _, body = get(emulator, f"{emulator.api_url}/me/albums?limit=5", token)
    cover = json.loads(body)["items"][0]["album"]["images"]
    assert cover[0]["url"].startswith(emulator.base_url + "/image/")
    status, jpeg = get(emulator, cover[0]["url"])  # no token: a CDN
    assert status == 200 and jpeg[:2] == b"\xff\xd8"
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    assert image.format == "JPEG" and image.size == (640, 640)
    _, small = get(emulator, cover[2]["url"])
    assert Image.open(io.BytesIO(small)).size == (64, 64)
    assert emulator.counters()["api_requests"] == 1
    assert len(emulator.requests(path="^/image/", api_only=False)) == 2


def test_a_changed_cover_has_another_url(emulator: Emulator) -> None:
    lib = emulator.library
    album = lib.saved_albums[0][1]
    token = emulator.issue_token()["access_token"]
    before = json.loads(get(emulator, f"{emulator.api_url}/albums/{album}", token)[1])
    releases.set_album_image(lib, album, "feedface" * 3)
    after = json.loads(get(emulator, f"{emulator.api_url}/albums/{album}", token)[1])
    assert before["images"][0]["url"] != after["images"][0]["url"]


def test_solid_jpeg_keeps_its_colour() -> None:
    image = Image.open(io.BytesIO(releases.solid_jpeg(24, 16, (200, 30, 90))))
    assert image.size == (24, 16)
    r, g, b = image.convert("RGB").getpixel((3, 3))
    assert abs(r - 200) <= 3 and abs(g - 30) <= 3 and abs(b - 90) <= 3
