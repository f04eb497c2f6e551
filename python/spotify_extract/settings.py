"""The plugin's settings: the `spotifyextract:` section of beets' config.yaml, checked once.

Every key has one confuse template here (its type, its allowed values, its default), and
`load(view)` checks all of them before a command does any work: a bad value is one
`ui.UserError` line naming the key, what it must be and the file to fix, never a
traceback halfway through a run. The result is a frozen `Settings` that the commands pass
around instead of the config view.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import beets
import confuse
from beets import logging, ui

from spotify_extract.players.config import PlayerConfig, RefreshList

log = logging.getLogger("beets.spotifyextract")

TARGETS = ("mpd", "sonos", "navidrome", "jellyfin", "absolute", "prefix")
RELATIVE_TO = ("library", "playlist", "absolute")
NON_UTF8_POLICIES = ("skip", "write")
IMPORT_MODES = ("singletons", "albums", "beets")
PLAYLIST_EXTENSIONS = (".m3u", ".m3u8")
MAX_PARALLEL_DOWNLOADS = 16


class _Text(confuse.Template):
    """A string; a bare YAML number (an all-digit client id) is taken as its text."""

    def convert(self, value: object, view: confuse.ConfigView) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.fail(f"must be text, not {_shown(value)}", view, True)


class _Flag(confuse.Template):
    """yes/no (YAML booleans); anything else names the key instead of guessing."""

    def convert(self, value: object, view: confuse.ConfigView) -> bool:
        if isinstance(value, bool):
            return value
        self.fail(f"must be yes or no, not {_shown(value)}", view, True)


class _Whole(confuse.Template):
    """A whole number within [low, high] (high None: no upper bound)."""

    def __init__(self, default: int, low: int, high: int | None = None, unit: str = "") -> None:
        super().__init__(default)
        self.low, self.high, self.unit = low, high, unit

    def convert(self, value: object, view: confuse.ConfigView) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value >= self.low
            and (self.high is None or value <= self.high)
        ):
            return value
        self.fail(f"must be {self._range()}, not {_shown(value)}", view)

    def _range(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.high is None:
            return f"a whole number of at least {self.low}{unit}"
        return f"a whole number from {self.low} to {self.high}{unit}"


class _Seconds(confuse.Template):
    """A number of seconds greater than zero."""

    def convert(self, value: object, view: confuse.ConfigView) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        self.fail(f"must be a number of seconds greater than 0, not {_shown(value)}", view)


class _Confidence(confuse.Template):
    def convert(self, value: object, view: confuse.ConfigView) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
            return float(value)
        self.fail(f"must be a number greater than 0 and at most 1, not {_shown(value)}", view)


class _Choice(confuse.Template):
    """One of a few words (confuse.Choice, with the message naming the choices plainly)."""

    def __init__(self, choices: tuple[str, ...], default: str) -> None:
        super().__init__(default)
        self.choice = confuse.Choice(list(choices))
        self.choices = choices

    def convert(self, value: object, view: confuse.ConfigView) -> str:
        if isinstance(value, str) and value in self.choices:
            return self.choice.convert(value, view)
        self.fail(f"must be one of {', '.join(self.choices)}, not {_shown(value)}", view)


class _Extension(confuse.Template):
    """.m3u or .m3u8 (with or without the dot); what every player in the targets reads."""

    def convert(self, value: object, view: confuse.ConfigView) -> str:
        if isinstance(value, str):
            extension = "." + value.strip().lower().lstrip(".")
            if extension in PLAYLIST_EXTENSIONS:
                return extension
        self.fail(f"must be .m3u or .m3u8, not {_shown(value)}", view)


class _Url(confuse.Template):
    def convert(self, value: object, view: confuse.ConfigView) -> str:
        if isinstance(value, str) and re.match(r"^https?://[^\s/]+", value):
            return value.rstrip("/")
        self.fail(f"must be an http:// or https:// URL, not {_shown(value)}", view)


NAME_FIELDS = ("name", "id")
_BRACED = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class _NameTemplate(confuse.Template):
    """A playlist file name: text with {name} and/or {id} ({{ and }} for braces)."""

    def convert(self, value: object, view: confuse.ConfigView) -> str:
        if not isinstance(value, str):
            self.fail(f"must be text such as '{{name}} (Spotify)', not {_shown(value)}", view, True)
        fields = set()
        for found in _BRACED.finditer(value):
            token = found.group(0)
            if token in ("{{", "}}"):
                continue
            field = found.group(1)
            if field not in NAME_FIELDS:
                shown = token if field is None else "{" + field + "}"
                self.fail(
                    f"{shown} is not a field; use {{name}} and {{id}} ({{{{ and }}}} for braces)",
                    view,
                )
            fields.add(field)
        if not fields:
            self.fail("must contain {name} or {id}, or every playlist gets the same file", view)
        if "/" in value or "\\" in value or "\0" in value:
            self.fail("is a file name: no / or \\ in it", view)
        return value


class _Command(confuse.Template):
    """A command line: a string split like a shell would (no shell runs it), or a list."""

    def convert(self, value: object, view: confuse.ConfigView) -> tuple[str, ...]:
        if isinstance(value, str):
            try:
                parts = shlex.split(value)
            except ValueError as error:
                self.fail(f"cannot be split into arguments ({error})", view)
        elif isinstance(value, list) and all(isinstance(p, str | int | float) for p in value):
            parts = [str(part) for part in value]
        else:
            self.fail(f"must be a command line or a list of arguments, not {_shown(value)}", view)
        if not parts:
            self.fail("is empty; set it to e.g. spotdl", view)
        return tuple(parts)


class _Downloader(_Command):
    """spotdl, yt-dlp, sldl, or a command template with {artist} {title} ... placeholders."""

    def convert(self, value: object, view: confuse.ConfigView) -> tuple[str, ...]:
        from spotify_extract import downloaders

        parts = super().convert(value, view)
        if len(parts) == 1 and parts[0] in downloaders.NAMED:
            return parts
        try:
            downloaders.check_template(parts)
        except ValueError as error:
            self.fail(
                f"must be {', '.join(downloaders.NAMED)} or a command template: {error}", view
            )
        return parts


class _Optional(confuse.Template):
    """`template`'s value, or None when the key is unset, null or empty."""

    def __init__(self, template: confuse.Template) -> None:
        super().__init__(None)
        self.template = template

    def value(self, view: confuse.ConfigView, template: Any = None) -> Any:
        try:
            raw, _ = view.first()
        except confuse.NotFoundError:
            return None
        if raw is None or raw == "":
            return None
        return self.checked(self.template.value(view, template), view)

    def checked(self, value: Any, view: confuse.ConfigView) -> Any:
        """The value as given; subclasses refuse what cannot work (self.fail)."""
        return value


