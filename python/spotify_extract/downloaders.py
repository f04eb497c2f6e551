"""The programs that download a wishlist track, behind one small interface.

`downloader:` in the config picks one: `spotdl` (the default), `yt-dlp`, `sldl` (a
preset command template for Soulseek via slsk-batchdl) or a command template of any other
tool with the placeholders {artist} {title} {album} {isrc} {url} {dir}. A downloader only
says how to run its program for one track (`attempts`: one or more argument lists, tried
in turn until one leaves an audio file) and what to do with the file afterwards
(`finish`); download_runner.py runs the processes (no shell, timeouts, cancel, one folder
per track), verify.py checks what arrived.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TRACK_ID_RE = re.compile(r"[0-9A-Za-z]{22}")
TRACK_URL_RE = re.compile(r"https://open\.spotify\.com/track/([0-9A-Za-z]{22})")
ERROR_WORDS = re.compile(
    r"error|exception|failed|could not|couldn't|unable|not found|no results|traceback",
    re.IGNORECASE,
)
# "ConnectionError: ...", "spotdl.x.AudioProviderError: ..." (rich prints the message of
# the exception that ended spotDL on the line that starts with its type).
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception)\b[^:]*:")
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
MAX_ERROR_CHARS = 300

PLACEHOLDERS = ("artist", "title", "album", "isrc", "url", "dir")
# Placeholders that tell tracks apart: a template without one downloads the same thing
# for every track.
TRACK_PLACEHOLDERS = ("artist", "title", "isrc", "url")
_BRACED = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
# Soulseek through slsk-batchdl: a plain "Artist - Title" search into the track's folder
# (its Soulseek login comes from sldl's own config file).
SLDL_PRESET = ("sldl", "{artist} - {title}", "--input-type", "string", "--path", "{dir}")
NAMED = ("spotdl", "yt-dlp", "sldl")


class DownloaderError(Exception):
    """A configuration problem of the downloader (one line, for ui.UserError)."""


@dataclass(frozen=True)
class DownloadJob:
    """One wishlist entry to download, with the Spotify metadata we already have."""

    key: int | str  # the wishlist entry's id
    track_id: str
    label: str = ""  # "Artist - Title", for progress and messages
    artist: str = ""
    title: str = ""
    album: str = ""
    isrc: str = ""
    duration_ms: int = 0

    @property
    def url(self) -> str:
        return track_url(self.track_id)


def track_url(track_id: str) -> str:
    """The open.spotify.com URL of a track id; refuses anything but 22 base62 chars."""
    if not TRACK_ID_RE.fullmatch(track_id or ""):
        raise ValueError(f"not a Spotify track id: {track_id!r}")
    url = f"https://open.spotify.com/track/{track_id}"
    assert TRACK_URL_RE.fullmatch(url)
    return url


def split_command(command: str | Sequence[str], key: str = "spotdl_command") -> list[str]:
    """A command from the config: a string split like a shell would, or a list."""
    if isinstance(command, str):
        try:
            parts = shlex.split(command)
        except ValueError as error:
            raise DownloaderError(f"spotifyextract.{key} cannot be parsed: {error}") from None
    else:
        parts = [str(part) for part in command]
    if not parts:
        raise DownloaderError(f"spotifyextract.{key} is empty; set it to e.g. `spotdl`")
    return parts


def find_executable(command: Sequence[str]) -> str | None:
    """The full path of the command's program, or None when it is not installed. A bare
    name is looked up on PATH, then beside this Python (a venv's bin/ that was not
    activated, as under cron)."""
    program = command[0]
    if os.sep in program:
        return program if os.access(program, os.X_OK) else None
    found = shutil.which(program)
    if found:
        return found
    beside = Path(sys.executable).with_name(program)
    return str(beside) if os.access(beside, os.X_OK) else None


def error_line(output: str, returncode: int | None, name: str = "spotDL") -> str:
    """The line of a downloader's output that says what went wrong, as one short line."""
    raw = [ANSI_RE.sub("", line).strip() for line in output.splitlines()]
    lines = [line for line in raw if line]
    chosen = ""
    for index in range(len(raw) - 1, -1, -1):
        if EXCEPTION_LINE.match(raw[index]):
            # A message wrapped at the terminal width continues on the next lines.
            parts = [raw[index]]
            for following in raw[index + 1 :]:
                if len(parts[-1]) < 60 or not following or following[0] in "│╭╰┃":
                    break
                if EXCEPTION_LINE.match(following):
                    break
                parts.append(following)
            chosen = " ".join(parts)
            break
    if not chosen:
        for line in reversed(lines):
            if ERROR_WORDS.search(line):
                chosen = line
                break
    if not chosen and lines:
        chosen = lines[-1]
    if not chosen:
        chosen = f"{name} exited with status {returncode} and wrote no audio file"
    return shorten(chosen)


