"""`beet spotify-extract --review`: decisions on uncertain matches, stored and applied."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from beets.library import Item, Library
from fixtures_library import spotify_track
from spotify_extract import _native, review

BEET = Path(sys.executable).with_name("beet")
# Stores that keep which item was rejected (else a rejection means "not in library").
REJECTS_ITEM = "item_id" in (_native.StateStore.reject_match.__doc__ or "")
REJECTED_5 = 5 if REJECTS_ITEM else 0

ITEMS = [
    {"id": 1, "title": "Levitating", "artist": "Dua Lipa", "album": "Future Nostalgia"},
    {"id": 2, "title": "Levitating (live)", "artist": "Dua Lipa", "album": "Live"},
    {"id": 3, "title": "Hello", "artist": "Adele", "album": "25"},
    {"id": 4, "title": "Hello", "artist": "Lionel Richie", "album": "Can't Slow Down"},
    {"id": 5, "title": "Dreams", "artist": "Fleetwood Mac", "album": "Rumours"},
    {"id": 6, "title": "Halo", "artist": "Beyoncé", "album": "I Am... Sasha Fierce"},
]

# (track id, title, artist, proposed item, confidence, runners-up)
REVIEWS = [
    ("t1", "Levitatin", "Dua Lipa", 1, 0.80, [(2, 0.6)]),
    ("t2", "Helo", "Adele", 4, 0.78, [(3, 0.77)]),
    ("t3", "Dreamz", "Fleetwood Mac", 5, 0.70, []),
    ("t4", "Hallo", "Beyonce", 6, 0.65, []),
    ("t5", "Something", "Someone", 5, 0.62, []),
]


def make_beets(tmp_path: Path) -> Path:
    db_path = tmp_path / "library.db"
    lib = Library(str(db_path), directory=str(tmp_path / "music"))
    for row in ITEMS:
        lib.add(
            Item(length=200.0, path=str(tmp_path / "music" / f"{row['id']}.mp3").encode(), **row)
        )
    lib._close()
    return db_path


def make_store(path: Path, reviews=REVIEWS):
    store = _native.StateStore(str(path))
    snapshot = store.begin_snapshot("api")
    tracks, matches = [], []
    for track_id, title, artist, item_id, confidence, others in reviews:
        track = _native.Track()
        track.id = track_id
        track.name = title
        track.artists = [_native.ArtistRef("", artist)]
        track.album_name = "Album"
        track.duration_ms = 200000
        tracks.append(track)
        # As the pipeline stores a review: no item (not in any playlist), the proposed
        # item first among the candidates.
        record = _native.MatchRecord()
        record.spotify_track_id = track_id
        record.item_id = 0
        record.method = "fuzzy"
        record.confidence = confidence
        candidates = [(item_id, confidence), *others]
        record.runners_up_json = json.dumps(
            [{"item_id": i, "confidence": s} for i, s in candidates]
        )
        record.status = "review"
        matches.append(record)
    matched = _native.MatchRecord()
    matched.spotify_track_id = "t9"
    matched.item_id = 3
    matched.method = "exact"
    matched.confidence = 0.95
    matched.status = "matched"
    track = _native.Track()
    track.id = "t9"
    track.name = "Hello"
    track.artists = [_native.ArtistRef("", "Adele")]
    store.upsert_tracks([*tracks, track])
    store.save_matches(snapshot.id, [*matches, matched])
    return store


class Script:
    """Answers a prompt the way a person would, and records what was asked."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.asked = []

    def __call__(self, options, numrange=None, **_):
        self.asked.append((tuple(options), numrange))
        return self.answers.pop(0)


def decisions(store) -> dict[str, tuple[int, bool]]:
    return {o.spotify_track_id: (o.item_id, o.rejected) for o in store.list_overrides()}


def test_pending_reviews_are_the_uncertain_ones(tmp_path: Path) -> None:
    store = make_store(tmp_path / "state.db")
    pending = review.pending_reviews(store, 0.85)
    assert [r.spotify_track_id for r in pending] == ["t1", "t2", "t3", "t4", "t5"]
    assert review.candidates(pending[1]) == [(4, 0.78), (3, 0.77)]


