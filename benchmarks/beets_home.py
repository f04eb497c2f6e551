"""The beets home of the whole-process benchmarks: a config that points the plugin at the
emulator and a sample library, and a Spotify login in the state folder.

Importing it also puts the repository on sys.path (for tests.emulator, tests.fixtures).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.python.fixtures_client import write_token_file  # noqa: E402

# The `beet` of this interpreter's environment (the benchmarks run the real CLI).
BEET = Path(sys.executable).with_name("beet")


def write_config(home: Path, emulator, sample, state: Path, extra: Sequence[str] = ()) -> None:
    """home/config.yaml: the sample library, the emulator, `state` as state_dir, and the
    `extra` lines of the spotifyextract section ("key: value")."""
    lines = [
        "plugins: spotifyextract",
        f"library: {sample.db_path}",
        f"directory: {sample.music_dir}",
        "spotifyextract:",
        f"  client_id: {emulator.client_id}",
        f"  api_url: {emulator.api_url}",
        f"  auth_url: {emulator.auth_url}",
        f"  state_dir: {state}",
        *(f"  {line}" for line in extra),
    ]
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text("\n".join(lines) + "\n")


def logged_in_home(root: Path, emulator, sample, extra: Sequence[str] = ()) -> Path:
    """root/beets configured as write_config says, with a login token in root/state;
    returns the home (the BEETSDIR)."""
    home, state = root / "beets", root / "state"
    write_token_file(state, emulator.issue_token())
    write_config(home, emulator, sample, state, extra)
    return home
