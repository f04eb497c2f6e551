"""`make demo`: the whole product on this machine, no Spotify account needed.

1. builds a real beets sample library (tests/fixtures/samplelib.py),
2. starts the Spotify emulator with the Spotify side of that library (some tracks are in
   beets, some are missing, some are other versions that must not match),
3. logs in through the real PKCE flow: `beet spotify-extract --login`, with this script
   acting as the browser (it follows the authorize redirect to the loopback callback),
4. runs `beet spotify-extract` and shows its summary, the wishlist and the playlists.

Everything lives in build/demo/ (BEETSDIR=build/demo/beets); run it again to see an
incremental run. `python tests/demo.py --fresh` starts over.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "build" / "demo"
BEET = Path(sys.executable).with_name("beet")

BROWSER = textwrap.dedent(
    """\
    #!{python}
    # The demo's "browser": opens the authorize URL, where the emulator agrees at once and
    # redirects to the plugin's loopback callback, and follows that redirect.
    import sys, urllib.request, urllib.error

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(sys.argv[1])
        sys.exit("the authorize page did not redirect")
    except urllib.error.HTTPError as answer:
        location = answer.headers["Location"]
    with urllib.request.urlopen(location) as page:
        page.read()
    """
)


def step(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}", flush=True)


def build_library(directory: Path, items: int) -> None:
    if (directory / "library.db").exists():
        print(f"sample beets library: {directory} (already built)")
        return
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "fixtures" / "samplelib.py"),
            "--items",
            str(items),
            "--out",
            str(directory),
            "--quiet",
        ],
        check=True,
    )
    print(f"sample beets library: {items} items in {directory}")


def start_emulator(library_dir: Path) -> tuple[subprocess.Popen[str], dict]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.emulator",
            "--port",
            "0",
            "--mode",
            "development",
            "--beets-items",
            str(library_dir),
            "--playlists",
            "8",
            "--entries",
            "400",
            "--liked",
            "150",
            "--albums",
            "10",
            "--artists",
            "20",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # the base URL
    info = json.loads(process.stdout.readline())
    return process, info


def write_config(home: Path, library_dir: Path, info: dict) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(
        "plugins: spotifyextract\n"
        f"library: {library_dir / 'library.db'}\n"
        f"directory: {library_dir / 'music'}\n"
        "spotifyextract:\n"
        f"  client_id: {info['client_id']}\n"
        f"  api_url: {info['api_url']}\n"
        f"  auth_url: {info['auth_url']}\n"
        f"  state_dir: {DEMO / 'state'}\n"
        f"  playlist_dir: {DEMO / 'playlists'}\n"
        "  redirect_port: 0\n"
    )


def beet(home: Path, *args: str, browser: Path | None = None) -> int:
    env = {**os.environ, "BEETSDIR": str(home)}
    if browser is not None:
        env["BROWSER"] = str(browser)
    print(f"$ beet {' '.join(args)}", flush=True)
    return subprocess.run([str(BEET), *args], env=env).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="start over in build/demo")
    parser.add_argument("--items", type=int, default=300, help="items in the beets library")
    args = parser.parse_args()
    if args.fresh and DEMO.exists():
        shutil.rmtree(DEMO)
    DEMO.mkdir(parents=True, exist_ok=True)
    library_dir = DEMO / "library"
    home = DEMO / "beets"

    step("1. A beets library")
    build_library(library_dir, args.items)

    step("2. The Spotify emulator (development-mode rules, as a personal app gets them)")
    emulator, info = start_emulator(library_dir)
    try:
        print(f"emulator: {info['api_url']} (mode {info['mode']})")
        write_config(home, library_dir, info)
        # A new emulator run: its tokens and library are new, so the state starts over.
        shutil.rmtree(DEMO / "state", ignore_errors=True)

        step("3. Log in (Authorization Code with PKCE; this script plays the browser)")
        browser = DEMO / "browser.py"
        browser.write_text(BROWSER.format(python=sys.executable))
        browser.chmod(0o755)
        if beet(home, "spotify-extract", "--login", browser=browser) != 0:
            return 1

        step("4. beet spotify-extract")
        if beet(home, "spotify-extract") != 0:
            return 1

        step("5. Again: only what changed is fetched")
        if beet(home, "spotify-extract", "--no-progress") != 0:
            return 1

        step("6. What is missing: the wishlist")
        with sqlite3.connect(DEMO / "state" / "spotify_extract.db") as db:
            pending = db.execute(
                "SELECT COUNT(*) FROM wishlist WHERE status = 'pending'"
            ).fetchone()[0]
        print(f"{pending} tracks on the wishlist (`beet wishlist` lists them)")
        beet(home, "wishlist", "list", "--limit", "5")

        step("7. The playlists, for MPD, Sonos, Navidrome, Jellyfin…")
        playlists = sorted((DEMO / "playlists").glob("*.m3u*"))
        for path in playlists:
            lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x[:1] != "#"]
            print(f"  {path}  ({len(lines)} tracks)")
        print(f"\nTry it yourself: BEETSDIR={home} {BEET} spotify-extract")
        return 0
    finally:
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
