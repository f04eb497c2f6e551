"""pytest fixtures for the Spotify emulator (tests/emulator).

- ``emulator``: a running emulator in development mode on a random port, serving a small
  generated library (a fresh copy per test, so mutations never leak). It is the admin
  handle too: ``emulator.api_url``, ``emulator.auth_url``, ``emulator.issue_token()``,
  ``emulator.count(...)``, ``emulator.fail_next(...)``, ``emulator.library.add_to_playlist``.
- ``emulator_extended``: the same in extended-quota mode.
- ``emulator_tls``: the same over HTTPS; ``emulator_tls.ca_file`` is the test CA.
- ``emulator_token``: an access/refresh token dict for ``emulator`` (all scopes).
- ``emulator_factory(**kwargs)``: any other emulator (``library=``, ``mode=``, ``tls=``,
  ``rate_limit=``, ``latency_ms=`` …); stopped at the end of the test.
- ``emulator_library``: the small library itself (session-wide; copy before mutating).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.emulator import Emulator, Library

SMALL = {"seed": 7, "playlists": 10, "entries": 640, "liked": 230, "albums": 30, "artists": 70}


@pytest.fixture(scope="session")
def emulator_library() -> Library:
    return Library.generate(**SMALL)


@pytest.fixture
def emulator_factory(
    emulator_library: Library, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Emulator]]:
    started: list[Emulator] = []

    def make(**kwargs: Any) -> Emulator:
        if "library" not in kwargs:
            kwargs["library"] = Library.from_dict(emulator_library.to_dict())
        if kwargs.get("tls") and "tls_dir" not in kwargs:
            kwargs["tls_dir"] = tmp_path_factory.mktemp("emulator-ca")
        emu = Emulator(**kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., Emulator]) -> Emulator:
    return emulator_factory(mode="development")


@pytest.fixture
def emulator_extended(emulator_factory: Callable[..., Emulator]) -> Emulator:
    return emulator_factory(mode="extended")


@pytest.fixture
def emulator_tls(emulator_factory: Callable[..., Emulator]) -> Emulator:
    return emulator_factory(mode="development", tls=True)


@pytest.fixture
def emulator_token(emulator: Emulator) -> dict[str, Any]:
    return emulator.issue_token()
