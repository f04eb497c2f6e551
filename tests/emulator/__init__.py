"""A faithful local emulator of the Spotify Web API subset the engine uses.

See README.md in this directory. In-process::

    from tests.emulator import Emulator, Library
    with Emulator(Library.generate(seed=1, playlists=8, entries=600)) as emu:
        token = emu.issue_token()["access_token"]
        ...  # emu.api_url, emu.auth_url, emu.count("/items"), emu.fail_next(...)
"""

from .auth import ALL_SCOPES, s256
from .data import Library
from .server import MODES, Emulator, Faults

__all__ = ["ALL_SCOPES", "MODES", "Emulator", "Faults", "Library", "s256"]
