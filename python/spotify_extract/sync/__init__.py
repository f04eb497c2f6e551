"""`beet spotify-sync`: the whole cycle in one command, for cron and systemd timers:
extract, download what is missing, import, refresh the players (see cycle.py); and
`--print-schedule`, the timer and cron line that run it (schedule.py)."""

from spotify_extract.sync.command import sync_command

__all__ = ["sync_command"]
