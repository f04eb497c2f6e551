"""The import hook: items that arrive by any import close the wishlist entries they are.

The hook matches with the engine's matcher over the new items only, the same rules as
the extraction (remaster tags, accents, "feat." and the duration all count), and only
sure matches close an entry.
"""

from __future__ import annotations

import pytest
from beets import plugins
from beets.library import Item
from fixtures_wishlist import BeetsEnv, open_state_store, seed_wishlist

A = "4uLU6hMCjMI75M1A2tKUQC"
X = "1ebAtmBsOjqjiY8TzCh2qD"
Y = "5zrx9WnJkNWCeEJ3mH2Gk5"
C = "0VjIjW4GlUZAMYd2vXMi3b"

PLAYLISTS = {
    "Party": [
        {"id": A, "title": "Dancing Queen", "artist": "ABBA", "album": "Arrival"},
        {"id": C, "title": "Teardrop", "artist": "Massive Attack", "album": "Mezzanine"},
    ],
    "Openers": [
        {"id": X, "title": "Intro", "artist": "The xx", "album": "xx", "duration_ms": 127000},
        {
            "id": Y,
            "title": "Intro",
            "artist": "The xx",
            "album": "I See You",
            "duration_ms": 200000,
        },
    ],
}


@pytest.fixture
def seeded(beets_env: BeetsEnv) -> BeetsEnv:
    seed_wishlist(beets_env, PLAYLISTS)
    return beets_env


def add_item(env: BeetsEnv, title: str, artist: str, album: str, length: float) -> Item:
    path = env.music / artist / album / f"{title}.mp3"
    item = Item(title=title, artist=artist, album=album, length=length, path=bytes(path))
    env.lib.add(item)
    return item


def import_hook(env: BeetsEnv, *items: Item) -> None:
    """What beets does for any import: item_imported per item, then cli_exit."""
    plugin = next(p for p in plugins.find_plugins() if p.name == "spotifyextract")
    for item in items:
        plugins.send("item_imported", lib=env.lib, item=item)
    plugin.import_listener.flush()


def test_a_remastered_copy_closes_the_entry_an_older_copy_could_not(seeded: BeetsEnv) -> None:
    """The person rejected a bad rip of the album in --review, then bought the remaster.

    Matched against the whole library the old rip (same album, same length, a plain
    title) would win, and the new item would not close the entry."""
    env = seeded
    old = add_item(env, "Dancing Queen", "ABBA", "Arrival", 1.0)
    store = open_state_store(env)
    store.reject_match(A, old.id)
    new = add_item(env, "Dancing Queen - Remastered 2001", "Abba", "Arrival", 1.0)
    import_hook(env, new)
    entry = store.get_wishlist_entry(A)
    assert entry.status == "imported" and entry.item_id == new.id
    assert store.get_match(A).method in ("exact", "fuzzy")
    assert store.get_wishlist_entry(C).status == "pending"


def test_the_same_title_on_two_albums_closes_the_right_entry(seeded: BeetsEnv) -> None:
    """Album and duration tell two songs of one name apart; artist + title cannot."""
    env = seeded
    new = add_item(env, "Intro", "The xx", "I See You", 200.0)
    import_hook(env, new)
    store = open_state_store(env)
    assert store.get_wishlist_entry(Y).status == "imported"
    assert store.get_wishlist_entry(Y).item_id == new.id
    assert store.get_wishlist_entry(X).status == "pending"


def test_another_version_or_a_stranger_closes_nothing(seeded: BeetsEnv) -> None:
    env = seeded
    live = add_item(env, "Teardrop (Live)", "Massive Attack", "Mezzanine", 1.0)
    other = add_item(env, "Dancing Queen", "Glee Cast", "Glee", 1.0)
    import_hook(env, live, other)
    store = open_state_store(env)
    assert {e.status for e in store.list_wishlist()} == {"pending"}


def test_one_item_closes_one_entry(seeded: BeetsEnv) -> None:
    """An accent of difference still matches; a second copy closes nothing more."""
    env = seeded
    first = add_item(env, "Dancing Queen", "ÅBBA", "Arrival", 1.0)
    second = add_item(env, "Dancing Queen", "ABBA", "Arrival", 1.0)
    import_hook(env, first, second)
    store = open_state_store(env)
    assert store.get_wishlist_entry(A).status == "imported"
    assert store.get_wishlist_entry(A).item_id in (first.id, second.id)
    assert [e.spotify_track_id for e in store.list_wishlist() if e.status == "imported"] == [A]
