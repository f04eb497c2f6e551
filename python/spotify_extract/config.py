"""The plugin's configuration keys (beets config.yaml, section `spotifyextract:`)."""

from __future__ import annotations

from pathlib import Path

import beets

DEFAULTS: dict[str, object] = {
    "client_id": "",
    "client_secret": "",
    "redirect_port": 8888,
    "playlist_dir": None,  # beets' playlist plugin's playlist_dir when set
    "target": "mpd",
    "path_prefix": "",
    "playlist_extension": None,  # from the target profile
    "relative_to": None,  # library | playlist | absolute; from the target profile
    "forward_slash": None,  # from the target profile (yes for all of them)
    "missing_comments": False,  # "# artist - title spotify:track:ID" for missing tracks
    "non_utf8_paths": "skip",  # skip | write: files whose path is not UTF-8
    "name_template": "{name} (Spotify)",
    "liked_songs_playlist": True,
    "min_confidence": 0.85,
    "write_attributes": False,
    "audio_features": True,
    "spotdl_command": "spotdl",
    "download_dir": None,  # beets' music directory
    "parallel_downloads": 3,
    "download_timeout": 600,
    "import_after_download": True,
    "downloads_per_hour": 60,  # spotDL starts in any rolling hour; 0 = no cap
    "import_mode": "singletons",  # singletons | albums | beets (its import.singletons)
    "api_url": "https://api.spotify.com/v1",
    "auth_url": "https://accounts.spotify.com",
    "ca_file": None,  # the system's CA store
    "state_dir": None,  # beets' config directory
}

REDACTED_KEYS = ("client_secret",)


def state_dir(plugin_config: beets.IncludeLazyConfig) -> Path:
    """Where the state database and the token file live."""
    configured = plugin_config["state_dir"].get()
    if configured:
        return Path(configured).expanduser()
    return Path(beets.config.config_dir())
