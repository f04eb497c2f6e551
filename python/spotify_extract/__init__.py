"""beets-spotify-extract: bring your Spotify library home into beets."""

from spotify_extract._native import LibraryError, SpotifyExtractError

__all__ = ["LibraryError", "SpotifyExtractError"]
