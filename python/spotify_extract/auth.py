"""`beet spotify-extract --login / --logout / --status`: the Spotify login (PKCE).

The native engine does the work (loopback callback server, code exchange, token file
with mode 0600, refresh); this module turns the plugin's config into the engine's
settings, opens the browser, and prints one clear line. Tokens are never printed.
"""

from __future__ import annotations

import contextlib
import webbrowser
from collections.abc import Callable
from typing import Any

from spotify_extract import _native
from spotify_extract.config import state_dir

LOGIN_TIMEOUT = 300.0


def native_config(plugin_config: Any) -> _native.SpotifyConfig:
    """The engine's Spotify settings from beets' `spotifyextract:` config section."""
    config = _native.SpotifyConfig()
    config.client_id = str(plugin_config["client_id"].get() or "")
    config.client_secret = str(plugin_config["client_secret"].get() or "")
    config.api_url = str(plugin_config["api_url"].get() or "https://api.spotify.com/v1")
    config.auth_url = str(plugin_config["auth_url"].get() or "https://accounts.spotify.com")
    config.ca_file = str(plugin_config["ca_file"].get() or "")
    config.redirect_port = int(plugin_config["redirect_port"].get())
    directory = state_dir(plugin_config)
    directory.mkdir(parents=True, exist_ok=True)
    config.state_dir = str(directory)
    return config


def login(
    plugin_config: Any,
    *,
    echo: Callable[[str], None] = print,
    open_browser: bool = True,
    timeout: float = LOGIN_TIMEOUT,
) -> dict[str, str]:
    """Run the PKCE login; returns the connected account ({id, display_name})."""
    config = native_config(plugin_config)
    flow = _native.LoginFlow(config)
    url = flow.start()
    echo("Opening Spotify in your browser to connect beets-spotify-extract.")
    echo(f"If it does not open, visit this URL on this machine:\n  {url}")
    echo(f"(waiting for the answer on {flow.redirect_uri} for {int(timeout)} s)")
    if open_browser:
        with contextlib.suppress(webbrowser.Error):  # the URL is printed above
            webbrowser.open(url)
    flow.wait(timeout)
    user = _native.SpotifyClient(config).current_user()
    return {"id": user.id, "display_name": user.display_name}


def logout(plugin_config: Any) -> bool:
    """Delete the saved token; True when there was one."""
    return bool(_native.logout(native_config(plugin_config)))


def status(plugin_config: Any) -> dict[str, str]:
    """The connected account; raises LoginRequiredError when there is none."""
    user = _native.SpotifyClient(native_config(plugin_config)).current_user()
    return {"id": user.id, "display_name": user.display_name}


def describe(user: dict[str, str]) -> str:
    name = user.get("display_name") or ""
    return f"{name} ({user['id']})" if name and name != user["id"] else user["id"]
