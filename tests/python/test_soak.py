"""Fault soak: the whole extraction (`beet spotify-extract`, a real beets library, the
emulator) under randomised faults — 429 storms, 5xx, connection resets, truncated bodies,
latency spikes, an access token expiring mid-run, faults on the token endpoint too — ends
with exactly the state and the m3u files of a fault-free run, or stops with one clear
line and a rerun gets there. Then `kill -9` at random moments: every m3u on disk is
always a whole file, and a rerun ends in the same state.

Every third seed adds an outage (one request failing all its attempts), so the run stops
with one line and the rerun resumes. CI runs SOAK_SEEDS (default 3) seeds; `make soak` runs
more (SOAK_SEEDS=20) and shows one summary line per seed (faults injected by kind,
requests, runs needed, outcome).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from fixtures_pipeline import World, state_dump

SEEDS = int(os.environ.get("SOAK_SEEDS", "3"))
MAX_ATTEMPTS = 4


def clean_reference(world: World, tmp_path: Path) -> tuple[dict, dict[str, str]]:
    """The same library fetched without faults into a fresh state folder and playlists."""
    faulted = (world.state_dir, world.playlist_dir)
    world.emulator.clear_faults()
    world.emulator.configure(latency_ms=0)
    clean_state = tmp_path / "clean-state"
    clean_state.mkdir()
    token = world.state_dir / "spotify_extract_token.json"
    (clean_state / token.name).write_bytes(token.read_bytes())
    os.chmod(clean_state / token.name, 0o600)
    world.state_dir, world.playlist_dir = clean_state, tmp_path / "clean-playlists"
    world.write_config()
    result = world.beet()
    assert result.returncode == 0, result.stdout + result.stderr
    reference = state_dump(world.state_db), world.m3u_files()
    world.state_dir, world.playlist_dir = faulted
    world.write_config()
    return reference


def summary_line(seed: int, counters: dict, runs: int, seconds: float, outcome: str) -> str:
    """One line per seed for `make soak` (pytest -s): what was injected and what it cost."""
    faults = counters["faults"]
    kinds = " ".join(f"{kind}={count}" for kind, count in sorted(faults.items()))
    return (
        f"soak seed={seed} faults={sum(faults.values())} [{kinds}] "
        f"api_requests={counters['api_requests']} token_requests={counters['token_requests']} "
        f"429s={counters['rate_limited']} runs={runs} seconds={seconds:.1f} outcome={outcome}"
    )


def assert_clear_failure(result) -> None:
    """A run that gave up says why in one line (no traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "a failed run printed nothing"
    assert len(lines[-1]) < 400


@pytest.mark.parametrize("seed", range(SEEDS))
def test_randomised_faults_end_in_the_fault_free_state(
    seed: int, pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    rng = random.Random(seed)
    world.emulator.set_faults(
        p_5xx=rng.uniform(0.01, 0.08),
        p_reset=rng.uniform(0.0, 0.05),
        p_truncate=rng.uniform(0.0, 0.05),
        p_429=rng.uniform(0.0, 0.05),
        retry_after=1,
        latency_ms=rng.choice([0, 5, 20]),
        spike_p=0.03,
        spike_ms=rng.choice([200, 800]),
        token_endpoint=rng.random() < 0.5,
        seed=seed,
    )
    if seed % 3 == 2:
        # An outage: the saved-albums request fails all its 6 attempts, so the run must stop
        # with one clear line and the rerun must resume to the same state.
        # (Not "reset": a reset before any answer on a kept-alive connection is rightly
        # re-sent at once on a fresh one, so 6 resets are 3 to 6 attempts.)
        kind = rng.choice(["status", "truncate"])
        world.emulator.fail_next(6, kind=kind, status=503, path="/me/albums")
    world.emulator.storm_429(rng.randint(2, 6), retry_after=1)
    # A run makes at least ~22 requests: the access token always expires during it.
    world.emulator.fail_next(1, kind="expire", after=rng.randint(3, 18))
    started = time.monotonic()
    stops: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        result = world.beet()
        if result.returncode == 0:
            break
        assert_clear_failure(result)
        stops.append(result.stderr.splitlines()[-1])
        print(f"\nsoak seed={seed} run {attempt + 1} stopped: {stops[-1]}")
        if attempt == MAX_ATTEMPTS - 2:
            world.emulator.clear_faults()  # the network got better: the rerun must finish
    else:
        pytest.fail(f"no successful run in {MAX_ATTEMPTS} attempts:\n{result.stderr}")
    seconds = time.monotonic() - started
    counters = world.emulator.counters()
    faults = counters["faults"]
    assert sum(faults.values()) >= 3, faults  # the faults really happened
    assert faults.get("expire") == 1, faults
    if seed % 3 == 2:
        assert attempt >= 1, "the outage did not stop the run"
        assert "run `beet spotify-extract` again to resume" in stops[0], stops[0]
    faulted = state_dump(world.state_db), world.m3u_files()
    assert faulted[1], "no playlist was mirrored"

    reference = clean_reference(world, tmp_path)
    same = faulted[0] == reference[0] and faulted[1] == reference[1]
    outcome = ("same-as-fault-free" if same else "DIFFERENT") + (
        "" if attempt == 0 else f" (after {attempt} clear failure(s))"
    )
    print("\n" + summary_line(seed, counters, attempt + 1, seconds, outcome), flush=True)
    assert faulted[0] == reference[0]
    assert faulted[1] == reference[1]


@pytest.mark.parametrize("seed", range(min(SEEDS, 2)))
def test_kill_9_at_random_moments_never_leaves_half_written_playlists(
    seed: int, pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    world.emulator.configure(latency_ms=15)
    reference = clean_reference(world, tmp_path)
    world.emulator.configure(latency_ms=15)
    rng = random.Random(1000 + seed)
    for _ in range(4):
        process = world.popen()
        time.sleep(rng.uniform(0.2, 4.0))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        # Whatever is on disk is a whole playlist as the finished run writes it.
        for name, content in world.m3u_files().items():
            assert content == reference[1].get(name), f"{name} is not a whole playlist"
        leftovers = [p.name for p in world.playlist_dir.glob("*") if p.suffix in (".m3u", ".m3u8")]
        assert sorted(leftovers) == sorted(world.m3u_files())
    final = world.beet()
    assert final.returncode == 0, final.stdout + final.stderr
    assert state_dump(world.state_db) == reference[0]
    assert world.m3u_files() == reference[1]
