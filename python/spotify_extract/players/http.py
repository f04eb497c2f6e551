"""HTTP for the server players (subsonic, jellyfin, plex): the standard library's client,
TLS verified (the system's CAs or the player's `ca_file`), secrets never in a message."""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from spotify_extract.players.base import RefreshError


def request(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    form: list[tuple[str, str]] | None = None,
    ca_file: str | None = None,
    timeout: float = 30.0,
) -> bytes:
    """The response body; RefreshError with the status or the network's reason. The URL
    in a message is cut before its query (where a password or token could be)."""
    data = urllib.parse.urlencode(form).encode("ascii") if form is not None else None
    sent = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        sent.add_header("Content-Type", "application/x-www-form-urlencoded")
    context = ssl.create_default_context(cafile=ca_file) if url.startswith("https:") else None
    where = url.split("?", 1)[0]
    try:
        with urllib.request.urlopen(sent, timeout=timeout, context=context) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        reason = {401: "unauthorized: check the key/token", 403: "forbidden"}.get(
            error.code, error.reason
        )
        raise RefreshError(f"HTTP {error.code} ({reason}) from {where}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            reason = f"TLS certificate not trusted ({reason.verify_message})"
        elif isinstance(reason, OSError):
            reason = reason.strerror or str(reason)
        raise RefreshError(f"cannot reach {where} ({reason})") from None
    except (TimeoutError, http.client.HTTPException, OSError) as error:
        raise RefreshError(f"cannot reach {where} ({error or type(error).__name__})") from None


def json_body(body: bytes, where: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise RefreshError(f"{where} did not answer JSON") from None
