"""The installed package is a beets plugin that beets loads."""

import os
import subprocess
import sys
from pathlib import Path

BEET = Path(sys.executable).with_name("beet")


def test_beet_version_lists_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("plugins: spotifyextract\n")
    env = {**os.environ, "BEETSDIR": str(tmp_path)}
    result = subprocess.run([BEET, "version"], env=env, capture_output=True, text=True, check=True)
    assert "plugins: spotifyextract" in result.stdout


def test_help_lists_the_commands(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("plugins: spotifyextract\n")
    env = {**os.environ, "BEETSDIR": str(tmp_path)}
    result = subprocess.run([BEET, "help"], env=env, capture_output=True, text=True, check=True)
    assert "spotify-extract" in result.stdout
