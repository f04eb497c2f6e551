"""Media players refreshed after a sync (`refresh:` in the config): MPD, Subsonic API
servers, Jellyfin and Plex, each behind one small interface (players.base.Player)."""

from __future__ import annotations

from spotify_extract.players.base import Player
from spotify_extract.players.config import PlayerConfig


def player(config: PlayerConfig) -> Player:
    """The Player for one entry of `refresh:`."""
    if config.kind == "mpd":
        from spotify_extract.players.mpd import MpdPlayer

        return MpdPlayer(config)
    if config.kind == "subsonic":
        from spotify_extract.players.subsonic import SubsonicPlayer

        return SubsonicPlayer(config)
    from spotify_extract.players.mediaserver import JellyfinPlayer, PlexPlayer

    return JellyfinPlayer(config) if config.kind == "jellyfin" else PlexPlayer(config)
