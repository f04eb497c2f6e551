"""The emulator: a threaded HTTP(S) server answering like the Spotify Web API and Accounts.

``Emulator`` is also the admin handle: tests call its methods in-process, and a separate
process (the demo, C++ tests, benchmarks) can do the same through ``/_admin/...``.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import fields as fields_filter
from . import releases, render, writes
from .auth import Accounts
from .data import Library, Track
from .tls import TestCA, make_test_ca

MODES = ("development", "extended")
FAULT_KINDS = ("status", "reset", "truncate", "429", "expire")
ID_RE = re.compile(r"[0-9A-Za-z]{22}")
UNLIMITED = 10**12


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.reason = reason


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None  # None | "reset" | "truncate"


@dataclass
class Faults:
    """Injected faults. Probabilities are per API request and drawn from a seeded RNG;
    ``path`` (a regex searched in the request path) limits them to some endpoints."""

    p_5xx: float = 0.0
    statuses: tuple[int, ...] = (500, 502, 503)
    p_reset: float = 0.0
    p_truncate: float = 0.0
    p_429: float = 0.0
    retry_after: int = 1
    latency_ms: float = 0.0  # added to every request (API and token endpoint)
    spike_p: float = 0.0
    spike_ms: float = 0.0
    path: str | None = None
    token_endpoint: bool = False  # also inject into POST /api/token
    seed: int = 1


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_SPLICE_RE = re.compile('"\ue000(\\d+)\ue000"')


class _Splice:
    """Pre-encoded JSON fragments (cached track objects) spliced into an answer: the
    answer holds placeholder strings that are replaced after ``json.dumps``."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, encoded: str) -> str:
        self.parts.append(encoded)
        return f"\ue000{len(self.parts) - 1}\ue000"

    def encode(self, obj: Any) -> bytes:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        if self.parts:
            text = _SPLICE_RE.sub(lambda m: self.parts[int(m.group(1))], text)
        return text.encode("utf-8")


def error_body(status: int, message: str, reason: str | None = None) -> bytes:
    err: dict[str, Any] = {"status": status, "message": message}
    if reason:
        err["reason"] = reason
    return _json({"error": err})


