"""`beet spotify-master` end to end: real `beet` processes, a real beets library, the
emulator's write endpoints, and assertions on the emulator's request log."""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.emulator import Library
from tests.python.fixtures_client import write_token_file
from tests.python.fixtures_pipeline import BEET, World

NAME = "Master (beets)"
READ_SCOPES = "playlist-read-private playlist-read-collaborative user-library-read user-follow-read"


def master(world: World, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BEET), "spotify-master", *args],
        env=world.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def fetched_world(pipeline_world: Any, **shape: Any) -> World:
    world: World = pipeline_world(**shape)
    world.emulator.configure(rate_limit=0)
    first = world.beet()
    assert first.returncode == 0, first.stderr
    world.emulator.reset_log()
    return world


def writes(world: World) -> list[dict[str, Any]]:
    return [r for r in world.emulator.requests() if r["method"] in ("POST", "PUT", "DELETE")]


def intended(world: World, liked: bool = False) -> list[str]:
    """The master list from the emulator's ground truth: the owned playlists' playable
    tracks (and Liked Songs), by weight, then first appearance."""
    lib = world.emulator.library
    order: list[str] = []
    weight: Counter[str] = Counter()
    sources = [p for p in lib.playlists if p.owner_id == lib.me.id]
    entries = [[e.id for e in p.entries if e.kind == "track"] for p in sources]
    if liked:
        entries.append([t for _, t in lib.liked])
    for ids in entries:
        for t in ids:
            if t is None or not lib.tracks[t].available:
                continue
            weight[t] += 1
            if t not in order:
                order.append(t)
    first = {t: i for i, t in enumerate(order)}
    return sorted(order, key=lambda t: (-weight[t], first[t]))


def masters(world: World, name: str = NAME) -> list[Any]:
    return [p for p in world.emulator.library.playlists if p.name == name]


def preview(world: World) -> list[str]:
    newest = sorted((world.state_dir / "reports").glob("master-*.csv"))[-1]
    with newest.open(encoding="utf-8") as handle:
        return [row["uri"].split(":")[2] for row in csv.DictReader(handle)]


def test_dry_run_writes_nothing_and_reports(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world)
    result = master(world, "--liked")
    assert result.returncode == 0, result.stderr
    assert world.emulator.requests() == []  # no request at all, let alone a write
    assert masters(world) == []
    out = result.stdout
    for text in ("Sources", "unique tracks", "duplicates removed", "Weights", "Skipped", "create"):
        assert text in out, out
    assert "Dry run: nothing was written" in out
    reports = sorted((world.state_dir / "reports").iterdir())
    assert [p.suffix for p in reports] == [".csv", ".json"]
    data = json.loads(reports[1].read_text())
    want = intended(world, liked=True)
    assert data["unique_tracks"] == len(want)
    assert data["duplicates_removed"] == data["total_entries"] - len(want)
    assert preview(world) == want
    assert str(reports[1]) in out and str(reports[0]) in out


def test_apply_creates_exactly_the_intended_playlist_then_nothing(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world)
    theirs = {p.id for p in world.emulator.library.playlists}
    result = master(world, "--apply", "--yes")
    assert result.returncode == 0, result.stderr
    [made] = masters(world)
    want = intended(world)
    assert [e.id for e in made.entries] == want
    assert made.public is False and "ref " in made.description
    log = writes(world)
    assert len(log) == math.ceil(len(want) / 100) + 1
    assert all(theirs.isdisjoint(r["path"].split("/")) for r in log)  # sources only read
    assert "Created" in result.stdout

    world.emulator.reset_log()
    again = master(world, "--apply", "--yes")
    assert again.returncode == 0, again.stderr
    assert "nothing written" in again.stdout
    assert writes(world) == []
    assert len(masters(world)) == 1


def test_an_update_replaces_the_items_of_the_master_it_made(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world)
    assert master(world, "--apply", "--yes").returncode == 0
    [made] = masters(world)
    # The person edits the master on Spotify; then asks for a master in source order.
    world.emulator.library.remove_from_playlist(made.id, positions=[0, 1, 2])
    world.emulator.reset_log()
    result = master(world, "--apply", "--yes", "--order", "source")
    assert result.returncode == 0, result.stderr
    assert [p.id for p in masters(world)] == [made.id]
    assert [e.id for e in made.entries] == preview(world)
    puts = [r for r in writes(world) if r["method"] == "PUT"]
    assert len(puts) == 1 and made.id in puts[0]["path"]
    assert len(writes(world)) == math.ceil(len(made.entries) / 100)


def test_a_playlist_the_tool_did_not_create_is_never_written(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world)
    lib = world.emulator.library
    # The person's own playlist of the same name, fetched into the state database.
    own_id = lib.create_playlist(NAME, track_ids=list(lib.tracks)[:3], public=False)
    assert world.beet().returncode == 0
    world.emulator.reset_log()
    result = master(world, "--apply", "--yes")
    assert result.returncode == 0, result.stderr
    assert len(masters(world)) == 2
    assert [e.id for e in lib.playlist(own_id).entries] == list(lib.tracks)[:3]
    assert not any(own_id in r["path"] for r in writes(world))


def test_without_the_write_scopes_one_line_asks_for_login_write(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world)
    write_token_file(world.state_dir, world.emulator.issue_token(scope=READ_SCOPES))
    result = master(world, "--apply", "--yes")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--login --write" in lines[0], result.stderr
    assert writes(world) == []


