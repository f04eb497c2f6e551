"""Artwork end to end: real `beet` runs against the emulator, whose image CDN serves real
JPEGs; the files are read back with Pillow."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures_pipeline import World
from PIL import Image

from tests.emulator import releases

IMAGES = "^/image/"


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def image_requests(world: World) -> int:
    return len(world.emulator.requests(path=IMAGES, api_only=False))


def webps(world: World, kind: str) -> dict[str, Path]:
    folder = world.state_dir / "artwork" / kind
    return {p.stem: p for p in folder.glob("*.webp")} if folder.is_dir() else {}


@pytest.fixture
def world(pipeline_world: Callable[..., World]) -> World:
    made = pipeline_world()
    made.write_config(release_watch=False)
    return made


def test_covers_are_written_once_and_fetched_again_only_when_changed(world: World) -> None:
    out = ok(world.beet())
    albums, artists, playlists = (webps(world, k) for k in ("albums", "artists", "playlists"))
    assert set(albums) == {a for _, a in world.library.saved_albums}
    assert set(artists) == set(world.library.followed_artists)
    assert playlists and set(playlists) == {p.id for p in world.library.playlists if p.images}
    for path, size in [(next(iter(albums.values())), 500), (next(iter(artists.values())), 300)]:
        with Image.open(path) as image:
            assert image.format == "WEBP" and image.size == (size, size)
    fetched = image_requests(world)
    assert fetched == len(albums) + len(artists) + len(playlists)
    assert f"Artwork: {fetched} image(s) fetched" in out

    world.emulator.reset_log()
    ok(world.beet())
    assert image_requests(world) == 0  # unchanged URLs: nothing fetched

    album = world.library.saved_albums[0][1]
    before = albums[album].read_bytes()
    releases.set_album_image(world.library, album, "c0ffee" * 4)
    world.emulator.reset_log()
    ok(world.beet())
    assert image_requests(world) == 1
    assert albums[album].read_bytes() != before

    status = ok(world.beet("--status"))
    assert "Artwork: " in status and f"albums {len(albums)} (" in status


def test_a_kind_can_be_switched_off(world: World) -> None:
    world.write_config(artwork={"albums": False, "artists": False})
    ok(world.beet())
    assert webps(world, "albums") == {} and webps(world, "artists") == {}
    assert webps(world, "playlists")


def test_artwork_off_fetches_no_image(world: World) -> None:
    world.write_config(artwork=False)
    ok(world.beet())
    assert image_requests(world) == 0 and not (world.state_dir / "artwork").exists()


def test_navidrome_gets_covers_beside_playlists_and_foreign_files_are_kept(
    world: World,
) -> None:
    world.write_config(target="navidrome")
    ok(world.beet())
    m3us = sorted(world.playlist_dir.glob("*.m3u"))
    covers = sorted(world.playlist_dir.glob("*.jpg"))
    assert covers and {c.stem for c in covers} <= {m.stem for m in m3us}
    with Image.open(covers[0]) as image:
        assert image.format == "JPEG" and image.size == (300, 300)
        assert image.info["comment"].startswith(b"spotify-extract playlist ")

    # A cover the person put there themself is never replaced; ours are not rewritten.
    mine = covers[0]
    mine.write_bytes(b"my own picture")
    mtimes = {c: c.stat().st_mtime_ns for c in covers[1:]}
    out = ok(world.beet())
    assert mine.read_bytes() == b"my own picture" and "1 not ours left alone" in out
    assert {c: c.stat().st_mtime_ns for c in covers[1:]} == mtimes

    # A playlist deleted on Spotify loses its m3u and our cover with it.
    ours = covers[1]
    with Image.open(ours) as image:
        playlist_id = image.info["comment"].decode().split()[-1]
    world.library.delete_playlist(playlist_id)
    ok(world.beet())
    assert not ours.exists() and mine.exists()


def test_mpd_gets_no_cover_files(world: World) -> None:
    ok(world.beet())
    assert list(world.playlist_dir.glob("*.jpg")) == []


def test_dry_run_writes_no_artwork(world: World) -> None:
    ok(world.beet("--dry-run"))
    assert image_requests(world) == 0 and not (world.state_dir / "artwork").exists()


def test_an_unreadable_image_is_skipped_and_a_real_one_is_squared(tmp_path: Path) -> None:
    from spotify_extract import artwork

    bad = tmp_path / "albums" / "bad.webp"
    artwork.save_image("albums", bytes(bad), b"<html>not an image</html>")
    assert not bad.exists() and not bad.parent.exists()
    good = tmp_path / "albums" / "good.webp"
    artwork.save_image("albums", bytes(good), releases.solid_jpeg(640, 320, (10, 200, 30)))
    with Image.open(good) as image:
        assert image.format == "WEBP" and image.size == (500, 500)
    assert [p.name for p in good.parent.iterdir()] == ["good.webp"]  # no temporary left