class _Folder(_Optional):
    """A folder (beets-style: ~ expanded, relative to the config file's folder); None when
    unset. An existing file in its place is refused here, before any work."""

    def __init__(self) -> None:
        super().__init__(confuse.Filename())

    def checked(self, path: str, view: confuse.ConfigView) -> str:
        if os.path.exists(path) and not os.path.isdir(path):
            self.fail(f"{path} is a file, not a folder", view)
        return path


class _File(_Optional):
    """An existing file, or None when unset."""

    def __init__(self) -> None:
        super().__init__(confuse.Filename())

    def checked(self, path: str, view: confuse.ConfigView) -> str:
        if not os.path.isfile(path):
            self.fail(f"{path} is not a file", view)
        return path


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def _duration_seconds(value: object) -> float | None:
    """Seconds from 90, "90s", "10m", "10min", "24h", "2d"; None when it is none of them."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if value >= 0 else None
    if isinstance(value, str):
        found = _DURATION.match(value.lower())
        if found:
            return float(found.group(1)) * _UNIT_SECONDS[found.group(2)]
    return None


class _Duration(confuse.Template):
    """A length of time: seconds, or a number with s, m(in), h or d ("24h")."""

    def get_default_value(self, key_name: str = "default") -> float:
        return _duration_seconds(self.default) or 0.0

    def convert(self, value: object, view: confuse.ConfigView) -> float:
        seconds = _duration_seconds(value)
        if seconds is None:
            self.fail(f"must be a duration such as 90s, 10m, 24h or 2d, not {_shown(value)}", view)
        return seconds


ARTWORK_KINDS = ("playlists", "albums", "artists")
COOLDOWN_PHASES = ("profile", "playlists", "liked", "albums", "artists", "releases")


class _PerKindFlag(confuse.Template):
    """yes/no for every kind at once, or a mapping of some kinds to yes/no (the others
    yes): the kinds switched on."""

    def __init__(self, kinds: tuple[str, ...], default: bool) -> None:
        super().__init__(default)
        self.kinds = kinds

    def get_default_value(self, key_name: str = "default") -> frozenset[str]:
        return frozenset(self.kinds) if self.default else frozenset()

    def convert(self, value: object, view: confuse.ConfigView) -> frozenset[str]:
        if isinstance(value, bool):
            return frozenset(self.kinds) if value else frozenset()
        if isinstance(value, dict):
            on = set(self.kinds)
            for kind, flag in value.items():
                if kind not in self.kinds:
                    self.fail(f"{kind!r} is not one of {', '.join(self.kinds)}", view)
                if not isinstance(flag, bool):
                    self.fail(f"{kind} must be yes or no, not {_shown(flag)}", view)
                if not flag:
                    on.discard(kind)
            return frozenset(on)
        self.fail(f"must be yes, no or a mapping of {', '.join(self.kinds)} to yes/no", view)


class _Cooldowns(confuse.Template):
    """A mapping of phases to durations (the others: no cooldown)."""

    def get_default_value(self, key_name: str = "default") -> dict[str, float]:
        return {}

    def convert(self, value: object, view: confuse.ConfigView) -> dict[str, float]:
        if value is None or value == {}:
            return {}
        if not isinstance(value, dict):
            self.fail(
                f"must be a mapping such as {{playlists: 10m, artists: 5m}}, not {_shown(value)}",
                view,
            )
        cooldowns = {}
        for phase, duration in value.items():
            if phase not in COOLDOWN_PHASES:
                self.fail(f"{phase!r} is not one of {', '.join(COOLDOWN_PHASES)}", view)
            seconds = _duration_seconds(duration)
            if seconds is None:
                self.fail(f"{phase} must be a duration such as 10m, not {_shown(duration)}", view)
            cooldowns[phase] = seconds
        return cooldowns


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str | int | float | bool) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


# Every key of the section, its check and its default: the one place defaults live
# (the engine's structs have their own, used only when Python does not set a value).
TEMPLATES: dict[str, confuse.Template] = {
    "client_id": _Text(""),
    "client_secret": _Text(""),
    "redirect_port": _Whole(8888, 0, 65535),  # 0: any free port (tests)
    "playlist_dir": _Folder(),  # None: beets' playlist plugin's playlist_dir, or by target
    "target": _Choice(TARGETS, "mpd"),
    "path_prefix": _Text(""),
    "playlist_extension": _Optional(_Extension(None)),  # None: from the target profile
    "relative_to": _Optional(_Choice(RELATIVE_TO, "library")),  # None: from the target
    "forward_slash": _Optional(_Flag(None)),  # None: from the target profile
    "missing_comments": _Flag(False),  # "# artist - title spotify:track:ID" lines
    "non_utf8_paths": _Choice(NON_UTF8_POLICIES, "skip"),
    "name_template": _NameTemplate("{name} (Spotify)"),
    "liked_songs_playlist": _Flag(True),
    "min_confidence": _Confidence(0.85),
    "write_attributes": _Flag(False),
    "audio_features": _Flag(True),
    "analyze_after_import": _Flag(False),  # beet spotify-analyze on what an import adds
    "spotdl_command": _Command("spotdl"),
    "downloader": _Downloader("spotdl"),
    "verify_tolerance": _Seconds(10),
    "download_dir": _Folder(),  # None: beets' music directory
    "parallel_downloads": _Whole(3, 1, MAX_PARALLEL_DOWNLOADS),
    "download_timeout": _Seconds(600),
    "import_after_download": _Flag(True),
    "downloads_per_hour": _Whole(60, 0, unit="(0: no cap)"),
    "import_mode": _Choice(IMPORT_MODES, "singletons"),
    "api_url": _Url("https://api.spotify.com/v1"),
    "auth_url": _Url("https://accounts.spotify.com"),
    "ca_file": _File(),  # None: the system's CA store
    "state_dir": _Folder(),  # None: beets' config directory
    "release_watch": _Flag(True),
    "release_check_interval": _Duration("24h"),
    "release_artists_per_run": _Whole(10, 0),
    "artwork": _PerKindFlag(ARTWORK_KINDS, True),
    "cooldowns": _Cooldowns({}),
    "refresh": RefreshList(),  # players to refresh after `beet spotify-sync`
    "sync_wait": _Seconds(600),  # a second `beet spotify-sync` waits this long, then leaves
}

# What beets shows in `beet config -d` (BeetsPlugin.config.add).
DEFAULTS: dict[str, object] = {key: template.default for key, template in TEMPLATES.items()}
REDACTED_KEYS = ("client_secret", "refresh")  # refresh: player passwords, keys, tokens


@dataclass(frozen=True)
class Settings:
    """The checked `spotifyextract:` section; folders resolved, defaults filled in."""

    client_id: str
    client_secret: str
    redirect_port: int
    playlist_dir: str | None
    target: str
    path_prefix: str
    playlist_extension: str | None
    relative_to: str | None
    forward_slash: bool | None
    missing_comments: bool
    non_utf8_paths: str
    name_template: str
    liked_songs_playlist: bool
    min_confidence: float
    write_attributes: bool
    audio_features: bool
    analyze_after_import: bool
    spotdl_command: tuple[str, ...]
    downloader: tuple[str, ...]
    verify_tolerance: float
    download_dir: Path
    parallel_downloads: int
    download_timeout: float
    import_after_download: bool
    downloads_per_hour: int
    import_mode: str
    api_url: str
    auth_url: str
    ca_file: str | None
    state_dir: Path
    release_watch: bool
    release_check_interval: float  # seconds
    release_artists_per_run: int
    artwork: frozenset[str]  # the kinds of ARTWORK_KINDS to store
    cooldowns: dict[str, float]  # phase -> seconds
    refresh: tuple[PlayerConfig, ...]
    sync_wait: float

    @property
    def state_database(self) -> Path:
        from spotify_extract import _native

        return self.state_dir / _native.STATE_DATABASE_NAME

    @property
    def import_singletons(self) -> bool | None:
        """import_mode as beets' import.singletons (None: beets' own setting)."""
        return {"singletons": True, "albums": False, "beets": None}[self.import_mode]


def _config_file() -> str:
    try:
        return os.fsdecode(beets.config.user_config_path())
    except (AttributeError, confuse.ConfigError, OSError):  # no user config directory
        return "config.yaml"


def _fail(message: str) -> ui.UserError:
    return ui.UserError(f"{message} (in the spotifyextract: section of {_config_file()})")


def _beets_directory() -> Path:
    try:
        return Path(os.fsdecode(beets.config["directory"].as_filename()))
    except confuse.ConfigError as error:
        raise ui.UserError(f"beets' directory setting: {error}") from None


def load(view: confuse.ConfigView) -> Settings:
    """Checks every key of the `spotifyextract:` view; one UserError line for the first
    bad one. Unknown keys (typos) are logged, not fatal."""
    values: dict[str, Any] = {}
    for key, template in TEMPLATES.items():
        try:
            values[key] = view[key].get(template)
        except confuse.ConfigError as error:
            raise _fail(str(error)) from None
    try:
        extra = sorted(set(view.keys()) - set(TEMPLATES))
    except confuse.ConfigError as error:
        raise _fail(f"spotifyextract: {error}") from None
    for key in extra:
        log.warning("spotifyextract.{} is not a setting of this plugin; ignored", key)

    if values["target"] == "prefix" and not values["path_prefix"]:
        raise _fail(
            "spotifyextract.path_prefix: target 'prefix' needs the root that replaces the "
            "music directory (e.g. /music or smb://nas/Music)"
        )
    values["download_dir"] = Path(values["download_dir"] or _beets_directory())
    values["state_dir"] = Path(values["state_dir"] or beets.config.config_dir())
    return Settings(**values)


def of(config: Settings | confuse.ConfigView) -> Settings:
    """Settings from either a Settings (returned as is) or the config view (checked)."""
    if isinstance(config, Settings):
        return config
    return load(config)


def ensure_state_dir(settings: Settings) -> Path:
    """The state folder, created when missing; one line when that is impossible."""
    directory = settings.state_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ui.UserError(
            f"cannot create the state folder {directory} ({reason}); set "
            "spotifyextract.state_dir to a folder you can write"
        ) from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ui.UserError(
            f"the state folder {directory} is not writable; set spotifyextract.state_dir "
            "to a folder you can write"
        )
    return directory
