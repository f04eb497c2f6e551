"""``python -m tests.emulator``: run the emulator standalone (for the demo and benchmarks).

The first line on stdout is the base URL, followed by the CA file in TLS mode; the second
line is a JSON object with api_url, auth_url, ca_file, client_id, mode, and (with
--print-token) an access and refresh token.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from .data import Library
from .server import MODES, Emulator


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tests.emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = a free port (default)")
    ap.add_argument("--mode", choices=MODES, default="development")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--playlists", type=int, default=60)
    ap.add_argument("--entries", type=int, default=18000, help="playlist entries in all")
    ap.add_argument("--liked", type=int, default=5000)
    ap.add_argument("--albums", type=int, default=250, help="saved albums")
    ap.add_argument("--artists", type=int, default=120, help="followed artists")
    ap.add_argument("--data", help="load the library from this JSON file instead")
    ap.add_argument(
        "--beets-items",
        help="build the library from a beets sample library (samplelib's output directory, "
        "its items.jsonl, or a JSON list of items): its tracks plus missing ones",
    )
    ap.add_argument(
        "--missing",
        type=float,
        default=0.3,
        help="with --beets-items: the share of Spotify tracks not in beets",
    )
    ap.add_argument(
        "--hostile",
        action="store_true",
        help="add an owned playlist of hostile items (nulls, wrong types, huge strings)",
    )
    ap.add_argument("--save-data", help="write the library as JSON here and go on")
    ap.add_argument("--tls", action="store_true", help="HTTPS with a fresh test CA")
    ap.add_argument("--tls-dir", help="where to write ca.pem/server.pem (default: a tmp dir)")
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument(
        "--rate-limit", type=int, default=180, help="requests per window (0 = unlimited)"
    )
    ap.add_argument("--rate-window", type=float, default=30.0, help="seconds")
    ap.add_argument("--quota", type=int, default=None, help="requests before 429 QUOTA_EXCEEDED")
    ap.add_argument("--token-ttl", type=int, default=3600, help="access token lifetime, s")
    ap.add_argument("--client-id", default="emulator-client-id")
    ap.add_argument("--client-secret", default="emulator-client-secret")
    ap.add_argument(
        "--redirect-uri",
        action="append",
        help="registered redirect URI (repeatable; default: loopback, any port)",
    )
    ap.add_argument(
        "--no-legacy-track",
        action="store_true",
        help="send playlist entries under `item` only, not `track`",
    )
    ap.add_argument(
        "--print-token",
        action="store_true",
        help="issue a token with every scope and put it in the JSON line",
    )
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)

    shape = {
        "seed": args.seed,
        "playlists": args.playlists,
        "entries": args.entries,
        "liked": args.liked,
        "albums": args.albums,
        "artists": args.artists,
    }
    if args.data:
        library = Library.load(args.data)
    elif args.beets_items:
        library = Library.from_items(
            Library.read_items(args.beets_items), missing=args.missing, **shape
        )
    else:
        library = Library.generate(**shape)
    if args.hostile:
        library.add_hostile_playlist()
    if args.save_data:
        library.save(args.save_data)
    emu = Emulator(
        library,
        mode=args.mode,
        host=args.host,
        port=args.port,
        tls=args.tls,
        tls_dir=args.tls_dir,
        latency_ms=args.latency_ms,
        rate_limit=args.rate_limit or None,
        rate_window=args.rate_window,
        quota=args.quota,
        access_token_ttl=args.token_ttl,
        client_id=args.client_id,
        client_secret=args.client_secret or None,
        redirect_uris=args.redirect_uri,
        legacy_track_field=not args.no_legacy_track,
        seed=args.seed,
        quiet=not args.verbose,
    ).start()
    info = emu.info()
    info["summary"] = library.summary()
    if args.print_token:
        info["token"] = emu.issue_token()
    first = emu.base_url + (f" {emu.ca_file}" if emu.ca_file else "")
    sys.stdout.write(first + "\n" + json.dumps(info, ensure_ascii=False) + "\n")
    sys.stdout.flush()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
