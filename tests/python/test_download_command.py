"""`beet wishlist download` / `import` with the stand-in spotDL and real beets."""

from __future__ import annotations

import os
from pathlib import Path

import beets
import pytest
from beets import ui
from beets.library import Item
from fixtures_wishlist import BeetsEnv, Standin, open_state_store, seed_wishlist
from spotify_extract import download_runner
from test_wishlist_commands import PLAYLISTS, A, B, C, wishlist


@pytest.fixture
def setup(beets_env: BeetsEnv, standin: Standin, monkeypatch: pytest.MonkeyPatch):
    seed_wishlist(beets_env, PLAYLISTS)
    for playlist in PLAYLISTS.values():
        for track in playlist:
            standin.add(
                track["id"],
                track["title"],
                track["artist"],
                track["album"],
                isrc=track.get("isrc", ""),
            )
    standin.install_env(monkeypatch)
    beets.config["spotifyextract"]["spotdl_command"] = standin.command
    return beets_env, standin


def test_download_then_import_closes_the_entries(setup, capsys) -> None:
    env, standin = setup
    out = wishlist(env, capsys, "download")
    assert "3 downloaded, 0 failed" in out
    assert "3 imported, 0 not imported" in out
    store = open_state_store(env)
    for track_id in (A, B, C):
        entry = store.get_wishlist_entry(track_id)
        assert entry.status == "imported", entry
        item = env.lib.get_item(entry.item_id)
        assert item["spotify_track_id"] == track_id
        assert Path(os.fsdecode(item.path)).is_relative_to(env.music)
        match = store.get_match(track_id)
        assert match.item_id == item.id and match.method == "spotify_id"
    # The downloads were copied into the library, so their folders are gone.
    assert list((env.download_dir / "spotify-extract").iterdir()) == []
    assert len(standin.invocations()) == 3


def test_failures_keep_the_error_and_count_retries(setup, capsys, monkeypatch) -> None:
    env, standin = setup
    standin.tracks[B]["mode"] = "fail"
    standin.tracks[C]["mode"] = "garbage"
    standin.save()
    out = wishlist(env, capsys, "download", "--no-import")
    assert "1 downloaded, 2 failed" in out
    store = open_state_store(env)
    assert store.get_wishlist_entry(A).status == "downloaded"
    failed = store.get_wishlist_entry(B)
    assert failed.status == "failed" and failed.retries == 1
    assert failed.error.startswith("AudioProviderError: YT-DLP download error")
    assert "not readable audio" in store.get_wishlist_entry(C).error
    # A second run does not touch failed entries; retry puts them back.
    wishlist(env, capsys, "download", "--no-import")
    assert store.get_wishlist_entry(B).retries == 1
    wishlist(env, capsys, "retry")
    standin.tracks[B]["mode"] = "ok"
    standin.save()
    wishlist(env, capsys, "download", "--no-import", "--limit", "1", "song")
    assert store.get_wishlist_entry(B).status == "downloaded"
    assert store.get_wishlist_entry(C).status == "pending"
    # Import what was downloaded.
    out = wishlist(env, capsys, "import")
    assert "2 imported, 0 not imported" in out
    assert {i["spotify_track_id"] for i in env.lib.items()} == {A, B}


def test_an_interrupted_run_puts_downloading_back_to_pending(setup, capsys) -> None:
    env, _ = setup
    store = open_state_store(env)
    store.set_wishlist_status(A, "downloading")
    out = wishlist(env, capsys, "download", "--no-import", "--playlist", "Chill")
    assert out.startswith("1 downloads interrupted last time are pending again")
    assert store.get_wishlist_entry(A).status == "pending"
    assert store.get_wishlist_entry(B).status == "downloaded"
    assert store.get_wishlist_entry(C).status == "downloaded"


def test_rate_cap_across_runs(setup, capsys) -> None:
    env, standin = setup
    beets.config["spotifyextract"]["downloads_per_hour"] = 2
    out = wishlist(env, capsys, "download", "--no-import")
    assert "2 downloaded, 0 failed" in out and "rate cap of 2 downloads per hour" in out
    out = wishlist(env, capsys, "download", "--no-import")
    assert "rate cap" in out
    assert len(standin.invocations()) == 2


