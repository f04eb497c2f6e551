"""Accuracy targets of the matcher on a generated, labelled set (not a speed test)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks" / "match_bench.py"


@pytest.fixture(scope="module")
def match_bench():
    spec = importlib.util.spec_from_file_location("match_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["match_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_set_meets_the_targets(match_bench) -> None:
    items = match_bench.fallback_items(6000, seed=3)
    tracks, expected = match_bench.make_tracks(items, 4000, seed=11)
    report = match_bench.evaluate(match_bench.engine(items)(tracks), expected)
    assert report["positives"] > 2000
    assert report["matched"] > 2000
    assert report["precision"] >= 0.995, report["methods"]
    assert report["recall"] >= 0.97, report["methods"]
    assert {"exact", "fuzzy", "isrc"} <= set(report["methods"])


def test_spellings_of_spotify_and_musicbrainz_match_and_numbers_stay_identity(
    match_bench,
) -> None:
    # "Pt. 2" = "Part 2" = "Part II" = "Part Two", "Vol." = "Volume", "+" = "and" = "&";
    # another part number or a live take never matches (issue 20).
    items, tracks, expected = match_bench.spelling_set()
    report = match_bench.evaluate(match_bench.engine(items)(tracks), expected)
    assert report["positives"] > 2000
    assert report["precision"] == 1.0, report["methods"]
    assert report["recall"] >= 0.99, report["methods"]


def test_hard_cases_beat_the_baselines(match_bench) -> None:
    items, tracks, expected = match_bench.hard_set()
    engine = match_bench.evaluate(match_bench.engine(items)(tracks), expected)
    assert (engine["precision"], engine["recall"]) == (1.0, 1.0)
    for baseline in (match_bench.naive_cascade, match_bench.rapidfuzz_extract):
        report = match_bench.evaluate(baseline(items)(tracks), expected)
        assert report["precision"] < engine["precision"]


def test_evaluate_counts_per_method(match_bench) -> None:
    report = match_bench.evaluate(
        [(1, "exact"), (2, "fuzzy"), (None, "none"), (5, "fuzzy")],
        [frozenset({1}), frozenset({3}), frozenset({4}), frozenset()],
    )
    assert report["matched"] == 3
    assert report["correct"] == 1
    assert report["positives"] == 3
    assert report["methods"]["fuzzy"] == {"matched": 2, "correct": 0, "precision": 0.0}
    assert report["wrong"] == [1, 3]