class Emulator:
    """A running (after ``start()``) Spotify Web API + Accounts emulator."""

    def __init__(
        self,
        library: Library | None = None,
        *,
        mode: str = "development",
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        tls_dir: str | Path | None = None,
        latency_ms: float = 0.0,
        rate_limit: int | None = 180,
        rate_window: float = 30.0,
        quota: int | None = None,
        quota_retry_after: int = 3600,
        access_token_ttl: int = 3600,
        refresh_token_ttl: float | None = 182 * 86400,
        client_id: str = "emulator-client-id",
        client_secret: str | None = "emulator-client-secret",
        redirect_uris: list[str] | None = None,
        legacy_track_field: bool = True,
        gzip_responses: bool = True,
        serve_images: bool = True,
        seed: int = 1,
        quiet: bool = True,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.library = library if library is not None else Library.generate(seed=seed)
        self.mode = mode
        self.host = host
        self.port = port
        self.tls = tls
        self._tls_dir = tls_dir
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.ca: TestCA | None = None
        self.rate_limit = rate_limit or None  # 0 / None = unlimited
        self.rate_window = rate_window
        self.quota = quota
        self.quota_retry_after = quota_retry_after
        self.legacy_track_field = legacy_track_field
        self.gzip_responses = gzip_responses
        self.serve_images = serve_images  # CDN image URLs point at /image/ (releases.py)
        self.quiet = quiet
        self.accounts = Accounts(
            client_id=client_id,
            client_secret=client_secret,
            access_token_ttl=access_token_ttl,
            refresh_token_ttl=refresh_token_ttl,
        )
        if redirect_uris is not None:
            self.accounts.redirect_uris = list(redirect_uris)
        self.faults = Faults(latency_ms=latency_ms, seed=seed)
        self._rng = random.Random(seed)
        self._scheduled: deque[list[Any]] = deque()  # [kind, status, retry_after, path, skip]
        self._lock = threading.Lock()
        self._window: deque[float] = deque()
        self._quota_used = 0
        self.log: list[dict[str, Any]] = []
        self._t0 = time.monotonic()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._inflight = 0
        self.max_inflight = 0
        self._track_cache: dict[tuple[str, bool, bool], str] = {}

    # ------------------------------------------------------------- lifecycle
    def start(self) -> Emulator:
        if self.tls:
            if self._tls_dir is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="spotify-emulator-ca-")
                self._tls_dir = self._tmp.name
            self.ca = make_test_ca(self._tls_dir)
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        if self.ca is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(self.ca.cert_file, self.ca.key_file)
            server.ssl_context = ctx
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            name="spotify-emulator",
            kwargs={"poll_interval": 0.1},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Emulator:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------- urls
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for the plugin's ``api_url`` (Spotify: https://api.spotify.com/v1)."""
        return self.base_url + "/v1"

    @property
    def auth_url(self) -> str:
        """The value for ``auth_url`` (Spotify: https://accounts.spotify.com)."""
        return self.base_url

    @property
    def ca_file(self) -> str | None:
        return str(self.ca.ca_file) if self.ca is not None else None

    @property
    def client_id(self) -> str:
        return self.accounts.client_id

    @property
    def client_secret(self) -> str | None:
        return self.accounts.client_secret

    def info(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "api_url": self.api_url,
            "auth_url": self.auth_url,
            "ca_file": self.ca_file,
            "client_id": self.client_id,
            "mode": self.mode,
            "rate_limit": self.rate_limit,
            "rate_window": self.rate_window,
        }

    # ------------------------------------------------------------------ admin
    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings at run time: mode, rate_limit, rate_window, quota,
        quota_retry_after, latency_ms, access_token_ttl, refresh_token_ttl, approve
        ("auto"/"deny"), require_state, legacy_track_field, gzip_responses."""
        for key, value in settings.items():
            if key == "mode":
                if value not in MODES:
                    raise ValueError(f"mode must be one of {MODES}")
                self.mode = value
            elif key in (
                "rate_limit",
                "rate_window",
                "quota",
                "quota_retry_after",
                "legacy_track_field",
                "gzip_responses",
                "serve_images",
            ):
                setattr(self, key, value)
            elif key == "latency_ms":
                self.faults.latency_ms = float(value)
            elif key in ("access_token_ttl", "refresh_token_ttl", "approve", "require_state"):
                setattr(self.accounts, key, value)
            else:
                raise ValueError(f"unknown setting {key}")
        return self.info()

    def issue_token(
        self, scope: list[str] | str | None = None, expires_in: int | None = None
    ) -> dict[str, Any]:
        """Access + refresh token as after a PKCE login (all scopes by default)."""
        return self.accounts.issue(scope, expires_in)

    def expire_tokens(self) -> int:
        """Expire every access token issued so far (the next API call answers 401)."""
        return self.accounts.expire_access_tokens()

    def revoke_refresh_tokens(self) -> int:
        return self.accounts.revoke_refresh_tokens()

    def expire_refresh_tokens(self) -> int:
        return self.accounts.expire_refresh_tokens()

    def set_faults(self, **settings: Any) -> Faults:
        """Replace the fault settings (see ``Faults``); reseeds the RNG."""
        latency = settings.pop("latency_ms", self.faults.latency_ms)
        if "statuses" in settings:
            settings["statuses"] = tuple(settings["statuses"])
        with self._lock:
            self.faults = Faults(latency_ms=latency, **settings)
            self._rng = random.Random(self.faults.seed)
        return self.faults

    def clear_faults(self) -> None:
        with self._lock:
            self.faults = Faults(latency_ms=self.faults.latency_ms)
            self._scheduled.clear()

    def fail_next(
        self,
        count: int = 1,
        kind: str = "status",
        status: int = 503,
        retry_after: int = 1,
        path: str | None = None,
        after: int = 0,
    ) -> None:
        """The next ``count`` API requests (matching the regex ``path``), once ``after``
        matching requests have passed, fail: kind is "status" (``status``), "reset",
        "truncate", "429" (with ``retry_after``) or "expire" (every access token expires
        just before the request is checked, so it answers 401)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        with self._lock:
            for i in range(count):
                self._scheduled.append([kind, status, retry_after, path, after if i == 0 else 0])

    def load_library(self, data: dict[str, Any]) -> dict[str, Any]:
        """Replace the library (``Library.to_dict()`` format or ``from_tracks`` kwargs)."""
        if "albums" in data and "me" in data:
            library = Library.from_dict(data)
        else:
            library = Library.from_tracks(**data)
        self.library = library
        self._track_cache.clear()
        return library.summary()

    def storm_429(self, count: int, retry_after: int = 1, path: str | None = None) -> None:
        """The next ``count`` API requests answer 429 with ``Retry-After: retry_after``."""
        self.fail_next(count, "429", retry_after=retry_after, path=path)

    def reset_log(self) -> None:
        """Forget the request log, counters, rate-limit window and quota use."""
        with self._lock:
            self.log = []
            self._window.clear()
            self._quota_used = 0
            self.max_inflight = 0

    def requests(
        self, path: str | None = None, status: int | None = None, api_only: bool = True
    ) -> list[dict[str, Any]]:
        """Logged requests, optionally only those whose path matches the regex ``path``
        and/or with the given status."""
        with self._lock:
            log = list(self.log)
        pattern = re.compile(path) if path else None
        return [
            r
            for r in log
            if (not api_only or r["path"].startswith("/v1/"))
            and (pattern is None or pattern.search(r["path"]))
            and (status is None or r["status"] == status)
        ]

    def count(self, path: str | None = None, status: int | None = None) -> int:
        return len(self.requests(path, status))

    def counters(self) -> dict[str, Any]:
        with self._lock:
            log = list(self.log)
        api = [r for r in log if r["path"].startswith("/v1/")]
        by_status = Counter(r["status"] for r in api)
        by_endpoint = Counter(_endpoint(r["path"]) for r in api)
        return {
            "api_requests": len(api),
            "token_requests": sum(r["path"] == "/api/token" for r in log),
            "authorize_requests": sum(r["path"] == "/authorize" for r in log),
            "by_status": {str(k): v for k, v in sorted(by_status.items())},
            "by_endpoint": dict(sorted(by_endpoint.items())),
            "rate_limited": by_status.get(429, 0),
            "faults": dict(Counter(r["fault"] for r in log if r["fault"])),
            "max_inflight": self.max_inflight,
            "accounts": dict(self.accounts.stats),
        }

    def admin(self, action: str, args: dict[str, Any]) -> Any:
        """The ``/_admin/<action>`` API: the same operations for another process."""
        lib = self.library
        actions: dict[str, Any] = {
            "config": self.configure,
            "token": self.issue_token,
            "expire_tokens": self.expire_tokens,
            "revoke_refresh_tokens": self.revoke_refresh_tokens,
            "expire_refresh_tokens": self.expire_refresh_tokens,
            "faults": lambda **kw: vars(self.set_faults(**kw)),
            "clear_faults": self.clear_faults,
            "fail_next": self.fail_next,
            "storm_429": self.storm_429,
            "reset": self.reset_log,
            "load_library": lambda **kw: self.load_library(kw),
            "log": lambda: {"requests": self.requests(api_only=False)},
            "counters": self.counters,
            "info": self.info,
            "library": lib.to_dict,
            "summary": lib.summary,
            "minimum_requests": lambda **kw: lib.minimum_requests(**{"mode": self.mode, **kw}),
            "add_track": lib.add_track,
            "create_playlist": lib.create_playlist,
            "add_hostile_playlist": lib.add_hostile_playlist,
            "add_to_playlist": lib.add_to_playlist,
            "remove_from_playlist": lib.remove_from_playlist,
            "reorder_playlist": lib.reorder_playlist,
            "update_playlist": lib.update_playlist,
            "rename_playlist": lib.rename_playlist,
            "delete_playlist": lib.delete_playlist,
            "like": lib.like,
            "unlike": lib.unlike,
            "save_album": lib.save_album,
            "unsave_album": lib.unsave_album,
            "follow_artist": lib.follow_artist,
            "unfollow_artist": lib.unfollow_artist,
            **_release_actions(lib),
        }
        if action not in actions:
            raise KeyError(f"unknown admin action {action}")
        return actions[action](**args)

    # --------------------------------------------------------------- handling
    def handle(self, method: str, raw_path: str, headers: Any, body: bytes) -> Response:
        t0 = time.monotonic()
        url = urlsplit(raw_path)
        path = url.path
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        if path.startswith("/_admin/"):
            return self._handle_admin(method, path, body)
        with self._lock:
            self._inflight += 1
            self.max_inflight = max(self.max_inflight, self._inflight)
        try:
            resp, fault = self._handle(method, path, query, headers, body)
        finally:
            with self._lock:
                self._inflight -= 1
        if (
            resp.status != 204
            and resp.body
            and self.gzip_responses
            and len(resp.body) > 1400
            and "gzip" in (headers.get("Accept-Encoding") or "").lower()
        ):
            resp.body = gzip.compress(resp.body, compresslevel=1)
            resp.headers["Content-Encoding"] = "gzip"
        entry = {
            "t": round(t0 - self._t0, 4),
            "method": method,
            "path": path,
            "query": url.query,
            "status": resp.status if resp.action != "reset" else 0,
            "fault": fault,
            "ms": round((time.monotonic() - t0) * 1000, 1),
        }
        with self._lock:
            self.log.append(entry)
        return resp

    def _pick_fault(self, path: str, api: bool) -> tuple[str, int, int] | None:
        f = self.faults
        with self._lock:
            for i, entry in enumerate(self._scheduled):
                kind, status, retry_after, pattern, skip = entry
                if api and (pattern is None or re.search(pattern, path)):
                    if skip > 0:
                        entry[4] = skip - 1
                        break
                    del self._scheduled[i]
                    return kind, status, retry_after
            if not (api or f.token_endpoint):
                return None
            if f.path and not re.search(f.path, path):
                return None
            r = self._rng.random()
            if r < f.p_5xx:
                return "status", self._rng.choice(f.statuses), 0
            r -= f.p_5xx
            if r < f.p_reset:
                return "reset", 0, 0
            r -= f.p_reset
            if r < f.p_truncate:
                return "truncate", 0, 0
            r -= f.p_truncate
            if r < f.p_429:
                return "429", 429, f.retry_after
        return None

    def _delay(self) -> float:
        f = self.faults
        ms = f.latency_ms
        if f.spike_p > 0:
            with self._lock:
                if self._rng.random() < f.spike_p:
                    ms += f.spike_ms
        return ms / 1000.0

    def _rate_check(self) -> Response | None:
        now = time.monotonic()
        with self._lock:
            if self.quota is not None and self._quota_used >= self.quota:
                return self._error(
                    429,
                    "Too many requests",
                    reason="QUOTA_EXCEEDED",
                    headers={"Retry-After": str(self.quota_retry_after)},
                )
            if self.rate_limit:
                while self._window and self._window[0] <= now - self.rate_window:
                    self._window.popleft()
                if len(self._window) >= self.rate_limit:
                    wait = max(1, math.ceil(self._window[0] + self.rate_window - now))
                    return self._error(
                        429, "API rate limit exceeded", headers={"Retry-After": str(wait)}
                    )
                self._window.append(now)
            self._quota_used += 1
        return None

    def _error(
        self,
        status: int,
        message: str,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        h = {"Content-Type": "application/json; charset=utf-8"}
        h.update(headers or {})
        return Response(status, error_body(status, message, reason), h)

    def _handle(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[Response, str | None]:
        api = path.startswith("/v1/")
        token_endpoint = path == "/api/token"
        delay = self._delay()
        if delay > 0 and (api or token_endpoint):
            time.sleep(delay)
        fault = self._pick_fault(path, api) if (api or token_endpoint) else None
        truncate = expired = False
        if fault is not None:
            kind, status, retry_after = fault
            if kind == "reset":
                return Response(0, action="reset"), "reset"
            if kind == "status":
                return self._error(status, _REASONS.get(status, "Server error")), f"{status}"
            if kind == "429":
                return self._error(
                    429, "API rate limit exceeded", headers={"Retry-After": str(retry_after)}
                ), "429"
            truncate = kind == "truncate"
            if kind == "expire":
                self.accounts.expire_access_tokens()
                expired = True
        try:
            if token_endpoint:
                if method != "POST":
                    resp = self._error(405, "Method not allowed")
                else:
                    status, answer = self.accounts.token(headers, body)
                    resp = Response(
                        status,
                        _json(answer),
                        {"Content-Type": "application/json", "Cache-Control": "no-store"},
                    )
            elif path.startswith(releases.IMAGE_PATH) and method == "GET":
                resp = Response(
                    200,
                    releases.image_for(path[len(releases.IMAGE_PATH) :]),
                    {"Content-Type": "image/jpeg", "Cache-Control": "public, max-age=31536000"},
                )
            elif path == "/authorize":
                status, h, page = self.accounts.authorize(query)
                resp = Response(status, page, h)
            elif api:
                limited = self._rate_check()
                if limited is not None:
                    return limited, None
                resp = self._api(method, path, query, headers, body)
            else:
                resp = self._error(404, "Service not found")
        except ApiError as e:
            resp = self._error(e.status, e.message, e.reason, e.headers)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            resp = self._error(500, "Server error")
        if truncate:
            resp.action = "truncate"
            return resp, "truncate"
        return resp, "expire" if expired else None

    def _handle_admin(self, method: str, path: str, body: bytes) -> Response:
        action = path[len("/_admin/") :].strip("/")
        try:
            args = json.loads(body) if body.strip() else {}
            if not isinstance(args, dict):
                raise ValueError("the body must be a JSON object")
            result = self.admin(action, args)
            if hasattr(result, "__dataclass_fields__"):
                result = vars(result)
            return Response(200, _json({"result": result}), {"Content-Type": "application/json"})
        except (KeyError, ValueError, TypeError) as e:
            return Response(400, _json({"error": str(e)}), {"Content-Type": "application/json"})

    # ------------------------------------------------------------------- API
    def _api(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes = b""
    ) -> Response:
        token, problem = self.accounts.check_bearer(headers.get("Authorization"))
        if token is None:
            return self._error(
                401,
                problem or "Invalid access token",
                headers={"WWW-Authenticate": 'Bearer realm="spotify"'},
            )
        parts = path[len("/v1/") :].rstrip("/").split("/")
        extended = self.mode == "extended"
        base = self.api_url
        lib = self.library
        written = self._write_or_search(method, parts, query, token.scope, body, extended)
        if written is not None:
            return written
        if method != "GET":
            raise ApiError(405, "Method not allowed")
        splice = None if "fields" in query else _Splice()
        tr = self._track_renderer(lib, base, extended, query.get("market"), splice)
        with lib.lock:
            answer = self._route(parts, query, token.scope, extended, base, lib, tr)
        if splice is None and isinstance(answer, dict):
            try:
                answer = fields_filter.apply(answer, fields_filter.parse(query["fields"]))
            except fields_filter.FieldsError as e:
                raise ApiError(400, "Invalid fields") from e
        body = splice.encode(answer) if splice is not None else _json(answer)
        if self.serve_images:
            body = releases.rewrite_image_urls(body, self.base_url)
        return Response(
            200,
            body,
            {
                "Content-Type": "application/json; charset=utf-8",
                "Cache-Control": "private, max-age=0",
            },
        )

    def _write_or_search(
        self,
        method: str,
        parts: list[str],
        query: dict[str, str],
        scope: frozenset[str],
        body: bytes,
        extended: bool,
    ) -> Response | None:
        """The write endpoints and search (tests/emulator/writes.py), or None."""
        lib = self.library
        base = self.api_url

        def render_playlist(p: Any) -> Any:
            return self._playlist(p, {}, extended, base, lib)

        try:
            answer = writes.route(
                method, parts, query, scope, body, lib, base, self.mode, render_playlist
            )
        except writes.WriteError as e:
            raise ApiError(e.status, e.message) from None
        if answer is None:
            return None
        status, obj = answer
        if "fields" in query and isinstance(obj, dict):
            try:
                obj = fields_filter.apply(obj, fields_filter.parse(query["fields"]))
            except fields_filter.FieldsError as e:
                raise ApiError(400, "Invalid fields") from e
        return Response(status, _json(obj), {"Content-Type": "application/json; charset=utf-8"})

    def _track_renderer(
        self,
        lib: Library,
        base: str,
        extended: bool,
        market: str | None,
        splice: _Splice | None,
    ) -> Callable[[Track], Any]:
        """Renders a catalogue track: a dict, or (without a fields filter) a placeholder
        for its cached encoded JSON, which is what makes big pages cheap."""
        if splice is None:
            return lambda t: render.track_object(lib, t, base, extended, market)
        cache = self._track_cache

        def cached(t: Track) -> str:
            key = (t.id, extended, market is not None)
            encoded = cache.get(key)
            if encoded is None:
                obj = render.track_object(lib, t, base, extended, market)
                encoded = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
                cache[key] = encoded
            return splice.add(encoded)

        return cached

    def _route(
        self,
        parts: list[str],
        q: dict[str, str],
        scope: frozenset[str],
        extended: bool,
        base: str,
        lib: Library,
        tr: Callable[[Track], Any],
    ) -> Any:
        n = len(parts)
        head = parts[0]
        if head == "me":
            if n == 1:
                return render.me_object(lib, base, extended)
            if n == 2 and parts[1] == "playlists":
                return self._my_playlists(q, scope, extended, base, lib)
            if n == 2 and parts[1] == "tracks":
                _need(scope, "user-library-read")
                limit, offset = _paging(q, 50)
                items = [
                    {
                        "added_at": at,
                        "track": tr(lib.tracks[t]),
                    }
                    for at, t in lib.liked[offset : offset + limit]
                ]
                return render.paging(
                    base, "/me/tracks", items, len(lib.liked), offset, limit, _extra(q)
                )
            if n == 2 and parts[1] == "albums":
                _need(scope, "user-library-read")
                limit, offset = _paging(q, 50)
                items = [
                    {"added_at": at, "album": render.album_full(lib, lib.albums[a], base, extended)}
                    for at, a in lib.saved_albums[offset : offset + limit]
                ]
                return render.paging(
                    base, "/me/albums", items, len(lib.saved_albums), offset, limit, _extra(q)
                )
            if n == 2 and parts[1] == "following":
                return self._following(q, scope, extended, base, lib)
        elif head == "playlists" and n >= 2:
            p = lib.playlist(_check_id(parts[1]))
            if p is None:
                raise ApiError(404, "Resource not found")
            if not extended and lib.is_spotify_owned(p):
                # Spotify-owned and "Made For You" playlists: gone for newer apps.
                raise ApiError(404, "Resource not found")
            if n == 2:
                return self._playlist(p, q, extended, base, lib, tr)
            if n == 3 and parts[2] == "items":
                if not extended and not lib.items_allowed_in_development(p):
                    raise ApiError(403, "Forbidden")
                return self._entries(
                    p,
                    q,
                    extended,
                    base,
                    lib,
                    "items",
                    50,
                    item_key=True,
                    track_key=self.legacy_track_field,
                    tr=tr,
                )
            if n == 3 and parts[2] == "tracks":
                if not extended:
                    raise ApiError(403, "Forbidden")
                return self._entries(
                    p, q, extended, base, lib, "tracks", 100, item_key=False, track_key=True, tr=tr
                )
        elif head == "tracks":
            if n == 1:
                if not extended:
                    raise ApiError(403, "Forbidden")
                ids = _ids(q, 50)
                return {
                    "tracks": [
                        render.track_object(lib, lib.tracks[i], base, extended, q.get("market"))
                        if i in lib.tracks
                        else None
                        for i in ids
                    ]
                }
            if n == 2:
                t = lib.tracks.get(_check_id(parts[1]))
                if t is None:
                    raise ApiError(404, "Resource not found")
                return render.track_object(lib, t, base, extended, q.get("market"))
        elif head == "audio-features":
            if not extended:
                raise ApiError(403, "")
            if n == 1:
                ids = _ids(q, 100)
                return {
                    "audio_features": [
                        render.audio_features(lib.tracks[i], base) if i in lib.tracks else None
                        for i in ids
                    ]
                }
            if n == 2:
                t = lib.tracks.get(_check_id(parts[1]))
                if t is None:
                    raise ApiError(404, "Resource not found")
                return render.audio_features(t, base)
        elif head == "albums" and n == 3 and parts[2] == "tracks":
            al = lib.albums.get(_check_id(parts[1]))
            if al is None:
                raise ApiError(404, "Resource not found")
            limit, offset = _paging(q, 50)
            tracks = [
                render.track_object(lib, lib.tracks[t], base, extended, simplified=True)
                for t in al.track_ids[offset : offset + limit]
            ]
            return render.paging(
                base, f"/albums/{al.id}/tracks", tracks, len(al.track_ids), offset, limit
            )
        elif head == "albums" and n == 2:
            al = lib.albums.get(_check_id(parts[1]))
            if al is None:
                raise ApiError(404, "Resource not found")
            return render.album_full(lib, al, base, extended)
        elif head == "artists" and n == 3 and parts[2] == "albums":
            if _check_id(parts[1]) not in lib.artists:
                raise ApiError(404, "Resource not found")
            try:
                return releases.artist_albums_page(lib, parts[1], q, base, extended, _paging)
            except releases.BadRequest as e:
                raise ApiError(400, str(e)) from None
        elif head == "artists" and n == 2:
            a = lib.artists.get(_check_id(parts[1]))
            if a is None:
                raise ApiError(404, "Resource not found")
            return render.artist_full(a, base, extended)
        elif head == "users" and n == 3 and parts[2] == "playlists":
            if not extended:
                raise ApiError(403, "Forbidden")
            limit, offset = _paging(q, 50)
            mine = [p for p in lib.playlists if p.owner_id == parts[1] and p.public]
            items = [
                render.playlist_simplified(lib, p, base, extended)
                for p in mine[offset : offset + limit]
            ]
            return render.paging(
                base, f"/users/{parts[1]}/playlists", items, len(mine), offset, limit
            )
        raise ApiError(404, "Service not found")

    def _my_playlists(
        self, q: dict[str, str], scope: frozenset[str], extended: bool, base: str, lib: Library
    ) -> Any:
        limit, offset = _paging(q, 50, max_offset=100_000)
        visible = [
            p
            for p in lib.playlists
            if (p.public or p.collaborative or "playlist-read-private" in scope)
            and (not p.collaborative or "playlist-read-collaborative" in scope)
        ]
        items = [
            render.playlist_simplified(lib, p, base, extended)
            for p in visible[offset : offset + limit]
        ]
        return render.paging(base, "/me/playlists", items, len(visible), offset, limit)

    def _following(
        self, q: dict[str, str], scope: frozenset[str], extended: bool, base: str, lib: Library
    ) -> Any:
        if q.get("type") != "artist":
            raise ApiError(400, "Bad search type field")
        _need(scope, "user-follow-read")
        limit, _ = _paging(q, 50)
        ordered = sorted(lib.followed_artists)
        after = q.get("after")
        start = 0
        if after:
            start = next((i for i, a in enumerate(ordered) if a > after), len(ordered))
        chunk = ordered[start : start + limit]
        more = start + limit < len(ordered)
        last = chunk[-1] if chunk else None
        href = f"{base}/me/following?type=artist&limit={limit}" + (
            f"&after={after}" if after else ""
        )
        return {
            "artists": {
                "href": href,
                "items": [render.artist_full(lib.artists[a], base, extended) for a in chunk],
                "limit": limit,
                "next": f"{base}/me/following?type=artist&after={last}&limit={limit}"
                if more and last
                else None,
                "cursors": {"after": last if more else None},
                "total": len(ordered),
            }
        }

    def _entries(
        self,
        p: Any,
        q: dict[str, str],
        extended: bool,
        base: str,
        lib: Library,
        sub: str,
        max_limit: int,
        *,
        item_key: bool,
        track_key: bool,
        tr: Callable[[Track], Any] | None = None,
        default_limit: int = 20,
    ) -> Any:
        limit, offset = _paging(q, max_limit, default_limit)
        types = {t.strip() for t in q.get("additional_types", "").split(",")}
        market = q.get("market")
        items = [
            render.playlist_entry(
                lib,
                e,
                base,
                extended,
                market=market,
                episodes="episode" in types,
                item_key=item_key,
                track_key=track_key,
                track_render=tr,
            )
            for e in p.entries[offset : offset + limit]
        ]
        return render.paging(
            base, f"/playlists/{p.id}/{sub}", items, len(p.entries), offset, limit, _extra(q)
        )

    def _playlist(
        self,
        p: Any,
        q: dict[str, str],
        extended: bool,
        base: str,
        lib: Library,
        tr: Callable[[Track], Any] | None = None,
    ) -> Any:
        d = render.playlist_simplified(lib, p, base, extended)
        d.pop("tracks", None)
        wanted = q.get("fields")
        need_entries = wanted is None or "items" in wanted or "tracks" in wanted
        allowed = extended or lib.items_allowed_in_development(p)
        if need_entries and allowed:
            sub = dict(q)
            sub.pop("limit", None)
            sub.pop("offset", None)
            sub.pop("fields", None)
            d["items"] = self._entries(
                p,
                sub,
                extended,
                base,
                lib,
                "items",
                50,
                item_key=True,
                track_key=self.legacy_track_field,
                tr=tr,
                default_limit=50,
            )
            if extended:
                d["tracks"] = self._entries(
                    p,
                    sub,
                    extended,
                    base,
                    lib,
                    "tracks",
                    100,
                    item_key=False,
                    track_key=True,
                    tr=tr,
                    default_limit=100,
                )
        else:
            # Someone else's playlist in development mode: metadata only.
            d["items"] = {"href": f"{base}/playlists/{p.id}/items", "total": len(p.entries)}
        out = {k: d[k] for k in ("collaborative", "description", "external_urls")}
        out["followers"] = {"href": None, "total": p.followers}
        out.update({k: v for k, v in d.items() if k not in out})
        return out


_REASONS = {
    500: "Server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def _release_actions(lib: Library) -> dict[str, Any]:
    """Admin actions of the release watch and artwork (tests/emulator/releases.py)."""
    return {
        "add_release": lambda **kw: releases.add_release(lib, **kw),
        "add_discography": lambda **kw: releases.add_discography(lib, **kw),
        "add_artist": lambda **kw: releases.add_artist(lib, **kw),
        "set_album_image": lambda **kw: releases.set_album_image(lib, **kw),
    }


def _endpoint(path: str) -> str:
    """A log path with ids replaced, for per-endpoint counters."""
    return re.sub(r"/[0-9A-Za-z]{22}(?=/|$)", "/{id}", path)


def _need(scope: frozenset[str], needed: str) -> None:
    if needed not in scope:
        raise ApiError(403, "Insufficient client scope")


def _check_id(value: str) -> str:
    if not ID_RE.fullmatch(value):
        raise ApiError(400, "Invalid base62 id")
    return value


def _ids(q: dict[str, str], maximum: int) -> list[str]:
    raw = q.get("ids")
    if not raw:
        raise ApiError(400, "invalid request")
    ids = [i for i in raw.split(",")]
    if len(ids) > maximum:
        raise ApiError(400, "Too many ids requested")
    for i in ids:
        _check_id(i)
    return ids


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"Invalid {what}") from None


def _paging(
    q: dict[str, str], max_limit: int, default: int = 20, max_offset: int | None = None
) -> tuple[int, int]:
    limit = _int(q["limit"], "limit") if "limit" in q else default
    if not 1 <= limit <= max_limit:
        raise ApiError(400, "Invalid limit")
    offset = _int(q["offset"], "offset") if "offset" in q else 0
    if offset < 0 or (max_offset is not None and offset > max_offset):
        raise ApiError(400, "Invalid offset")
    return limit, offset


def _extra(q: dict[str, str]) -> dict[str, str]:
    """Query parameters carried into paging URLs (everything but offset/limit)."""
    return {k: v for k, v in q.items() if k not in ("offset", "limit")}


# ----------------------------------------------------------------------- HTTP
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    emulator: Emulator
    ssl_context: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs in the connection's own thread, never in the accept loop.
        if self.ssl_context is not None:
            try:
                request.settimeout(10)
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "spotify-emulator"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        resp = self.server.emulator.handle(method, self.path, self.headers, body)
        if resp.action == "reset":
            self.close_connection = True
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
            except OSError:
                pass
            return
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        if resp.action == "truncate":
            self.send_header("Connection", "close")
        self.end_headers()
        if resp.action == "truncate":
            self.wfile.write(resp.body[: len(resp.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if method != "HEAD":
            self.wfile.write(resp.body)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.emulator.quiet:
            super().log_message(format, *args)