def shorten(line: str) -> str:
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


class Downloader:
    """How one program downloads one track. Subclasses set `name` and `attempts`."""

    name = "downloader"
    install_hint = ""

    def __init__(self, command: Sequence[str]) -> None:
        self.command = list(command)
        if os.sep in self.command[0]:  # it runs in the track's folder: no relative paths
            self.command[0] = os.path.abspath(os.path.expanduser(self.command[0]))

    def check(self, env: Mapping[str, str] | None = None) -> None:
        """DownloaderError (one line) when the program cannot run; before any download."""
        found = find_executable(self.command)
        if found is None:
            raise DownloaderError(
                f"{self.name} not found: `{self.command[0]}` is not installed or not on PATH"
                + (f" ({self.install_hint})" if self.install_hint else "")
            )
        self.command[0] = found

    def attempts(self, job: DownloadJob, out_dir: Path) -> list[list[str]]:
        """Argument lists for this track, tried in turn until one leaves an audio file.
        ValueError when the track cannot be handed over (the job fails with it)."""
        raise NotImplementedError

    def finish(self, job: DownloadJob, audio: Path) -> None:
        """After the file was verified (tags it, for tools that do not)."""

    def error_line(self, output: str, returncode: int | None) -> str:
        return error_line(output, returncode, self.name)


# --------------------------------------------------------------------------------------
# spotDL


# spotDL's output template: the folder is ours, the file name is spotDL's choice.
SPOTDL_OUTPUT_TEMPLATE = "{artists} - {title}.{output-ext}"
SPOTDL_MAJORS = (4,)
_VERSION_RE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def spotdl_arguments(command: Sequence[str], track_id: str, out_dir: Path) -> list[str]:
    """spotDL 4's argument list for one track (`spotdl download URL --output TEMPLATE`).

    Spotify data reaches the command line only as a URL checked against a strict pattern,
    so nothing from the API or the wishlist can be read as an option."""
    return [
        *command,
        "download",
        track_url(track_id),
        "--output",
        str(out_dir.absolute() / SPOTDL_OUTPUT_TEMPLATE),
    ]


