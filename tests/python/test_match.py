"""The native matcher through its Python binding, on real beets library databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from beets.library import Item, Library
from fixtures_library import spotify_track
from spotify_extract import SpotifyExtractError, _native

HARD_CASES = Path(__file__).parents[1] / "data" / "match_hard_cases.json"


def make_library(tmp_path: Path, rows: list[dict]) -> Path:
    """A beets library.db written by beets itself, one item per row (ids kept)."""
    db_path = tmp_path / "library.db"
    lib = Library(str(db_path), directory=str(tmp_path / "music"))
    for row in rows:
        item = Item(
            id=row["id"],
            title=row.get("title", ""),
            artist=row.get("artist", ""),
            album=row.get("album", ""),
            length=row.get("length", 0.0),
            isrc=row.get("isrc", ""),
            mb_trackid=row.get("mb_trackid", ""),
            path=str(tmp_path / "music" / f"{row['id']}.mp3").encode(),
        )
        if "artists" in row:
            item.artists = row["artists"]
        for flexible in ("spotify_track_id", "data_source"):
            if flexible in row:
                item[flexible] = row[flexible]
        lib.add(item)
    lib._close()
    return db_path


@pytest.fixture(scope="module")
def hard_cases() -> dict:
    return json.loads(HARD_CASES.read_text())


@pytest.fixture
def hard_matcher(tmp_path: Path, hard_cases: dict) -> _native.Matcher:
    db_path = make_library(tmp_path, hard_cases["library"])
    return _native.Matcher.from_library(str(db_path), str(tmp_path / "music").encode())


def test_hard_cases_through_a_beets_database(hard_matcher, hard_cases) -> None:
    assert len(hard_matcher) == len(hard_cases["library"])
    results = hard_matcher.match_all([spotify_track(case["track"]) for case in hard_cases["cases"]])
    wrong = []
    for case, result in zip(hard_cases["cases"], results, strict=True):
        assert result.track_id == case["track"]["id"]
        got = result.item_id if result.status == "matched" else None
        if got != case["expect"]:
            wrong.append((case["name"], case["expect"], result))
    assert wrong == []


def test_spotify_api_shaped_track(hard_matcher) -> None:
    track = {
        "id": "abc",
        "name": "Bohemian Rhapsody - Remastered 2011",
        "artists": [{"id": "1dfeR4HaWDbWqFHLkxsg1d", "name": "Queen"}],
        "album": {"id": "x", "name": "A Night At The Opera"},
        "external_ids": {"isrc": "GBUM71029604"},
        "duration_ms": 354320,
    }
    result = hard_matcher.match(track)
    assert (result.item_id, result.method, result.status) == (1, "isrc", "matched")
    assert result.confidence == 1.0


def test_result_fields_and_runners_up(tmp_path: Path) -> None:
    db_path = make_library(
        tmp_path,
        [
            {
                "id": 1,
                "title": "Dreams",
                "artist": "Fleetwood Mac",
                "album": "Rumours",
                "length": 257.0,
            },
            {
                "id": 2,
                "title": "Dreams",
                "artist": "Fleetwood Mac",
                "album": "Greatest Hits",
                "length": 254.0,
            },
        ],
    )
    matcher = _native.Matcher.from_library(str(db_path))
    result = matcher.match(
        spotify_track(
            {
                "id": "t",
                "name": "Dreams",
                "artists": ["Fleetwood Mac"],
                "album": "Greatest Hits",
                "duration_ms": 254000,
            }
        )
    )
    assert result.item_id == 2
    assert result.method == "exact"
    assert [c.item_id for c in result.runners_up] == [1]
    assert result.runners_up[0].score == pytest.approx(0.95)


def test_overrides_accept_and_reject(hard_matcher) -> None:
    track = spotify_track(
        {"id": "t19", "name": "Hello", "artists": ["Adele"], "duration_ms": 295000}
    )
    assert hard_matcher.match(track).item_id == 13
    hard_matcher.set_overrides({"t19": [("accept", 14)]})
    result = hard_matcher.match(track)
    assert (result.item_id, result.method, result.status) == (14, "override", "matched")
    hard_matcher.set_overrides({"t19": [("reject", 13)]})
    assert hard_matcher.match(track).item_id != 13
    hard_matcher.set_overrides({"t19": [("reject", 0)]})
    result = hard_matcher.match(track)
    assert (result.item_id, result.status) == (None, "unmatched")
    with pytest.raises(ValueError, match="accept"):
        hard_matcher.set_overrides({"t19": [("maybe", 1)]})


def test_review_threshold_from_options(tmp_path: Path) -> None:
    db_path = make_library(
        tmp_path,
        [
            {
                "id": 1,
                "title": "Levitating",
                "artist": "Dua Lipa",
                "album": "Future Nostalgia",
                "length": 203.0,
            }
        ],
    )
    track = spotify_track(
        {"id": "t", "name": "Levitatin", "artists": ["Dua Lipa"], "album": "Club Hits"}
    )
    strict = _native.Matcher.from_library(str(db_path))
    result = strict.match(track)
    assert (result.status, result.item_id) == ("review", 1)
    lenient = _native.Matcher.from_library(
        str(db_path), options=_native.MatchOptions(min_confidence=0.7)
    )
    assert lenient.match(track).status == "matched"


def test_errors_are_spotify_extract_errors(tmp_path: Path) -> None:
    with pytest.raises(SpotifyExtractError, match="not found"):
        _native.Matcher.from_library(str(tmp_path / "missing.db"))
    with pytest.raises(_native.MatchError, match="min_confidence"):
        _native.MatchOptions(min_confidence=2.0)
    assert issubclass(_native.MatchError, SpotifyExtractError)
    matcher = _native.Matcher.build([])
    with pytest.raises(TypeError, match="a Track or a Spotify track object"):
        matcher.match(42)


def test_build_from_read_library_items(tmp_path: Path, hard_cases) -> None:
    db_path = make_library(tmp_path, hard_cases["library"][:5])
    items = _native.read_library(str(db_path))
    matcher = _native.Matcher.build(items, _native.MatchOptions(threads=1))
    assert len(matcher) == 5
    yesterday = _native.Track()
    yesterday.name = "Yesterday"
    yesterday.artists = [_native.ArtistRef("", "The Beatles")]
    assert matcher.match(yesterday).item_id == 4
