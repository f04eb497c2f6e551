"""Writing one playlist to Spotify so that it ends exactly as intended, even after a crash.

Only playlists this tool created (their ids are in the state database) are ever written.
A write is checkpointed batch by batch (at most 100 URIs each, the endpoint's maximum);
a write whose outcome is unknown (a reset, a 5xx) is never sent again blindly: the
playlist's items are read back and the write continues from what is really there. A run
killed with `kill -9` leaves its checkpoint; the next run reads the playlist's items
before it continues, so no track is missing and none is doubled.

The create itself is found again after a crash between Spotify's answer and our record of
it: the description carries a short reference (`ref …`) that is looked for among the
user's playlists before a second playlist would be created.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from spotify_extract import _native

BATCH = 100  # URIs per POST/PUT /playlists/{id}/items (Spotify answers 400 beyond)
MAX_UNSURE_WRITES = 8  # writes with an unknown outcome before a run gives up (progress kept)
DESCRIPTION_LIMIT = 300  # Spotify's limit on a playlist description


class WriteFailed(Exception):
    """The write cannot continue now; the checkpoint stays for the next run."""


@dataclass(frozen=True)
class WritePlan:
    target: str  # what the playlist is for: "master:<name>", "push:<name>"
    name: str
    description: str
    uris: tuple[str, ...]
    public: bool = False


@dataclass
class WriteResult:
    playlist_id: str = ""
    created: bool = False  # a new playlist was made in this run
    resumed: bool = False  # an interrupted write was continued
    unchanged: bool = False  # the playlist already held exactly these items
    write_requests: int = 0  # POST/PUT requests sent (with those of unknown outcome)
    unsure_writes: int = 0  # writes whose outcome had to be read back


def digest(uris: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(uris).encode()).hexdigest()


def batches(count: int) -> int:
    return -(-count // BATCH)


def description_with_ref(description: str, ref: str) -> str:
    tail = f" · ref {ref}"
    room = DESCRIPTION_LIMIT - len(tail)
    text = description if len(description) <= room else description[: room - 1] + "…"
    return text + tail


class PlaylistWriter:
    """Writes plans through a native SpotifyClient, checkpointed in the StateStore."""

    def __init__(
        self, client: Any, store: Any, *, echo: Callable[[str], None] = lambda _line: None
    ) -> None:
        self.client = client
        self.store = store
        self.echo = echo

    # ---------------------------------------------------------------- the one entry point
    def write(self, plan: WritePlan) -> WriteResult:
        result = WriteResult()
        uris = list(plan.uris)
        wanted = digest(uris)
        pending = self.store.playlist_write(plan.target)
        playlist_id = self._resume_target(plan, pending, result)
        if playlist_id is None and pending is None:
            playlist_id = self._existing(plan, wanted, result)
            if result.unchanged:
                return result
        ref = pending.create_tag if pending is not None else secrets.token_hex(4)
        if pending is None or pending.items_digest != wanted or playlist_id is None:
            self.store.begin_playlist_write(plan.target, playlist_id or "", ref, wanted, len(uris))
        if playlist_id is None:
            result.playlist_id = self._create(plan, ref, result)
            result.created = True
            current: list[str] = []
        else:
            result.playlist_id = playlist_id
            current = self._read_all(playlist_id)
        snapshot = self._converge(plan.target, result.playlist_id, uris, current, result)
        self.store.finish_playlist_write(plan.target, snapshot)
        return result

    # ------------------------------------------------------------------------ choosing
    def _resume_target(self, plan: WritePlan, pending: Any, result: WriteResult) -> str | None:
        """The playlist an interrupted write was writing to (found again by its ref when
        the run died between Spotify's answer to the create and our record of it)."""
        if pending is None:
            return None
        result.resumed = True
        if pending.playlist_id:
            playlist_id = self._ours(pending.playlist_id)
            if self.client.playlist(playlist_id) is None:
                self.store.mark_playlist_gone(playlist_id)
                return None
            return playlist_id
        return self._find_by_ref(plan, pending.create_tag)

    def _find_by_ref(self, plan: WritePlan, ref: str) -> str | None:
        """A playlist of ours whose create was sent but whose answer we never recorded."""
        for playlist in self.client.playlists():
            if f"ref {ref}" in playlist.description:
                self.store.record_created_playlist(
                    playlist.id, plan.target, plan.name, playlist.snapshot_id
                )
                return playlist.id
        return None

    def _create(self, plan: WritePlan, ref: str, result: WriteResult) -> str:
        description = description_with_ref(plan.description, ref)
        while True:
            try:
                created = self.client.create_playlist(plan.name, description, plan.public)
            except _native.TransportError:
                result.write_requests += 1
                self._unsure(result)
                found = self._find_by_ref(plan, ref)
                if found is not None:
                    return found
                continue
            result.write_requests += 1
            self.store.record_created_playlist(
                created.id, plan.target, plan.name, created.snapshot_id
            )
            return created.id

    def _existing(self, plan: WritePlan, wanted: str, result: WriteResult) -> str | None:
        """The playlist made for this target before, if it still exists; `unchanged` when
        it holds exactly these items (same digest, nobody changed it since)."""
        created = self.store.created_playlist_for(plan.target)
        if created is None:
            return None
        meta = self.client.playlist(created.playlist_id)
        if meta is None:
            self.store.mark_playlist_gone(created.playlist_id)
            self.echo(
                f"The playlist made before ({created.playlist_id}) is gone; making a new one."
            )
            return None
        result.playlist_id = created.playlist_id
        if created.items_digest == wanted and meta.snapshot_id == created.snapshot_id:
            result.unchanged = True
        return created.playlist_id

    def _ours(self, playlist_id: str) -> str:
        if not self.store.is_created_playlist(playlist_id):
            raise WriteFailed(f"playlist {playlist_id} was not created by this tool; not written")
        return playlist_id

    # ---------------------------------------------------------------------- converging
    def _read_all(self, playlist_id: str) -> list[str]:
        return list(self.client.playlist_item_uris(playlist_id).uris)

    def _converge(
        self,
        target: str,
        playlist_id: str,
        uris: list[str],
        current: list[str],
        result: WriteResult,
    ) -> str:
        """Writes until the playlist's items are `uris`, starting from `current` (what is
        known to be there). Returns the last snapshot_id."""
        snapshot = ""
        while True:
            if current == uris:
                return snapshot or self._snapshot(playlist_id)
            start = _common_prefix(current, uris)
            if start < len(current):
                # Something else is there (an edit, an earlier list): replace everything.
                first = uris[:BATCH]
                try:
                    snapshot = self.client.replace_playlist_items(playlist_id, first)
                    result.write_requests += 1
                except _native.TransportError:
                    result.write_requests += 1
                    self._unsure(result)
                    current = self._read_all(playlist_id)
                    continue
                current = list(first)
                self.store.checkpoint_playlist_write(target, len(current), snapshot, True)
                continue
            done = self._append(target, playlist_id, uris, start, result)
            if done is None:
                current = self._read_all(playlist_id)
                continue
            snapshot = done
            # One read confirms the end state (a write sent twice would show here).
            check = self.client.playlist_item_uris(playlist_id, max(0, len(uris) - 1), 1)
            tail_ok = not uris or (check.uris and check.uris[0] == uris[-1])
            if check.total == len(uris) and tail_ok:
                return snapshot
            current = self._read_all(playlist_id)

    def _append(
        self, target: str, playlist_id: str, uris: list[str], start: int, result: WriteResult
    ) -> str | None:
        """POSTs uris[start:] in batches; the last snapshot_id, or None when the items
        must be read again (what is there is not what a batch check expected)."""
        snapshot = ""
        at = start
        while at < len(uris):
            batch = uris[at : at + BATCH]
            try:
                snapshot = self.client.add_playlist_items(playlist_id, batch)
                result.write_requests += 1
            except _native.TransportError:
                result.write_requests += 1
                self._unsure(result)
                applied = self._batch_applied(playlist_id, at, batch)
                if applied is None:
                    return None
                if not applied:
                    continue  # not there: send it again
            at += len(batch)
            self.store.checkpoint_playlist_write(target, at, snapshot, True)
        return snapshot or self._snapshot(playlist_id)

    def _batch_applied(self, playlist_id: str, at: int, batch: list[str]) -> bool | None:
        """After a write with an unknown outcome: True when the batch is there, False when
        nothing was added, None when the playlist holds something else."""
        seen = self.client.playlist_item_uris(playlist_id, at, len(batch) + 1)
        if seen.total == at:
            return False
        if seen.total == at + len(batch) and list(seen.uris) == batch:
            return True
        return None

    def _unsure(self, result: WriteResult) -> None:
        result.unsure_writes += 1
        if result.unsure_writes > MAX_UNSURE_WRITES:
            raise WriteFailed(
                f"Spotify failed {result.unsure_writes} writes; stopped with progress kept, "
                "run the same command again to continue"
            )

    def _snapshot(self, playlist_id: str) -> str:
        meta = self.client.playlist(playlist_id)
        return meta.snapshot_id if meta is not None else ""


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n
