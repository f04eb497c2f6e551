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
from spotify_extract import settings as plugin_settings
from spotify_extract.interrupt import Interrupted, run_cancellable
from spotify_extract.settings import Settings

LOGIN_TIMEOUT = 300.0


def native_config(config: Settings | Any) -> _native.SpotifyConfig:
    """The engine's Spotify settings from the plugin's settings."""
    settings = plugin_settings.of(config)
    native = _native.SpotifyConfig()
    native.client_id = settings.client_id
    native.client_secret = settings.client_secret
    native.api_url = settings.api_url
    native.auth_url = settings.auth_url
    native.ca_file = settings.ca_file or ""
    native.redirect_port = settings.redirect_port
    native.state_dir = str(settings.state_dir)
    return native


def login(
    config: Settings | Any,
    *,
    echo: Callable[[str], None] = print,
    open_browser: bool = True,
    timeout: float = LOGIN_TIMEOUT,
    write: bool = False,
) -> dict[str, str]:
    """Run the PKCE login; returns the connected account ({id, display_name}).
    `write` also asks for the scopes that change playlists (`--login --write`).
    Ctrl-C while waiting for the browser ends it at once, with nothing saved."""
    settings = plugin_settings.of(config)
    plugin_settings.ensure_state_dir(settings)  # the token file goes there
    native = native_config(settings)
    native.write_access = write
    flow = _native.LoginFlow(native)
    try:
        url = flow.start()
        echo("Opening Spotify in your browser to connect beets-spotify-extract.")
        echo(f"If it does not open, visit this URL on this machine:\n  {url}")
        echo(f"(waiting for the answer on {flow.redirect_uri} for {int(timeout)} s)")
        if open_browser:
            with contextlib.suppress(webbrowser.Error):  # the URL is printed above
                webbrowser.open(url)
        run_cancellable(lambda: flow.wait(timeout), flow.cancel, name="spotify-login")
    except (KeyboardInterrupt, _native.CancelledError):
        echo("Login cancelled; nothing was saved.")
        raise Interrupted() from None
    user = _native.SpotifyClient(native).current_user()
    return {"id": user.id, "display_name": user.display_name}


def logout(config: Settings | Any) -> bool:
    """Delete the saved token; True when there was one."""
    return bool(_native.logout(native_config(config)))


def status(config: Settings | Any) -> dict[str, str]:
    """The connected account; raises LoginRequiredError when there is none."""
    user = _native.SpotifyClient(native_config(config)).current_user()
    return {"id": user.id, "display_name": user.display_name}


def describe(user: dict[str, str]) -> str:
    name = user.get("display_name") or ""
    return f"{name} ({user['id']})" if name and name != user["id"] else user["id"]
