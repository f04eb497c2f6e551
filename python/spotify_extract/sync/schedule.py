"""`beet spotify-sync --print-schedule [--every 6h]`: a systemd user service + timer pair
and the equivalent cron line, with the absolute paths of this beet and its config, so
that a run from cron's or systemd's empty environment finds the same library."""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from beets import ui

UNIT = "beets-spotify-sync"
_EVERY = re.compile(r"^\s*(\d+)\s*(m|min|h|d)\s*$")


def parse_every(text: str) -> int:
    """Minutes from "30m", "6h", "1d"; cron must be able to repeat it evenly."""
    match = _EVERY.match(text or "")
    if not match:
        raise ui.UserError(f"--every: {text!r} is not a duration like 30m, 6h or 1d")
    count, unit = int(match.group(1)), match.group(2)
    minutes = count * {"m": 1, "min": 1, "h": 60, "d": 1440}[unit]
    if minutes <= 0:
        raise ui.UserError("--every: must be more than 0")
    if not (
        (minutes < 60 and 60 % minutes == 0)
        or (minutes % 60 == 0 and minutes <= 1440 and 1440 % minutes == 0)
    ):
        raise ui.UserError(
            f"--every {text}: cron cannot repeat that evenly; use minutes dividing an hour "
            "(5m, 15m, 30m) or hours dividing a day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 1d)"
        )
    return minutes


def cron_fields(minutes: int) -> str:
    if minutes < 60:
        return f"*/{minutes} * * * *"
    hours = minutes // 60
    if hours == 24:
        return "17 3 * * *"
    return f"17 */{hours} * * *" if hours > 1 else "17 * * * *"


def beet_command() -> list[str]:
    """This beet, absolute: the script that runs, or the interpreter with -m beets."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "beet":
        return [os.path.abspath(script)]
    return [os.path.abspath(sys.executable), "-m", "beets"]


def config_arguments() -> tuple[str, list[str]]:
    """BEETSDIR (the folder of config.yaml, which empty environments would not find when
    it is set by the environment) and `-c FILE` for a config given on the command line."""
    import beets

    directory = os.path.abspath(beets.config.config_dir())
    user_config = os.path.abspath(beets.config.user_config_path())
    extra: list[str] = []
    for source in beets.config.sources:
        filename = getattr(source, "filename", None)
        if not filename or getattr(source, "default", False):
            continue
        path = os.path.abspath(filename)
        if path != user_config and path not in extra:
            extra.append(path)
    arguments: list[str] = []
    for path in extra:
        arguments += ["-c", path]
    return directory, arguments


def _systemd_quote(word: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./:=+-]+", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def schedule_text(minutes: int, sync_arguments: Sequence[str]) -> str:
    """The service, the timer and the cron line, ready to paste."""
    beetsdir, config_args = config_arguments()
    command = [*beet_command(), *config_args, "spotify-sync", *sync_arguments]
    every = f"{minutes // 60}h" if minutes >= 60 else f"{minutes}min"
    exec_start = " ".join(_systemd_quote(word) for word in command)
    cron_command = f"BEETSDIR={shlex.quote(beetsdir)} " + shlex.join(command)
    return f"""\
# ~/.config/systemd/user/{UNIT}.service
[Unit]
Description=beets-spotify-extract: sync Spotify, download, import, refresh players

[Service]
Type=oneshot
Environment={_systemd_quote("BEETSDIR=" + beetsdir)}
ExecStart={exec_start}

# ~/.config/systemd/user/{UNIT}.timer
[Unit]
Description=Run {UNIT} every {every}

[Timer]
OnBootSec=10min
OnUnitActiveSec={every}
RandomizedDelaySec=5min

[Install]
WantedBy=timers.target

# Then: systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer
# (and `loginctl enable-linger $USER` to run while you are logged out).

# Or the cron line (crontab -e):
{cron_fields(minutes)} {cron_command}
"""
