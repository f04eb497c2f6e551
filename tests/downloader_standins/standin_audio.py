"""What the downloader stand-ins share: the track table they serve and real audio files.

SPOTDL_STANDIN_TRACKS names a JSON file {"<track id>": {"title", "artist", "album",
"isrc", "seconds", "mode", "found_title"}}; `found_title` is the title the stand-in's
"search result" carries (a live take, a karaoke cover) when it is not the wanted one.
Each invocation's argv goes to SPOTDL_STANDIN_LOG as a JSON line.
"""

import json
import os
import subprocess
import sys


def log_argv() -> None:
    if os.environ.get("SPOTDL_STANDIN_LOG"):
        with open(os.environ["SPOTDL_STANDIN_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(sys.argv) + "\n")


def tracks() -> dict:
    if not os.environ.get("SPOTDL_STANDIN_TRACKS"):
        return {}
    with open(os.environ["SPOTDL_STANDIN_TRACKS"], encoding="utf-8") as file:
        return json.load(file)


def find(query: str) -> tuple[str, dict] | None:
    """The track a search finds: by ISRC, by "artist - title", or by "artist=..,title=..".
    Matching ignores case, as a search engine would."""
    wanted = query.strip().lower()
    for track_id, meta in tracks().items():
        keys = {
            (meta.get("isrc") or "").lower(),
            f"{meta.get('artist', '')} - {meta.get('title', '')}".lower(),
        }
        if wanted in keys - {""}:
            return track_id, meta
    return None


def write_audio(path: str, meta: dict, tags: bool) -> None:
    """A real MP3 (a sine by ffmpeg) of meta["seconds"] (default 1); tagged with the found
    title, artist, album and ISRC when `tags`."""
    from mutagen.easyid3 import EasyID3

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    seconds = str(meta.get("seconds", 1))
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={meta.get('frequency', 440)}:duration={seconds}",
            "-ac",
            "1",
            "-ar",
            "22050",
            "-codec:a",
            "libmp3lame",
            "-q:a",
            "9",
            path,
        ],
        check=True,
    )
    if not tags:
        return
    easy = EasyID3()
    easy["title"] = found_title(meta)
    for key in ("artist", "album", "isrc"):
        if meta.get(key):
            easy[key] = meta[key]
    easy.save(path)


def found_title(meta: dict) -> str:
    return meta.get("found_title") or meta.get("title") or "untitled"


def safe(name: str) -> str:
    return "".join("_" if c in "/\\\0" else c for c in name).strip() or "_"
