"""`beet spotify-extract --report`: what the playlists hold, as tables and pictures.

From the state database (no request to Spotify): overlap between playlists (shared
tracks, Jaccard), duplicates inside a playlist, weights (in how many sources a track is),
coverage per playlist (matched in beets / missing) and how tracks matched. The pictures
(an overlap heatmap, a coverage bar chart, the weight distribution) are PNG files drawn
with matplotlib's Agg backend; everything is gathered in one self-contained HTML file
(the pictures embedded) in state_dir/reports/.
"""

from __future__ import annotations

import base64
import html
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beets import ui

from spotify_extract.display import printable
from spotify_extract.master import LIKED, _entries, _kind

MAX_HEATMAP = 25  # playlists in the heatmap (the largest); a bigger one is unreadable
LABEL_CHARS = 32


@dataclass
class SourceData:
    key: str
    name: str
    entries: int = 0  # playable track entries
    ids: set[str] = field(default_factory=set)
    matched: int = 0  # unique tracks matched in beets
    review: int = 0

    @property
    def duplicates(self) -> int:
        return self.entries - len(self.ids)

    @property
    def missing(self) -> int:
        return len(self.ids) - self.matched - self.review


@dataclass
class ReportData:
    sources: list[SourceData]
    weights: Counter[str]  # track id -> in how many sources
    methods: Counter[str]  # matched tracks by method
    jaccard: list[list[float]]
    shared: list[list[int]]


def collect(store: Any) -> ReportData:
    playlists = [p for p in store.list_playlists() if not p.removed and p.entry_count > 0]
    keys = [(p.id, p.name) for p in playlists]
    if store.liked_count() > 0:
        keys.append((LIKED, "Liked Songs"))
    matches = store.all_matches()
    sources = []
    weights: Counter[str] = Counter()
    for key, name in keys:
        s = SourceData(key, name)
        for entry in _entries(store, key):
            if _kind(entry) != "track":
                continue
            s.entries += 1
            s.ids.add(entry.track.id)
        for track_id in s.ids:
            weights[track_id] += 1
            record = matches.get(track_id)
            if record is not None and record.item_id and record.status in ("matched", ""):
                s.matched += 1
            elif record is not None and record.status == "review":
                s.review += 1
        sources.append(s)
    methods: Counter[str] = Counter()
    for track_id in weights:
        record = matches.get(track_id)
        if record is not None and record.item_id and record.status in ("matched", ""):
            methods[record.method] += 1
        else:
            methods["missing" if record is None or record.status != "review" else "review"] += 1
    n = len(sources)
    jaccard = [[0.0] * n for _ in range(n)]
    shared = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            a, b = sources[i].ids, sources[j].ids
            common = len(a & b)
            union = len(a | b)
            shared[i][j] = shared[j][i] = common
            jaccard[i][j] = jaccard[j][i] = common / union if union else 0.0
    return ReportData(sources, weights, methods, jaccard, shared)


# ------------------------------------------------------------------------------ pictures
def _label(name: str) -> str:
    return printable(name, LABEL_CHARS)


def _no_math(texts: Any) -> None:
    # A playlist name is anyone's text: "$x$" must stay text, not become mathtext.
    for text in texts:
        text.set_parse_math(False)