def test_walk_stores_each_decision(tmp_path: Path) -> None:
    lib = Library(str(make_beets(tmp_path)), directory=str(tmp_path / "music"))
    store = make_store(tmp_path / "state.db")
    script = Script(["a", "p", 2, "r", "n", "s"])
    lines: list[str] = []
    summary = review.review(lib, store, 0.85, prompt=script, show=lines.append)
    assert (summary.accepted, summary.picked, summary.rejected) == (1, 1, 1)
    assert (summary.not_in_library, summary.skipped, summary.left) == (1, 1, 0)
    # t1 had a runner-up, so "Pick another" was offered; t3 had none.
    assert "Pick another" in script.asked[0][0]
    assert script.asked[2] == ((("Back",)), (1, 2))
    assert "Pick another" not in script.asked[3][0]
    assert decisions(store) == {
        "t1": (1, False),
        "t2": (3, False),
        "t3": (REJECTED_5, True),
        "t4": (0, True),
    }
    assert any("Adele - Hello" in line for line in lines)
    # Decided tracks are not asked again; the skipped one is.
    assert [r.spotify_track_id for r in review.pending_reviews(store, 0.85)] == ["t5"]


def test_quit_keeps_earlier_decisions(tmp_path: Path) -> None:
    lib = Library(str(make_beets(tmp_path)), directory=str(tmp_path / "music"))
    store = make_store(tmp_path / "state.db")
    summary = review.review(lib, store, 0.85, prompt=Script(["a", "q"]), show=lambda _: None)
    assert (summary.accepted, summary.left) == (1, 4)
    assert decisions(store) == {"t1": (1, False)}


def test_nothing_to_review(tmp_path: Path) -> None:
    lib = Library(str(make_beets(tmp_path)), directory=str(tmp_path / "music"))
    store = make_store(tmp_path / "state.db", reviews=[])
    lines: list[str] = []
    summary = review.review(lib, store, 0.85, prompt=Script([]), show=lines.append)
    assert summary.line().startswith("0 accepted")
    assert "Nothing to review" in lines[0]


def test_decisions_drive_the_matcher(tmp_path: Path) -> None:
    db_path = make_beets(tmp_path)
    lib = Library(str(db_path), directory=str(tmp_path / "music"))
    store = make_store(tmp_path / "state.db")
    review.review(lib, store, 0.85, prompt=Script(["a", "p", 2, "r", "n", "s"]), show=print)
    matcher = _native.Matcher.from_library(str(db_path))
    overrides = review.overrides_for_matcher(store)
    assert overrides == {
        "t1": [("accept", 1)],
        "t2": [("accept", 3)],
        "t3": [("reject", REJECTED_5)],
        "t4": [("reject", 0)],
    }
    matcher.set_overrides(overrides)
    results = {
        r.track_id: r
        for r in matcher.match_all(
            [
                spotify_track({"id": "t1", "name": "Levitatin", "artists": ["Dua Lipa"]}),
                spotify_track({"id": "t2", "name": "Helo", "artists": ["Adele"]}),
                spotify_track({"id": "t3", "name": "Dreams", "artists": ["Fleetwood Mac"]}),
                spotify_track({"id": "t4", "name": "Halo", "artists": ["Beyonce"]}),
            ]
        )
    }
    assert (results["t1"].item_id, results["t1"].method) == (1, "override")
    assert (results["t2"].item_id, results["t2"].status) == (3, "matched")
    assert results["t3"].item_id != 5  # rejected: never proposed again
    assert (results["t4"].item_id, results["t4"].status) == (None, "unmatched")


@pytest.mark.parametrize("answer, expected", [("a\n", (1, False)), ("n\n", (0, True))])
def test_beet_spotify_extract_review(tmp_path: Path, answer: str, expected) -> None:
    db_path = make_beets(tmp_path)
    state = tmp_path / "state"
    state.mkdir()
    make_store(state / "spotify_extract.db", reviews=REVIEWS[:1])
    (tmp_path / "config.yaml").write_text(
        f"library: {db_path}\ndirectory: {tmp_path / 'music'}\nplugins: spotifyextract\n"
        f"spotifyextract:\n  state_dir: {state}\n"
    )
    env = {**os.environ, "BEETSDIR": str(tmp_path)}
    result = subprocess.run(
        [BEET, "spotify-extract", "--review"],
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Dua Lipa - Levitating" in result.stdout
    store = _native.StateStore(str(state / "spotify_extract.db"))
    assert decisions(store) == {"t1": expected}