def test_a_file_that_is_not_imported_is_named_with_its_reason(setup, capsys) -> None:
    env, _ = setup
    wishlist(env, capsys, "download", "--no-import", "--playlist", "Party")
    store = open_state_store(env)
    # The file of A disappears before the import; B's is replaced by junk.
    download_runner.remove_download(
        download_runner.downloaded_file(env.download_dir, A), env.download_dir
    )
    junk = download_runner.downloaded_file(env.download_dir, B)
    junk.write_bytes(b"junk" * 100)
    with pytest.raises(ui.UserError, match="2 downloaded files were not imported"):
        wishlist(env, capsys, "import")
    out = capsys.readouterr().out
    assert "not imported: Blur - Song 2.mp3: beets cannot read it as audio" in out
    assert store.get_wishlist_entry(A).error == "import: the downloaded file is gone"
    assert store.get_wishlist_entry(B).status == "failed"
    assert list(env.lib.items()) == []


def test_any_import_closes_matching_entries(setup, capsys) -> None:
    """The person imports Song 2 bought elsewhere (matched by ISRC): the entry closes."""
    env, standin = setup
    bought = env.root / "bought"
    from spotify_extract.download_runner import DownloadRunner
    from spotify_extract.downloaders import DownloadJob, SpotDL

    [result] = DownloadRunner(SpotDL(standin.command), bought).run([DownloadJob(1, B)])
    from mediafile import MediaFile

    media = MediaFile(str(result.file))
    media.title = "Song 2 (2012 Remaster)"
    media.save()
    from beets import plugins

    plugin = next(p for p in plugins.find_plugins() if p.name == "spotifyextract")
    env.lib.add(Item.from_path(str(result.file)))
    item = next(iter(env.lib.items()))
    plugins.send("item_imported", lib=env.lib, item=item)
    plugin.import_listener.flush()
    store = open_state_store(env)
    entry = store.get_wishlist_entry(B)
    assert entry.status == "imported" and entry.item_id == item.id
    assert store.get_match(B).method == "isrc"
    assert store.get_wishlist_entry(A).status == "pending"


def test_the_engines_matcher_closes_fuzzy_matches(setup, capsys) -> None:
    """No id, no ISRC, a remaster tag in the title: only the matcher can tell."""
    from spotify_extract import _native

    if not hasattr(_native, "Matcher"):
        pytest.skip("this build has no matcher")
    env, standin = setup
    from beets import plugins
    from mediafile import MediaFile
    from spotify_extract.download_runner import DownloadRunner
    from spotify_extract.downloaders import DownloadJob, SpotDL

    [result] = DownloadRunner(SpotDL(standin.command), env.root / "bought").run([DownloadJob(1, C)])
    media = MediaFile(str(result.file))
    media.title = "Teardrop - 2019 Remaster"
    media.artist = "Massive Attack feat. Elizabeth Fraser"
    media.save()
    item = Item.from_path(str(result.file))
    env.lib.add(item)
    plugin = next(p for p in plugins.find_plugins() if p.name == "spotifyextract")
    plugins.send("item_imported", lib=env.lib, item=item)
    plugin.import_listener.flush()
    store = open_state_store(env)
    assert store.get_wishlist_entry(C).status == "imported"
    assert store.get_match(C).method in ("exact", "fuzzy")


def test_imports_fill_the_mirrored_playlists(setup, capsys, tmp_path) -> None:
    """extract (seeded) -> mirror -> download -> import -> the m3u lists the new files."""
    env, _ = setup
    playlists = tmp_path / "playlists"
    beets.config["spotifyextract"]["playlist_dir"] = str(playlists)
    beets.config["spotifyextract"]["target"] = "absolute"
    from spotify_extract.extract import rerender

    store = open_state_store(env)
    first = rerender(beets.config["spotifyextract"], env.lib, store)
    assert first.written == 0  # nothing matched yet: no playlist has a playable entry
    out = wishlist(env, capsys, "download", "--playlist", "Party")
    assert "2 imported, 0 not imported" in out
    party = (playlists / "Party (Spotify).m3u").read_text(encoding="utf-8")
    chill = (playlists / "Chill (Spotify).m3u").read_text(encoding="utf-8")
    item_a = env.lib.get_item(store.get_wishlist_entry(A).item_id)
    item_b = env.lib.get_item(store.get_wishlist_entry(B).item_id)
    assert os.fsdecode(item_a.path) in party and os.fsdecode(item_b.path) in party
    assert party.index(os.fsdecode(item_a.path)) < party.index(os.fsdecode(item_b.path))
    assert os.fsdecode(item_b.path) in chill and "Teardrop" not in chill
    owned = {os.fsdecode(f.path) for f in store.mirrored_files()}
    assert str(playlists / "Party (Spotify).m3u") in owned
    # C arrives later by the person's own import: Chill fills in too.
    wishlist(env, capsys, "download", "--playlist", "Chill")
    chill = (playlists / "Chill (Spotify).m3u").read_text(encoding="utf-8")
    item_c = env.lib.get_item(store.get_wishlist_entry(C).item_id)
    assert os.fsdecode(item_c.path) in chill