def draw(data: ReportData, directory: Path, stamp: str) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pictures: dict[str, Path] = {}
    warnings.filterwarnings("ignore", message="Glyph .* missing from")
    largest = sorted(range(len(data.sources)), key=lambda i: -len(data.sources[i].ids))
    chosen = sorted(largest[:MAX_HEATMAP])
    if len(chosen) >= 2:
        labels = [_label(data.sources[i].name) for i in chosen]
        matrix = [[data.jaccard[i][j] for j in chosen] for i in chosen]
        size = 2.5 + 0.42 * len(chosen)
        fig, ax = plt.subplots(figsize=(size + 1.8, size))
        image = ax.imshow(matrix, cmap="viridis", vmin=0, vmax=1)
        ax.set_xticks(range(len(chosen)), labels=labels, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(chosen)), labels=labels, fontsize=8)
        _no_math(ax.get_xticklabels() + ax.get_yticklabels())
        if len(chosen) <= 12:
            for r in range(len(chosen)):
                for c in range(len(chosen)):
                    value = matrix[r][c]
                    ax.text(
                        c,
                        r,
                        f"{value:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if value < 0.6 else "black",
                    )
        fig.colorbar(image, ax=ax, label="Jaccard (shared / all distinct tracks)")
        ax.set_title("Overlap between playlists")
        fig.tight_layout()
        pictures["overlap"] = directory / f"report-{stamp}-overlap.png"
        fig.savefig(pictures["overlap"], dpi=110)
        plt.close(fig)

    if data.sources:
        order = sorted(data.sources, key=lambda s: (len(s.ids), s.name))
        names = [_label(s.name) for s in order]
        height = 1.5 + 0.32 * len(order)
        fig, ax = plt.subplots(figsize=(9, height))
        matched = [s.matched for s in order]
        review = [s.review for s in order]
        missing = [s.missing for s in order]
        ax.barh(names, matched, color="#2e8b57", label="in beets")
        ax.barh(names, review, left=matched, color="#e0b000", label="to review")
        ax.barh(
            names,
            missing,
            left=[m + r for m, r in zip(matched, review, strict=True)],
            color="#c0392b",
            label="missing",
        )
        _no_math(ax.get_yticklabels())
        for y, s in enumerate(order):
            share = 100.0 * s.matched / len(s.ids) if s.ids else 0.0
            ax.text(len(s.ids), y, f" {share:.0f}%", va="center", fontsize=8)
        ax.set_xlabel("distinct tracks")
        ax.set_title("Coverage per playlist")
        ax.legend(loc="lower right", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.margins(x=0.08)
        fig.tight_layout()
        pictures["coverage"] = directory / f"report-{stamp}-coverage.png"
        fig.savefig(pictures["coverage"], dpi=110)
        plt.close(fig)

    if data.weights:
        counts = Counter(data.weights.values())
        xs = sorted(counts)
        fig, ax = plt.subplots(figsize=(7, 3.6))
        ax.bar([str(x) for x in xs], [counts[x] for x in xs], color="#34699a")
        ax.set_yscale("log")
        ax.set_xlabel("in how many playlists (weight)")
        ax.set_ylabel("tracks (log scale)")
        ax.set_title("Weights")
        fig.tight_layout()
        pictures["weights"] = directory / f"report-{stamp}-weights.png"
        fig.savefig(pictures["weights"], dpi=110)
        plt.close(fig)
    return pictures


# ---------------------------------------------------------------------------------- HTML
def _table(head: list[str], rows: list[list[Any]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _img(path: Path | None, alt: str) -> str:
    if path is None:
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></p>'


def render_html(data: ReportData, pictures: dict[str, Path], generated: str) -> str:
    s = data.sources
    pairs = []
    for i in range(len(s)):
        for j in range(i + 1, len(s)):
            if data.shared[i][j]:
                pairs.append((data.shared[i][j], data.jaccard[i][j], s[i].name, s[j].name))
    pairs.sort(key=lambda p: (-p[0], p[2], p[3]))
    weights = list(data.weights.values())
    heavy = sum(1 for w in weights if w > 1)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<title>beets-spotify-extract report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:.25em .6em;text-align:left}td:nth-child(n+2){text-align:right}"
        "img{max-width:100%}</style></head><body>",
        "<h1>Your Spotify playlists and beets</h1>",
        f"<p>Generated {html.escape(generated)} from the state database.</p>",
        "<h2>Coverage per playlist</h2>",
        _img(pictures.get("coverage"), "coverage per playlist"),
        _table(
            [
                "playlist",
                "entries",
                "distinct",
                "duplicates",
                "in beets",
                "to review",
                "missing",
                "coverage",
            ],
            [
                [
                    x.name,
                    x.entries,
                    len(x.ids),
                    x.duplicates,
                    x.matched,
                    x.review,
                    x.missing,
                    f"{100.0 * x.matched / len(x.ids):.1f}%" if x.ids else "-",
                ]
                for x in sorted(s, key=lambda x: -len(x.ids))
            ],
        ),
        "<h2>Overlap between playlists</h2>",
        _img(pictures.get("overlap"), "overlap heatmap"),
        _table(
            ["playlist", "playlist", "shared tracks", "Jaccard"],
            [[a, b, n, f"{j:.3f}"] for n, j, a, b in pairs[:50]],
        ),
        "<h2>Weights</h2>",
        f"<p>{len(weights):,} distinct tracks; highest weight {max(weights, default=0)}; "
        f"{heavy:,} in more than one playlist.</p>",
        _img(pictures.get("weights"), "weight distribution"),
        "<h2>How tracks matched</h2>",
        _table(["method", "tracks"], [[k, v] for k, v in data.methods.most_common()]),
        "</body></html>",
    ]
    return "\n".join(parts)


def run_report(settings: Any) -> Path:
    from spotify_extract.extract import open_store, take_run_lock

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ui.UserError(
            "--report draws with matplotlib: pip install 'beets-spotify-extract[report]'"
        ) from None
    store = open_store(settings)
    if store.last_snapshot("complete") is None:
        raise ui.UserError("nothing fetched yet: run `beet spotify-extract` first")
    directory = settings.state_dir / "reports"
    with take_run_lock(store, "beet spotify-extract --report"):
        data = collect(store)
        directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        pictures = draw(data, directory, stamp)
        page = directory / f"report-{stamp}.html"
        generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        page.write_text(render_html(data, pictures, generated), encoding="utf-8")
    ui.print_(f"Report: {page}")
    for path in pictures.values():
        ui.print_(f"  picture: {path}")
    return page
