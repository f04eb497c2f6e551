"""`make demo`: the plugin on a sample beets library, step by step.

Each step is a function taking the shared ``Demo`` state; ``STEPS`` lists them in order.
Today: build (or reuse) a 2,000-item sample library made by the installed beets, then
run ``beet spotify-extract --library-info`` on it. Later steps (the Spotify emulator, the
full extraction, playlists, the wishlist) are added to ``STEPS``.

    python tests/demo.py [--items N] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures import samplelib  # noqa: E402

BEET = Path(sys.executable).with_name("beet")


@dataclass
class Demo:
    """What the steps share: where things are, and what each step found."""

    out: Path
    items: int
    library: samplelib.SampleLibrary | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def beetsdir(self) -> Path:
        return self.out / "beets"

    def beet(self, *args: str) -> str:
        """Runs `beet` with the demo's config (never the user's own); returns stdout."""
        env = {**os.environ, "BEETSDIR": str(self.beetsdir)}
        result = subprocess.run(
            [str(BEET), *args], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SystemExit(f"beet {' '.join(args)} failed:\n{result.stderr.strip()}")
        return result.stdout


def step_sample_library(demo: Demo) -> None:
    """A real beets library (beets' own API), cached under benchmarks/data/."""
    demo.library = samplelib.cached_library(demo.items, seed=1)
    manifest = demo.library.manifest()
    counts = manifest["counts"]
    print(f"  {manifest['items']} items in {demo.library.db_path}")
    print(
        f"  {counts['albums']} albums, {counts['singletons']} singletons, "
        f"{counts['multi_artist']} multi-artist, {counts['featured']} feat., "
        f"{counts['versions']} live/remix/remaster versions"
    )
    print(
        f"  {counts['with_isrc']} with an ISRC, {counts['with_spotify_track_id']} already "
        f"tagged by beets' spotify plugin, {counts['outside_music_dir']} outside the music dir"
    )
    demo.beetsdir.mkdir(parents=True, exist_ok=True)
    (demo.beetsdir / "config.yaml").write_text(
        demo.library.config_path.read_text() + "plugins: spotifyextract\n"
    )


def step_library_info(demo: Demo) -> None:
    """The native reader loads the library through the plugin."""
    for line in demo.beet("spotify-extract", "--library-info").splitlines():
        print(f"  {line}")


STEPS: list[tuple[str, Callable[[Demo], None]]] = [
    ("sample beets library", step_sample_library),
    ("beet spotify-extract --library-info", step_library_info),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=REPO / "demo-out")
    args = parser.parse_args()
    demo = Demo(out=args.out.resolve(), items=args.items)
    demo.out.mkdir(parents=True, exist_ok=True)
    for number, (title, step) in enumerate(STEPS, 1):
        print(f"[{number}/{len(STEPS)}] {title}", flush=True)
        started = time.perf_counter()
        step(demo)
        demo.timings[title] = time.perf_counter() - started
        print(f"  ({demo.timings[title]:.2f} s)", flush=True)
    print(f"demo finished in {sum(demo.timings.values()):.1f} s; files under {demo.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
