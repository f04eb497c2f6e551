"""`beet spotify-push` and `beet spotify-extract --report` end to end: real `beet`
processes against the emulator and a real beets library (pipeline_world)."""

from __future__ import annotations

import html
import subprocess
from typing import Any
from urllib.parse import parse_qs

from tests.python.fixtures_pipeline import BEET, World


def beet(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BEET), *args],
        env=world.env(),
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def writes(world: World) -> list[dict[str, Any]]:
    return [r for r in world.emulator.requests() if r["method"] != "GET"]


def pushed(world: World, name: str) -> list[Any]:
    return [p for p in world.emulator.library.playlists if p.name == name]


def check_mapping(world: World, ids: list[str]) -> None:
    """Every pushed track is a Spotify track of a beets item (never a live version that
    beets lacks), and no track twice."""
    truth = world.emulator.library.truth()
    assert len(ids) == len(set(ids))
    assert all(truth.get(t) is not None for t in ids), [t for t in ids if truth.get(t) is None]


def test_push_dry_run_then_apply_then_update(pipeline_world: Any) -> None:
    world: World = pipeline_world(items=120)
    world.emulator.configure(rate_limit=0)
    assert world.beet().returncode == 0
    world.emulator.reset_log()
    dry = beet(world, "spotify-push", "--name", "Everything")
    assert dry.returncode == 0, dry.stderr
    assert writes(world) == []
    assert "120 item(s)" in dry.stdout and "Dry run" in dry.stdout
    assert "stored match" in dry.stdout
    for request in world.emulator.requests("/search$"):
        assert int(parse_qs(request["query"])["limit"][0]) <= 10

    applied = beet(world, "spotify-push", "--name", "Everything", "--apply", "--yes")
    assert applied.returncode == 0, applied.stderr
    [made] = pushed(world, "Everything")
    ids = [e.id for e in made.entries]
    assert len(ids) >= 60
    check_mapping(world, ids)

    # The same name again (a smaller query) updates that playlist, no second one.
    again = beet(world, "spotify-push", "--name", "Everything", "--apply", "--yes", "year:0..2005")
    assert again.returncode == 0, again.stderr
    assert [p.id for p in pushed(world, "Everything")] == [made.id]
    assert len(made.entries) < len(ids)


def test_push_without_stored_matches_searches_isrc_then_artist_title(pipeline_world: Any) -> None:
    world: World = pipeline_world(items=80)
    world.emulator.configure(rate_limit=0)  # nothing fetched: every item is searched
    result = beet(world, "spotify-push", "--name", "Searched", "--apply", "--yes")
    assert result.returncode == 0, result.stderr
    assert "isrc" in result.stdout
    [made] = pushed(world, "Searched")
    check_mapping(world, [e.id for e in made.entries])
    searches = [parse_qs(r["query"])["q"][0] for r in world.emulator.requests("/search$")]
    assert any(q.startswith("isrc:") for q in searches)
    assert any(q.startswith("artist:") for q in searches)


def test_push_usage_errors_are_one_line(pipeline_world: Any, tmp_path: Any) -> None:
    world: World = pipeline_world(items=20)
    no_name = beet(world, "spotify-push")
    assert no_name.returncode == 2 and "--name" in no_name.stderr
    missing = beet(world, "spotify-push", "--name", "x", "--m3u", str(tmp_path / "nope.m3u"))
    assert missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1
    assert writes(world) == []


def test_push_from_an_m3u_file_keeps_its_order(pipeline_world: Any, tmp_path: Any) -> None:
    world: World = pipeline_world(items=60)
    world.emulator.configure(rate_limit=0)
    assert world.beet().returncode == 0
    m3u_files = world.m3u_files()
    name = next(n for n, t in m3u_files.items() if t.count("\n") > 8 and "playlist=liked" not in t)
    source = world.playlist_dir / name
    result = beet(
        world, "spotify-push", "--name", "From m3u", "--m3u", str(source), "--apply", "--yes"
    )
    assert result.returncode == 0, result.stderr
    [made] = pushed(world, "From m3u")
    ids = [e.id for e in made.entries]
    check_mapping(world, ids)
    assert len(ids) >= 5
    # The mirrored playlist's tracks come back in the playlist's order.
    playlist_id = source.read_text().split("playlist=")[1].split()[0]
    original = [e.id for e in world.emulator.library.playlist(playlist_id).entries]
    assert ids == [t for i, t in enumerate(original) if t in ids and t not in original[:i]]


def test_report_has_tables_and_pictures(pipeline_world: Any) -> None:
    world: World = pipeline_world(items=200, playlists=8)
    world.emulator.configure(rate_limit=0)
    hostile = world.emulator.library.create_playlist(
        "<b>$x^2$</b> & \u202e evil", track_ids=list(world.emulator.library.tracks)[:20]
    )
    assert hostile
    assert world.beet().returncode == 0
    world.emulator.reset_log()
    result = beet(world, "spotify-extract", "--report")
    assert result.returncode == 0, result.stderr
    assert world.emulator.requests() == []
    reports = world.state_dir / "reports"
    [page] = reports.glob("report-*.html")
    pngs = sorted(reports.glob("report-*.png"))
    assert {p.name.rsplit("-", 1)[1] for p in pngs} == {
        "overlap.png",
        "coverage.png",
        "weights.png",
    }
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = page.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3  # self-contained
    assert "Jaccard" in text and "Coverage per playlist" in text and "How tracks matched" in text
    assert "<b>$x^2$</b>" not in text and html.escape("<b>$x^2$</b>") in text
    usage = beet(world, "spotify-extract", "--report", "--dry-run")
    assert usage.returncode == 2
