"""`beet spotify-extract --review`: decide the matches the matcher was not sure about.

A match below `min_confidence` (status "review") is neither put into the playlists nor
downloaded: the person probably owns the track, but the matcher will not bet a playlist
on it. Here each one is shown beside its candidates from the beets library, beets-style:

    Accept          the proposed item is the track (an override: it always wins)
    Pick another    one of the runners-up is the track
    Reject          not this item; the next run may propose another one
    None of these   the track is not in the library: it goes on the wishlist
    Skip            ask again next time
    Quit            stop here; decisions made so far are kept

Decisions go to the state database (overrides) and are fed back into the matcher on
every run (`overrides_for_matcher`), so they survive re-runs and new imports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from beets import ui
from beets.library import Library

from spotify_extract.display import printable
from spotify_extract.settings import Settings

Prompt = Callable[..., Any]


@dataclass
class ReviewSummary:
    accepted: int = 0
    picked: int = 0
    rejected: int = 0
    not_in_library: int = 0
    skipped: int = 0
    left: int = 0

    def line(self) -> str:
        return (
            f"{self.accepted} accepted, {self.picked} picked, {self.rejected} rejected, "
            f"{self.not_in_library} not in library, {self.skipped} skipped"
            + (f", {self.left} left for later" if self.left else "")
        )


def runners_up(record: Any) -> list[tuple[int, float]]:
    """(item id, score) of the other candidates stored with a match, best first."""
    try:
        entries = json.loads(record.runners_up_json or "[]")
    except (TypeError, ValueError):
        return []
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        item_id = entry.get("item_id")
        score = entry.get("confidence", entry.get("score", 0.0))
        if isinstance(item_id, int) and item_id > 0:
            found.append((item_id, float(score or 0.0)))
    return found


def candidates(record: Any) -> list[tuple[int, float]]:
    """The proposed item first, then the runners-up, each once."""
    seen: set[int] = set()
    result = []
    proposed = [(record.item_id, record.confidence)] if record.item_id else []
    for item_id, score in proposed + runners_up(record):
        if item_id not in seen:
            seen.add(item_id)
            result.append((item_id, score))
    return result


def needs_review(record: Any, min_confidence: float) -> bool:
    if record.overridden:
        return False
    status = getattr(record, "status", "") or ""
    if status:
        return status == "review"
    # Stores without a status column: a candidate below the threshold.
    return bool(record.item_id) and record.confidence < min_confidence


def pending_reviews(store: Any, min_confidence: float) -> list[Any]:
    """The matches waiting for a decision, most confident first (stable order)."""
    decided = {decision.spotify_track_id for decision in store.list_overrides()}
    records = [
        record
        for record in store.all_matches().values()
        if record.spotify_track_id not in decided
        and needs_review(record, min_confidence)
        and candidates(record)
    ]
    records.sort(key=lambda r: (-r.confidence, r.spotify_track_id))
    return records


def overrides_for_matcher(store: Any) -> dict[str, list[tuple[str, int]]]:
    """The stored decisions in the form `Matcher.set_overrides` takes."""
    overrides: dict[str, list[tuple[str, int]]] = {}
    for decision in store.list_overrides():
        if decision.rejected:
            overrides.setdefault(decision.spotify_track_id, []).append(("reject", decision.item_id))
        elif decision.item_id:
            overrides.setdefault(decision.spotify_track_id, []).append(("accept", decision.item_id))
    return overrides


def _minutes(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def describe_track(track: Any, fallback_id: str) -> str:
    if track is None:
        return f"Spotify track {fallback_id}"
    artists = printable(", ".join(a.name for a in track.artists) or "?")
    parts = [f"{artists} - {printable(track.name)}"]
    album = printable(track.album_name)
    extra = [p for p in (album, _minutes(track.duration_ms / 1000)) if p]
    if track.duration_ms <= 0 and extra:
        extra = extra[:-1]
    if extra:
        parts.append(f"({', '.join(extra)})")
    return " ".join(parts)


def describe_item(item: Any) -> str:
    text = f"{printable(item.artist)} - {printable(item.title)}"
    extra = [p for p in (printable(item.album), _minutes(item.length) if item.length else "") if p]
    return f"{text} ({', '.join(extra)})" if extra else text


def _reject(store: Any, track_id: str, item_id: int) -> None:
    try:
        store.reject_match(track_id, item_id)
    except TypeError:  # an older store without a rejected item
        store.reject_match(track_id)


def review(
    lib: Library,
    store: Any,
    min_confidence: float,
    prompt: Prompt = ui.input_options,
    show: Callable[[str], None] = ui.print_,
) -> ReviewSummary:
    """Walk the pending reviews, store each decision; returns what was decided."""
    summary = ReviewSummary()
    records = pending_reviews(store, min_confidence)
    if not records:
        show("Nothing to review: every match is either certain or decided.")
        return summary
    show(f"{len(records)} match(es) below min_confidence {min_confidence:.2f} to review.")
    for index, record in enumerate(records):
        track_id = record.spotify_track_id
        found = [
            (item, score)
            for item_id, score in candidates(record)
            if (item := lib.get_item(item_id)) is not None
        ]
        if not found:  # the items were removed from beets since the match
            summary.skipped += 1
            continue
        show("")
        show(f"[{index + 1}/{len(records)}] {describe_track(store.get_track(track_id), track_id)}")
        for number, (item, score) in enumerate(found, 1):
            show(f"  {number}. {describe_item(item)}  [{score * 100:.0f}%, item {item.id}]")
        options: Sequence[str] = ("Accept", "Reject", "None of these", "Skip", "Quit")
        if len(found) > 1:
            options = ("Accept", "Pick another", "Reject", "None of these", "Skip", "Quit")
        choice = prompt(options)
        if choice == "a":
            store.set_override(track_id, found[0][0].id)
            summary.accepted += 1
        elif choice == "p":
            number = prompt(("Back",), numrange=(1, len(found)))
            if isinstance(number, int) and 1 <= number <= len(found):
                store.set_override(track_id, found[number - 1][0].id)
                summary.picked += 1
            else:
                summary.skipped += 1
        elif choice == "r":
            _reject(store, track_id, found[0][0].id)
            summary.rejected += 1
        elif choice == "n":
            _reject(store, track_id, 0)
            summary.not_in_library += 1
        elif choice == "q":
            summary.left = len(records) - index
            break
        else:
            summary.skipped += 1
    show(summary.line())
    return summary


def run_review(settings: Settings, lib: Library) -> ReviewSummary:
    """The --review command: the state database of this beets setup, beets' prompt."""
    from spotify_extract import extract

    store = extract.open_store(settings)
    with extract.take_run_lock(store, "beet spotify-extract --review"):
        summary = review(lib, store, settings.min_confidence)
    if summary.accepted or summary.picked or summary.rejected or summary.not_in_library:
        ui.print_("Decisions saved; the next `beet spotify-extract` applies them.")
    return summary
