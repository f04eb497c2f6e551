"""beets' real importer on downloaded files: nothing vanishes silently."""

from __future__ import annotations

import shutil
from pathlib import Path

from beets.library import Item
from fixtures_wishlist import BeetsEnv, Standin
from spotify_extract.download_runner import DownloadRunner
from spotify_extract.downloaders import DownloadJob, SpotDL
from spotify_extract.importer import ImportOptions, ImportRequest, import_downloads

A = "4uLU6hMCjMI75M1A2tKUQC"
B = "7ouMYWpwJ422jRcDASZB7P"
C = "0VjIjW4GlUZAMYd2vXMi3b"


def download(standin: Standin, env: BeetsEnv, *ids: str) -> list[ImportRequest]:
    results = DownloadRunner(SpotDL(standin.command), env.download_dir, env=standin.env()).run(
        [DownloadJob(i, i) for i in ids]
    )
    assert all(result.ok for result in results), results
    order = {track_id: n for n, track_id in enumerate(ids)}
    results.sort(key=lambda result: order[result.job.track_id])
    return [ImportRequest(r.file, r.job.track_id) for r in results if r.file]


def test_quiet_singleton_import_tags_items_with_their_track_id(
    standin: Standin, beets_env: BeetsEnv
) -> None:
    standin.add(A, "Dancing Queen", "ABBA", "Arrival", isrc="SEAYD7601020")
    standin.add(B, "Song 2", "Blur", "Blur")
    requests = download(standin, beets_env, A, B)
    report = import_downloads(beets_env.lib, requests, ImportOptions(singletons=True))
    assert report.not_imported == []
    assert set(report.imported) == {A, B}
    item = beets_env.lib.get_item(report.imported[A].id)
    assert item["spotify_track_id"] == A
    assert item.title == "Dancing Queen" and item.isrc == "SEAYD7601020"
    # Copied into the library (beets' default), the download is still there for cleanup.
    assert Path(item.path.decode()).is_relative_to(beets_env.music)
    assert Path(item.path.decode()).is_file()
    assert len(list(beets_env.lib.items())) == 2


def test_a_duplicate_is_kept_not_dropped(standin: Standin, beets_env: BeetsEnv) -> None:
    standin.add(A, "Dancing Queen", "ABBA", "Arrival")
    [first] = download(standin, beets_env, A)
    # The library already holds a "Dancing Queen" by ABBA (another album): in quiet mode
    # beets would skip the download as a duplicate.
    existing = beets_env.root / "existing.mp3"
    shutil.copy(first.path, existing)
    old = Item.from_path(str(existing))
    old.album = "Gold"
    beets_env.lib.add(old)
    report = import_downloads(beets_env.lib, [first], ImportOptions(singletons=True))
    assert report.not_imported == []
    assert A in report.imported
    assert len(list(beets_env.lib.items("title:Dancing"))) == 2


def test_what_beets_skips_is_reported_with_the_reason(
    standin: Standin, beets_env: BeetsEnv
) -> None:
    standin.add(A, "Dancing Queen", "ABBA", "Arrival")
    [first] = download(standin, beets_env, A)
    existing = beets_env.root / "existing.mp3"
    shutil.copy(first.path, existing)
    beets_env.lib.add(Item.from_path(str(existing)))
    # beets' own quiet defaults: the duplicate is skipped, and we say so.
    report = import_downloads(
        beets_env.lib,
        [first],
        ImportOptions(singletons=True, duplicate_action="skip"),
    )
    assert report.imported == {}
    [(request, reason)] = report.not_imported
    assert request.track_id == A
    assert reason == "skipped as a duplicate of an item already in the library"


def test_unreadable_and_missing_files_are_reported(standin: Standin, beets_env: BeetsEnv) -> None:
    standin.add(A, "Fine", "Artist")
    [good] = download(standin, beets_env, A)
    junk = beets_env.download_dir / "spotify-extract" / B / "Junk - Junk.mp3"
    junk.parent.mkdir(parents=True)
    junk.write_bytes(b"<html>not audio</html>" * 50)
    gone = beets_env.download_dir / "spotify-extract" / C / "Gone.mp3"
    report = import_downloads(
        beets_env.lib,
        [good, ImportRequest(junk, B), ImportRequest(gone, C)],
        ImportOptions(singletons=True),
    )
    assert set(report.imported) == {A}
    reasons = {request.track_id: reason for request, reason in report.not_imported}
    assert reasons[B].startswith("beets cannot read it as audio")
    assert reasons[C] == "the downloaded file is gone"


def test_album_mode_groups_tracks_of_one_album(standin: Standin, beets_env: BeetsEnv) -> None:
    standin.add(A, "Girls & Boys", "Blur", "Parklife")
    standin.add(B, "Parklife", "Blur", "Parklife")
    standin.add(C, "Wonderwall", "Oasis", "Morning Glory")
    requests = download(standin, beets_env, A, B, C)
    report = import_downloads(beets_env.lib, requests, ImportOptions(singletons=False))
    assert report.not_imported == []
    assert set(report.imported) == {A, B, C}
    albums = {album.album: len(list(album.items())) for album in beets_env.lib.albums()}
    assert albums == {"Parklife": 2, "Morning Glory": 1}
    # The temporary grouping folders are gone; the downloads themselves stay for cleanup.
    leftovers = [p.name for p in (beets_env.download_dir / "spotify-extract").iterdir()]
    assert sorted(leftovers) == sorted([A, B, C])


def test_autotag_without_a_strong_match_imports_as_is(
    standin: Standin, beets_env: BeetsEnv
) -> None:
    standin.add(A, "Obscure", "Nobody", "Nowhere")
    requests = download(standin, beets_env, A)
    report = import_downloads(beets_env.lib, requests, ImportOptions(singletons=True, autotag=True))
    assert set(report.imported) == {A}
    # beets' own default (skip) would have lost it; the report says so.
    requests2 = download(standin, beets_env, A)
    for item in beets_env.lib.items():
        item.remove(delete=True)
    report2 = import_downloads(
        beets_env.lib,
        requests2,
        ImportOptions(singletons=True, autotag=True, quiet_fallback="skip"),
    )
    assert report2.imported == {}
    assert report2.reason(A) == "skipped: no strong autotag match and the import fell back to skip"
