"""beets entry point of beets-spotify-extract: commands and listeners only."""

from __future__ import annotations

from beets.plugins import BeetsPlugin
from spotify_extract import commands
from spotify_extract.config import DEFAULTS, REDACTED_KEYS


class SpotifyExtractPlugin(BeetsPlugin):
    def __init__(self) -> None:
        super().__init__()
        self.config.add(DEFAULTS)
        for key in REDACTED_KEYS:
            self.config[key].redact = True

    def commands(self):
        return [commands.spotify_extract_command(self.config)]