class SpotDL(Downloader):
    name = "spotDL"
    install_hint = (
        "pip install 'beets-spotify-extract[download]', or set spotifyextract.spotdl_command"
    )

    def __init__(self, command: str | Sequence[str] = "spotdl") -> None:
        super().__init__(split_command(command))
        self.version = ""

    def check(self, env: Mapping[str, str] | None = None) -> None:
        super().check()
        self.version = self.detect_version(env)
        major = int(_VERSION_RE.search(self.version).group(1))
        if major not in SPOTDL_MAJORS:
            known = ", ".join(f"{m}.x" for m in SPOTDL_MAJORS)
            raise DownloaderError(
                f"spotDL {self.version} is a version this plugin does not know how to call "
                f"(it knows {known}): install spotDL 4 (pip install 'spotdl>=4,<5') or set "
                "spotifyextract.downloader to yt-dlp or a command template"
            )

    def detect_version(self, env: Mapping[str, str] | None = None) -> str:
        """`spotdl --version`'s number; one line when it prints none."""
        try:
            done = subprocess.run(
                [*self.command, "--version"],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=120,
                check=False,
                stdin=subprocess.DEVNULL,
                env=None if env is None else dict(env),
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DownloaderError(f"cannot run `{self.command[0]} --version`: {error}") from None
        found = _VERSION_RE.search(done.stdout + "\n" + done.stderr)
        if found is None:
            said = error_line(done.stdout + "\n" + done.stderr, done.returncode, self.name)
            raise DownloaderError(
                f"`{self.command[0]} --version` printed no version number ({said}); "
                "is spotifyextract.spotdl_command spotDL?"
            )
        return found.group(0)

    def attempts(self, job: DownloadJob, out_dir: Path) -> list[list[str]]:
        return [spotdl_arguments(self.command, job.track_id, out_dir)]


# --------------------------------------------------------------------------------------
# yt-dlp


# Which of our metadata goes into which easy tag (mutagen's EasyID3/EasyMP4/Vorbis keys).
_TAGS = (("title", "title"), ("artist", "artist"), ("album", "album"), ("isrc", "isrc"))


class YtDlp(Downloader):
    """YouTube search by ISRC first, then by `artist - title`; audio only; the file is
    tagged with mutagen from the Spotify metadata after it passed verification."""

    name = "yt-dlp"
    install_hint = "pip install yt-dlp; it needs ffmpeg to extract the audio"

    def __init__(self, command: str | Sequence[str] = "yt-dlp") -> None:
        super().__init__(split_command(command, "downloader"))

    def attempts(self, job: DownloadJob, out_dir: Path) -> list[list[str]]:
        queries = []
        if job.isrc:
            queries.append(job.isrc)
        if job.artist or job.title:
            queries.append(f"{job.artist} - {job.title}".strip(" -"))
        if not queries:
            raise ValueError("nothing to search for: the entry has no ISRC, artist or title")
        return [self.arguments(query, out_dir) for query in queries]

    def arguments(self, query: str, out_dir: Path) -> list[str]:
        return [
            *self.command,
            "--ignore-config",  # the user's yt-dlp config could move or rename the file
            "--no-playlist",
            "--no-progress",
            "--format",
            "bestaudio/best",
            "--extract-audio",
            "--audio-format",
            "best",
            "--output",
            str(out_dir.absolute() / "%(title)s.%(ext)s"),
            # "ytsearch1:" makes the query a search, never an option or a URL.
            f"ytsearch1:{query}",
        ]

    def finish(self, job: DownloadJob, audio: Path) -> None:
        tag_file(audio, job)

    def error_line(self, output: str, returncode: int | None) -> str:
        errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
        if errors:
            return shorten(ANSI_RE.sub("", errors[-1]).strip())
        return super().error_line(output, returncode)


def tag_file(audio: Path, job: DownloadJob) -> None:
    """Title, artist, album and ISRC from Spotify into the file's own tags."""
    import mutagen

    try:
        file = mutagen.File(audio, easy=True)
    except Exception as error:
        raise ValueError(f"cannot tag {audio.name}: {error}") from None
    if file is None:
        raise ValueError(f"cannot tag {audio.name}: not audio mutagen knows")
    if file.tags is None:
        file.add_tags()
    for key, attribute in _TAGS:
        value = getattr(job, attribute)
        if not value:
            continue
        try:
            file[key] = value
        except (KeyError, ValueError):  # a format without that key (ISRC in MP4)
            continue
    file.save()


# --------------------------------------------------------------------------------------
# Command templates (any other tool; sldl)


def template_fields(template: Sequence[str]) -> set[str]:
    """The placeholders a template uses; ValueError naming an unknown one."""
    fields: set[str] = set()
    for part in template:
        for found in _BRACED.finditer(part):
            token = found.group(0)
            if token in ("{{", "}}"):
                continue
            field = found.group(1)
            if field not in PLACEHOLDERS:
                shown = token if field is None else "{" + field + "}"
                raise ValueError(
                    f"{shown} is not a placeholder; use "
                    + " ".join("{" + p + "}" for p in PLACEHOLDERS)
                    + " ({{ and }} for braces)"
                )
            fields.add(field)
    return fields


def check_template(template: Sequence[str]) -> None:
    fields = template_fields(template)
    if not fields & set(TRACK_PLACEHOLDERS):
        raise ValueError(
            "a command template needs at least one of "
            + " ".join("{" + p + "}" for p in TRACK_PLACEHOLDERS)
            + ", or every track downloads the same thing"
        )


def _fill(part: str, values: Mapping[str, str]) -> str:
    def replace(found: re.Match[str]) -> str:
        token = found.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[found.group(1)]

    return _BRACED.sub(replace, part)


class CommandTemplate(Downloader):
    """Any tool: each argument of the template with the track's values put in (one
    argument stays one argument, whatever the values hold; no shell)."""

    def __init__(self, template: Sequence[str], name: str = "") -> None:
        check_template(template)
        super().__init__(list(template))
        self.template = list(template)
        self.name = name or Path(self.command[0]).name

    def check(self, env: Mapping[str, str] | None = None) -> None:
        super().check(env)
        self.template[0] = self.command[0]

    def attempts(self, job: DownloadJob, out_dir: Path) -> list[list[str]]:
        fields = template_fields(self.template)
        values = {
            "artist": job.artist,
            "title": job.title,
            "album": job.album,
            "isrc": job.isrc,
            "url": job.url if "url" in fields else "",
            "dir": str(out_dir.absolute()),
        }
        arguments = [self.template[0]]
        for part in self.template[1:]:
            filled = _fill(part, values)
            if filled.startswith("-") and not part.startswith("-"):
                # A title like "-Nothing-" would be read as an option.
                raise ValueError(
                    f"the argument {part!r} becomes {filled!r}, which {self.name} would read "
                    "as an option; write it as --option={...} or after -- in the template"
                )
            arguments.append(filled)
        return [arguments]


def from_settings(downloader: Sequence[str], spotdl_command: Sequence[str]) -> Downloader:
    """The downloader the `downloader` key names (a word, or a command template)."""
    if len(downloader) == 1 and downloader[0] in NAMED:
        word = downloader[0]
        if word == "spotdl":
            return SpotDL(spotdl_command)
        if word == "yt-dlp":
            return YtDlp()
        return CommandTemplate(SLDL_PRESET, "sldl")
    return CommandTemplate(downloader)
