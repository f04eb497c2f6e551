"""How fast the Spotify emulator serves the benchmark library (not the engine's speed).

Fetches every readable page of the 18,000-entry library (extended mode, so every
playlist is readable) with N keep-alive client threads against an emulator adding 100 ms
latency per request and no rate limit, and reports wall time, requests per second and
the most requests the emulator had in flight. Run from the repository root:

    .venv/bin/python benchmarks/emulator_throughput.py [--threads 8] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.emulator import Emulator, Library


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--latency-ms", type=float, default=100.0)
    ap.add_argument("--gzip", action="store_true")
    args = ap.parse_args()
    lib = Library.generate(seed=1)
    emu = Emulator(lib, mode="extended", rate_limit=None, latency_ms=args.latency_ms).start()
    token = emu.issue_token()["access_token"]
    paths = [f"/v1/me/playlists?limit=50&offset={o}" for o in range(0, len(lib.playlists), 50)]
    for p in lib.playlists:
        paths += [
            f"/v1/playlists/{p.id}/items?limit=50&offset={o}" for o in range(0, len(p.entries), 50)
        ]
    paths += [f"/v1/me/tracks?limit=50&offset={o}" for o in range(0, len(lib.liked), 50)]
    paths += [f"/v1/me/albums?limit=50&offset={o}" for o in range(0, len(lib.saved_albums), 50)]
    work: queue.Queue[str] = queue.Queue()
    for p in paths:
        work.put(p)
    entries = 0
    lock = threading.Lock()
    netloc = urlsplit(emu.base_url).netloc
    headers = {"Authorization": f"Bearer {token}"}
    if args.gzip:
        headers["Accept-Encoding"] = "gzip"

    def worker() -> None:
        nonlocal entries
        conn = http.client.HTTPConnection(netloc, timeout=30)
        while True:
            try:
                path = work.get_nowait()
            except queue.Empty:
                break
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200, (resp.status, body[:200])
            if not args.gzip:
                n = len(json.loads(body)["items"])
                with lock:
                    entries += n
        conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    c = emu.counters()
    ideal = len(paths) * args.latency_ms / 1000 / args.threads
    emu.stop()
    print(
        f"{len(paths)} requests, {entries} items, {args.threads} threads, "
        f"{args.latency_ms:.0f} ms latency, gzip={args.gzip}: {wall:.2f} s wall, "
        f"{len(paths) / wall:.1f} req/s, ideal {ideal:.2f} s, "
        f"max in flight {c['max_inflight']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