def test_apply_without_a_terminal_or_yes_stops_in_one_line(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world)
    result = master(world, "--apply")
    assert result.returncode != 0
    assert "--yes" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert writes(world) == []
    usage = master(world, "--yes")
    assert usage.returncode == 2 and "--yes goes with --apply" in usage.stderr
    unknown = master(world, "--from", "No such playlist")
    assert unknown.returncode != 0 and "No such playlist" in unknown.stderr


def test_faults_converge_to_the_same_playlist(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world)
    # Truncated answers are applied but their answer is lost (the create included);
    # 5xx and resets are not applied.
    world.emulator.fail_next(1, "truncate", path="/me/playlists$")
    world.emulator.set_faults(p_5xx=0.15, p_reset=0.1, p_truncate=0.15, path="/items$", seed=5)
    result = master(world, "--apply", "--yes")
    assert result.returncode == 0, result.stderr
    world.emulator.clear_faults()
    [made] = masters(world)
    assert [e.id for e in made.entries] == intended(world)
    assert "checked after a failure" in result.stdout


def test_kill_9_mid_write_then_a_rerun_converges(pipeline_world: Any) -> None:
    world = fetched_world(pipeline_world, entries=1500, items=400)
    want = intended(world)
    assert len(want) > 300  # several batches
    world.emulator.configure(latency_ms=60)
    proc = subprocess.Popen(
        [str(BEET), "spotify-master", "--apply", "--yes"],
        env=world.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while world.emulator.count("/items$") < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    [made] = masters(world)
    assert 0 < len(made.entries) < len(want)
    world.emulator.configure(latency_ms=0)
    world.emulator.reset_log()
    result = master(world, "--apply", "--yes")
    assert result.returncode == 0, result.stderr
    assert [p.id for p in masters(world)] == [made.id]
    assert [e.id for e in made.entries] == want
    # It read the playlist back before continuing, and wrote only what was missing.
    log = world.emulator.requests("/items$")
    first_write = next(i for i, r in enumerate(log) if r["method"] != "GET")
    assert log[0]["method"] == "GET" and first_write > 0
    assert len(writes(world)) <= math.ceil(len(want) / 100)


def test_10000_tracks_take_ceil_n_over_100_plus_one_writes(
    pipeline_world: Any, tmp_path: Path
) -> None:
    world: World = pipeline_world(items=30)
    tracks = [
        {"title": f"Song {i}", "artist": f"Artist {i % 700}", "album": f"Album {i % 900}"}
        for i in range(10_000)
    ]
    big = Library.from_tracks(
        tracks, playlists=[{"name": "Everything", "tracks": list(range(10_000))}]
    )
    world.emulator.load_library(big.to_dict())
    world.emulator.configure(rate_limit=0)
    write_token_file(world.state_dir, world.emulator.issue_token())
    fetched = world.beet("--force")
    assert fetched.returncode == 0, fetched.stderr
    world.emulator.reset_log()
    result = master(world, "--apply", "--yes", "--from", "Everything")
    assert result.returncode == 0, result.stderr
    assert len(writes(world)) == math.ceil(10_000 / 100) + 1
    [made] = [p for p in world.emulator.library.playlists if p.name == NAME]
    assert len(made.entries) == 10_000


def test_the_writer_refuses_a_playlist_it_did_not_create(tmp_path: Path, emulator: Any) -> None:
    from spotify_extract import _native
    from spotify_extract.spotify_write import PlaylistWriter, WriteFailed, WritePlan

    write_token_file(tmp_path, emulator.issue_token())
    config = _native.SpotifyConfig()
    config.client_id = emulator.client_id
    config.api_url = emulator.api_url
    config.auth_url = emulator.auth_url
    config.state_dir = str(tmp_path)
    store = _native.StateStore(str(tmp_path / "spotify_extract.db"))
    theirs = emulator.library.create_playlist("Mine", public=False)
    # A checkpoint that names a playlist the tool never created (a damaged database).
    store.begin_playlist_write("master:X", theirs, "ref1", "digest", 1)
    track = next(iter(emulator.library.tracks))
    plan = WritePlan("master:X", "X", "", (f"spotify:track:{track}",))
    with pytest.raises(WriteFailed, match="not created by this tool"):
        PlaylistWriter(_native.SpotifyClient(config), store).write(plan)
    assert [r for r in emulator.requests() if r["method"] != "GET"] == []
    assert emulator.library.playlist(theirs).entries == []


def test_the_statistics_print_as_tables_on_a_terminal(capsys: Any) -> None:
    from spotify_extract import master as m

    tracks = [
        m.PlannedTrack(f"spotify:track:{i:022d}", f"{i:022d}", "A", f"T{i}", "Al", w, i, "One")
        for i, w in enumerate([3, 2, 1])
    ]
    plan = m.Plan(
        name=NAME,
        order="weight",
        sources=[m.SourceStats("p1", "One", 5, 5, 3, {"local": 1})],
        tracks=tracks,
        overlap=[m.Overlap("One", "Two", 2, 0.5)],
        existing_id=None,
        fetched_at="",
    )
    m.print_plan(plan, print, rich=True)
    shown = capsys.readouterr().out
    for text in ("Sources", "Deduplication", "Weights", "0.500", "unique tracks"):
        assert text in shown, shown
    assert "┃" in shown or "│" in shown  # drawn as a table
