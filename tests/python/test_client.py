"""The native Spotify client against the emulator: data, request budget, faults, TLS."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_client import minimum_requests
from fixtures_pipeline import state_dump
from spotify_extract import _native

from tests.emulator import Emulator, Library
from tests.emulator.tls import make_test_ca

# The emulator's names of the entry kinds ("unavailable" is a track Spotify cannot play).
KIND_NAMES = {
    _native.EntryKind.TRACK: "track",
    _native.EntryKind.UNAVAILABLE: "track",
    _native.EntryKind.EPISODE: "episode",
    _native.EntryKind.LOCAL_FILE: "local",
    _native.EntryKind.NULL: "null",
}


# The store keeps the tracks of a playlist; an episode is kept as a position only.
def expected_entries(library: Library, playlist_id: str) -> list[tuple[str, str | None]]:
    playlist = library.playlist(playlist_id)
    assert playlist is not None
    return [(e.kind, e.id if e.kind == "track" else None) for e in playlist.entries]


def stored_entries(store, playlist_id: str) -> list[tuple[str, str | None]]:
    out = []
    for entry in store.playlist_entries(playlist_id):
        kind = KIND_NAMES[entry.kind]
        out.append((kind, entry.track.id if kind == "track" else None))
    return out


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_whole_library_with_the_fewest_requests(
    emulator_factory, fetch_into_store, mode: str
) -> None:
    emu: Emulator = emulator_factory(mode=mode)
    store, result, _, _ = fetch_into_store(emu)
    library = emu.library
    me = library.me.id

    playlists = {p.id: p for p in store.list_playlists()}
    assert sorted(playlists) == sorted(p.id for p in library.playlists)
    for playlist in library.playlists:
        stored = playlists[playlist.id]
        readable = mode == "extended" or playlist.owner_id == me or playlist.collaborative
        if not playlist.entries:
            assert store.playlist_entries(playlist.id) == []
        elif readable:
            assert stored.access == "readable"
            assert stored_entries(store, playlist.id) == expected_entries(library, playlist.id)
        elif playlist.owner_id == "spotify":
            assert stored.access == "unavailable"
        else:
            assert stored.access == "not_shared"
    assert [e.track.id for e in store.liked_entries()] == [t for _, t in library.liked]
    assert [a.album.id for a in store.saved_albums()] == [a for _, a in library.saved_albums]
    assert sorted(a.id for a in store.followed_artists()) == sorted(library.followed_artists)
    refused = any("audio features" in note for note in result.notes)
    assert refused == (mode == "development")
    if mode == "extended":
        assert result.summary.audio_features > 0

    counters = emu.counters()
    assert counters["api_requests"] == minimum_requests(library, mode)
    assert counters["rate_limited"] == 0
    assert result.requests == counters["api_requests"]


def test_local_files_episodes_nulls_and_unavailable_tracks_are_recognised(
    emulator, fetch_into_store
) -> None:
    store, _, _, _ = fetch_into_store(emulator, audio_features=False)
    library = emulator.library
    readable = [p for p in library.playlists if p.owner_id == library.me.id or p.collaborative]
    stored = [e for p in readable for e in store.playlist_entries(p.id)]
    kinds = {KIND_NAMES[e.kind] for e in stored}
    expected = {e.kind for p in readable for e in p.entries}
    for kind in ("local", "episode", "null"):
        assert (kind in kinds) == (kind in expected)
    local = [e for e in stored if e.kind == _native.EntryKind.LOCAL_FILE]
    assert all(e.track.id == "" and e.track.name for e in local)


def test_faults_give_the_same_data_as_a_fault_free_run(emulator, fetch_into_store) -> None:
    clean_store, _, _, _ = fetch_into_store(emulator)
    clean = state_dump(Path(clean_store.path))

    emulator.reset_log()
    emulator.set_faults(p_5xx=0.06, p_reset=0.04, p_truncate=0.04, seed=3)
    emulator.storm_429(4, retry_after=1)
    store, _, _, lines = fetch_into_store(emulator)
    assert state_dump(Path(store.path)) == clean
    counters = emulator.counters()
    assert counters["rate_limited"] >= 4
    assert sum(counters["faults"].values()) > 5
    assert any("429" in line for line in lines)


def test_expired_token_mid_run_refreshes_and_saves_the_new_refresh_token(
    emulator, fetch_into_store
) -> None:
    clean_store, _, _, _ = fetch_into_store(emulator)
    clean = state_dump(Path(clean_store.path))
    token = emulator.issue_token()
    emulator.fail_next(1, kind="expire", after=6)
    store, _, config, _ = fetch_into_store(emulator, token=token)
    assert state_dump(Path(store.path)) == clean
    saved = Path(config.token_file).read_text()
    assert token["refresh_token"] not in saved  # single-use: the rotated one was saved
    assert token["access_token"] not in saved
    assert Path(config.token_file).stat().st_mode & 0o777 == 0o600


def test_client_counts_its_requests(emulator, client_for) -> None:
    client, _, _ = client_for(emulator)
    client.current_user()
    client.playlists()
    assert client.stats().http.requests == emulator.counters()["api_requests"] == 2
    assert client.stats().token_refreshes == 0


def test_revoked_login_asks_for_login(emulator, client_for) -> None:
    client, _, _ = client_for(emulator)
    emulator.revoke_refresh_tokens()
    emulator.expire_tokens()
    with pytest.raises(_native.LoginRequiredError, match="--login"):
        client.current_user()


def test_retry_after_beyond_the_cap_stops_with_when_to_retry(emulator, client_for) -> None:
    client, _, _ = client_for(emulator, max_retry_after=60.0)
    emulator.storm_429(1, retry_after=19056)
    with pytest.raises(_native.RateLimitError, match="run again after") as error:
        client.current_user()
    assert error.value.retry_after_seconds == 19056
    assert not error.value.quota_exceeded


def test_quota_exceeded_is_reported_as_such(emulator, client_for) -> None:
    client, _, _ = client_for(emulator)
    emulator.configure(quota=2)
    client.current_user()
    client.current_user()
    with pytest.raises(_native.RateLimitError, match="QUOTA_EXCEEDED") as error:
        client.current_user()
    assert error.value.quota_exceeded


def test_liked_songs_stop_early_page_by_page(emulator, client_for) -> None:
    client, _, _ = client_for(emulator)
    seen = []

    def on_page(offset: int, total: int, items: list) -> bool:
        seen.append((offset, total, len(items)))
        return False

    client.saved_tracks(prefetch=0, on_page=on_page)
    assert seen == [(0, len(emulator.library.liked), 50)]
    assert emulator.count("/me/tracks") == 1
    resumed = client.saved_tracks(start_offset=200)
    assert [s.track.id for s in resumed] == [t for _, t in emulator.library.liked[200:]]


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_tracks_by_id_batch_where_allowed_one_by_one_where_not(
    emulator_factory, client_for, mode: str
) -> None:
    emu = emulator_factory(mode=mode)
    client, _, _ = client_for(emu)
    ids = [*list(emu.library.tracks)[:60], "0000000000000000000000"]
    tracks = client.tracks(ids)
    assert [t.id for t in tracks] == ids[:60]
    batch = emu.count(r"^/v1/tracks$")
    single = emu.count(r"^/v1/tracks/")
    if mode == "development":
        assert (batch, single) == (1, 61)
        client.tracks(ids[:3])  # the refusal is remembered: no second batch attempt
        assert emu.count(r"^/v1/tracks$") == 1
    else:
        assert (batch, single) == (2, 0)


def test_tls_with_the_test_ca(emulator_tls, client_for) -> None:
    client, _, _ = client_for(emulator_tls, ca_file=str(emulator_tls.ca_file))
    assert client.current_user().id == emulator_tls.library.me.id


def test_tls_with_the_wrong_ca_is_a_clear_error(emulator_tls, client_for, tmp_path) -> None:
    other = make_test_ca(tmp_path / "other")
    client, _, _ = client_for(emulator_tls, ca_file=str(other.ca_file))
    with pytest.raises(_native.TlsError, match="ca_file"):
        client.current_user()
    system, _, _ = client_for(emulator_tls)  # the system CAs do not know the test CA
    with pytest.raises(_native.TlsError, match="certificate"):
        system.current_user()


def test_no_token_in_logs_or_errors(emulator, client_for) -> None:
    token = emulator.issue_token()
    client, _, lines = client_for(emulator, token=token)
    emulator.storm_429(2, retry_after=1)
    emulator.fail_next(2, kind="status", status=500)
    client.current_user()
    emulator.revoke_refresh_tokens()
    emulator.expire_tokens()
    with pytest.raises(_native.LoginRequiredError) as error:
        client.current_user()
    text = "\n".join([*lines, str(error.value)])
    assert lines
    for secret in (token["access_token"], token["refresh_token"]):
        assert secret not in text


def test_cancel_stops_a_long_wait(emulator, client_for) -> None:
    import threading
    import time

    client, _, _ = client_for(emulator)
    emulator.storm_429(1, retry_after=60)
    threading.Timer(0.3, client.cancel).start()
    started = time.monotonic()
    with pytest.raises(_native.CancelledError):
        client.current_user()
    assert time.monotonic() - started < 10
