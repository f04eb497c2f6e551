"""Spotify Accounts: the /authorize redirect and the /api/token endpoint.

Authorization Code with PKCE (S256) and with a client secret (Basic auth); single-use
codes bound to client, redirect URI and challenge; rotating single-use refresh tokens for
PKCE clients; refresh tokens that die ``refresh_token_ttl`` seconds after the original
authorization (``invalid_grant``); access tokens that expire after ``access_token_ttl``.
Error bodies are OAuth's ``{"error": "...", "error_description": "..."}`` as Spotify sends.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ALL_SCOPES = (
    "playlist-read-private",
    "playlist-read-collaborative",
    "user-library-read",
    "user-follow-read",
    "user-read-private",
    "user-read-email",
    "playlist-modify-private",
    "playlist-modify-public",
)
VERIFIER_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


@dataclass
class AccessToken:
    client_id: str
    scope: frozenset[str]
    expires_at: float


@dataclass
class RefreshToken:
    client_id: str
    scope: frozenset[str]
    authorized_at: float  # the original user authorization (refreshing does not extend it)
    rotating: bool  # PKCE: single use, a new one comes with every refresh
    used: bool = False
    revoked: bool = False


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    challenge: str | None
    scope: frozenset[str]
    expires_at: float
    used: bool = False


@dataclass
class Accounts:
    """Registered app, users' grants and issued tokens. Thread-safe."""

    client_id: str = "emulator-client-id"
    client_secret: str | None = "emulator-client-secret"
    redirect_uris: list[str] = field(
        default_factory=lambda: ["http://127.0.0.1/callback", "http://[::1]/callback"]
    )
    access_token_ttl: int = 3600
    refresh_token_ttl: float | None = 182 * 86400  # six months after authorization
    approve: str = "auto"  # "auto" = the user clicks Agree; "deny" = the user cancels
    require_state: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    access: dict[str, AccessToken] = field(default_factory=dict, repr=False)
    refresh: dict[str, RefreshToken] = field(default_factory=dict, repr=False)
    codes: dict[str, AuthCode] = field(default_factory=dict, repr=False)
    stats: dict[str, int] = field(
        default_factory=lambda: {
            "authorize": 0,
            "codes_exchanged": 0,
            "refreshed": 0,
            "token_errors": 0,
        }
    )

    # ----------------------------------------------------------------- tokens
    def _new_access(self, client_id: str, scope: frozenset[str], ttl: int | None = None) -> str:
        token = "BQ" + secrets.token_urlsafe(120)
        self.access[token] = AccessToken(
            client_id, scope, time.time() + (self.access_token_ttl if ttl is None else ttl)
        )
        return token

    def _new_refresh(
        self, client_id: str, scope: frozenset[str], authorized_at: float, rotating: bool
    ) -> str:
        token = "AQ" + secrets.token_urlsafe(96)
        self.refresh[token] = RefreshToken(client_id, scope, authorized_at, rotating)
        return token

    def issue(
        self,
        scope: list[str] | str | None = None,
        expires_in: int | None = None,
        rotating: bool = True,
    ) -> dict[str, Any]:
        """Tokens as if the user had just logged in (for tests that skip the browser)."""
        if isinstance(scope, str):
            scope = scope.split()
        granted = frozenset(ALL_SCOPES if scope is None else scope)
        with self.lock:
            access = self._new_access(self.client_id, granted, expires_in)
            refresh = self._new_refresh(self.client_id, granted, time.time(), rotating)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl if expires_in is None else expires_in,
            "refresh_token": refresh,
            "scope": " ".join(sorted(granted)),
        }

    def check_bearer(self, header: str | None) -> tuple[AccessToken | None, str | None]:
        """(token, None) or (None, Spotify's 401 message)."""
        if not header:
            return None, "No token provided"
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return None, "Only valid bearer authentication supported"
        with self.lock:
            t = self.access.get(token.strip())
        if t is None:
            return None, "Invalid access token"
        if t.expires_at <= time.time():
            return None, "The access token expired"
        return t, None

    def expire_access_tokens(self) -> int:
        with self.lock:
            for t in self.access.values():
                t.expires_at = 0
            return len(self.access)

    def revoke_refresh_tokens(self) -> int:
        with self.lock:
            for t in self.refresh.values():
                t.revoked = True
            return len(self.refresh)

    def expire_refresh_tokens(self) -> int:
        """Make every refresh token older than its lifetime (Spotify's 6-month rule)."""
        with self.lock:
            for t in self.refresh.values():
                t.authorized_at = 0
            return len(self.refresh)

    # ------------------------------------------------------------- authorize
    def redirect_allowed(self, uri: str) -> bool:
        """Registered URIs match exactly; a registered loopback IP URI without a port
        matches any port (Spotify's dynamic-port rule). ``localhost`` is never allowed."""
        try:
            u = urlsplit(uri)
            port = u.port
        except ValueError:
            return False
        if u.hostname == "localhost":
            return False
        for reg in self.redirect_uris:
            if uri == reg:
                return True
            r = urlsplit(reg)
            if (
                r.port is None
                and r.hostname in ("127.0.0.1", "::1")
                and u.scheme == r.scheme
                and u.hostname == r.hostname
                and port is not None
                and u.path == r.path
                and not u.query
            ):
                return True
        return False

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """GET /authorize. Bad client or redirect URI: an error page (400). Otherwise a
        302 back to the redirect URI with ``code`` and ``state`` (or ``error``)."""
        self.stats["authorize"] += 1
        client_id = query.get("client_id", "")
        redirect_uri = query.get("redirect_uri", "")
        if client_id != self.client_id:
            return _page(400, "INVALID_CLIENT: Invalid client")
        if not redirect_uri or not self.redirect_allowed(redirect_uri):
            return _page(400, "INVALID_CLIENT: Invalid redirect URI")
        state = query.get("state")
        params: dict[str, str] = {}

        def back(p: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
            if state is not None:
                p["state"] = state
            u = urlsplit(redirect_uri)
            q = (u.query + "&" if u.query else "") + urlencode(p)
            location = urlunsplit((u.scheme, u.netloc, u.path, q, ""))
            return 302, {"Location": location, "Content-Type": "text/html"}, b""

        if query.get("response_type") != "code":
            return back({"error": "unsupported_response_type"})
        method = query.get("code_challenge_method")
        challenge = query.get("code_challenge")
        if challenge is not None and method != "S256":
            return back(
                {
                    "error": "invalid_request",
                    "error_description": "code_challenge_method must be S256",
                }
            )
        if method is not None and not challenge:
            return back({"error": "invalid_request", "error_description": "code_challenge missing"})
        if self.require_state and not state:
            return back({"error": "invalid_request", "error_description": "state missing"})
        if self.approve != "auto":
            return back({"error": "access_denied"})
        scope = frozenset(query.get("scope", "").split())
        unknown = scope - set(ALL_SCOPES)
        if unknown:
            return back(
                {
                    "error": "invalid_scope",
                    "error_description": f"Invalid scope: {sorted(unknown)[0]}",
                }
            )
        code = secrets.token_urlsafe(48)
        with self.lock:
            self.codes[code] = AuthCode(
                client_id, redirect_uri, challenge, scope, time.time() + 600
            )
        params["code"] = code
        return back(params)

    # ----------------------------------------------------------------- token
    def token(self, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        """POST /api/token."""
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form = (
            dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            if ctype == "application/x-www-form-urlencoded"
            else {}
        )
        status, answer = self._token(headers, form)
        if status != 200:
            self.stats["token_errors"] += 1
        return status, answer

    def _token(self, headers: Any, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type")
        if not grant:
            return _oauth_error("unsupported_grant_type", "grant_type parameter is missing")
        basic = headers.get("Authorization")
        with_secret = False
        client_id = form.get("client_id")
        if basic:
            kind, _, creds = basic.partition(" ")
            try:
                cid, _, secret = base64.b64decode(creds).decode().partition(":")
            except ValueError:
                return _oauth_error("invalid_client", "Invalid client", 400)
            if kind.lower() != "basic" or cid != self.client_id:
                return _oauth_error("invalid_client", "Invalid client", 400)
            if self.client_secret is None or not secrets.compare_digest(secret, self.client_secret):
                return _oauth_error("invalid_client", "Invalid client secret", 400)
            client_id, with_secret = cid, True
        if client_id != self.client_id:
            return _oauth_error("invalid_client", "Invalid client", 400)
        if grant == "authorization_code":
            return self._exchange_code(form, client_id, with_secret)
        if grant == "refresh_token":
            return self._refresh(form, client_id)
        return _oauth_error(
            "unsupported_grant_type",
            f"grant_type must be client_credentials, authorization_code or "
            f"refresh_token, not {grant}",
        )

    def _exchange_code(
        self, form: dict[str, str], client_id: str, with_secret: bool
    ) -> tuple[int, dict[str, Any]]:
        code = form.get("code", "")
        with self.lock:
            c = self.codes.get(code)
            if c is None or c.used or c.expires_at < time.time() or c.client_id != client_id:
                return _oauth_error("invalid_grant", "Invalid authorization code")
            c.used = True  # single use, even when the rest of the request is wrong
            if form.get("redirect_uri") != c.redirect_uri:
                return _oauth_error("invalid_grant", "Invalid redirect URI")
            verifier = form.get("code_verifier")
            if c.challenge is not None:
                if verifier is None:
                    return _oauth_error("invalid_request", "code_verifier required")
                if not VERIFIER_RE.fullmatch(verifier) or not secrets.compare_digest(
                    s256(verifier), c.challenge
                ):
                    return _oauth_error("invalid_grant", "code_verifier was incorrect")
            elif not with_secret:
                return _oauth_error("invalid_client", "Invalid client secret", 400)
            rotating = not with_secret
            access = self._new_access(client_id, c.scope)
            refresh = self._new_refresh(client_id, c.scope, time.time(), rotating)
            self.stats["codes_exchanged"] += 1
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl,
            "refresh_token": refresh,
            "scope": " ".join(sorted(c.scope)),
        }

    def _refresh(self, form: dict[str, str], client_id: str) -> tuple[int, dict[str, Any]]:
        token = form.get("refresh_token", "")
        with self.lock:
            r = self.refresh.get(token)
            if r is None or r.client_id != client_id:
                return _oauth_error("invalid_grant", "Invalid refresh token")
            if r.revoked or r.used:
                return _oauth_error("invalid_grant", "Refresh token revoked")
            if (
                self.refresh_token_ttl is not None
                and time.time() - r.authorized_at > self.refresh_token_ttl
            ):
                return _oauth_error("invalid_grant", "Refresh token expired")
            access = self._new_access(client_id, r.scope)
            answer: dict[str, Any] = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": self.access_token_ttl,
                "scope": " ".join(sorted(r.scope)),
            }
            if r.rotating:
                r.used = True
                answer["refresh_token"] = self._new_refresh(
                    client_id, r.scope, r.authorized_at, True
                )
            self.stats["refreshed"] += 1
        return 200, answer


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _oauth_error(error: str, description: str, status: int = 400) -> tuple[int, dict[str, Any]]:
    return status, {"error": error, "error_description": description}


def _page(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    html = (
        f"<!DOCTYPE html><html><body><h1>Oops! Something went wrong</h1><p>{message}</p>"
        "</body></html>"
    )
    return status, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
