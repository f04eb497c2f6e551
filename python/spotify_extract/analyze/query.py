"""Harmonic mixing in beets queries and formats.

`beet ls harmonic:8A` lists the items whose `initial_key` mixes with 8A (itself, 7A, 9A
and its relative 8B), the key given in any notation (`Am`, `8A`, `1m`), and stored in any
(beets', Camelot or Open Key); with `bpm:120..128` it finds the next track for a set.
`$camelot` and `$open_key` show an item's key in those notations (`-f '$bpm $camelot'`).
"""

from __future__ import annotations

from typing import Any

from beets import ui
from beets.dbcore import query

from spotify_extract.analyze import keys


class HarmonicQuery(query.FieldQuery[str]):
    """`harmonic:KEY`: the items in a key compatible with KEY (an SQL match on
    initial_key's possible spellings, so it is as fast as `initial_key:Am`)."""

    def __new__(cls, field: str, pattern: str, *args: Any, **kwargs: Any) -> query.Query:  # type: ignore[misc]
        key = keys.parse(pattern)
        if key is None:
            raise ui.UserError(
                f"harmonic:{pattern}: not a key; give one such as Am, C#, 8A (Camelot) or 1m "
                "(Open Key)"
            )
        spellings = [name for each in keys.compatible(key) for name in keys.spellings(each)]
        return query.OrQuery(
            [query.MatchQuery("initial_key", name, fast=True) for name in spellings]
        )


def camelot(item: Any) -> str:
    key = keys.parse(item.get("initial_key"))
    return key.camelot if key else ""


def open_key(item: Any) -> str:
    key = keys.parse(item.get("initial_key"))
    return key.open_key if key else ""


TEMPLATE_FIELDS = {"camelot": camelot, "open_key": open_key}
ITEM_QUERIES = {"harmonic": HarmonicQuery}
