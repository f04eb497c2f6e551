"""Musical keys in the notations DJs use, and which keys mix harmonically.

beets' `initial_key` holds text such as `C#m` (keyfinder, Spotify's features as the
plugin writes them) or, in some libraries, Camelot (`8A`) or Open Key (`1m`) codes written
by DJ tools. `parse` reads all of them into (pitch class, minor); the other notations are
computed from that, never stored twice.

Camelot wheel: C major is 8B and A minor (its relative) 8A; one step clockwise adds a fifth.
Open Key numbers the same wheel from C major = 1d / A minor = 1m.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# beets' notation (as attributes.PITCH_CLASSES): sharps.
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NAMED = re.compile(
    r"^\s*([A-Ga-g])\s*(#|♯|b|♭)?\s*(m|min|minor|maj|major|M)?\s*$",
)
_CAMELOT = re.compile(r"^\s*(1[0-2]|0?[1-9])\s*([AaBb])\s*$")
_OPEN_KEY = re.compile(r"^\s*(1[0-2]|0?[1-9])\s*([mMdD])\s*$")


class Key(NamedTuple):
    pitch: int  # 0 = C ... 11 = B (the tonic)
    minor: bool

    @property
    def beets(self) -> str:
        """beets' `initial_key` notation: C, C#m ..."""
        return PITCH_CLASSES[self.pitch] + ("m" if self.minor else "")

    @property
    def camelot_number(self) -> int:
        major_pitch = (self.pitch + 3) % 12 if self.minor else self.pitch
        # C major is 8; each fifth up (7 semitones) is one step on the wheel.
        return (major_pitch * 7 + 7) % 12 + 1

    @property
    def camelot(self) -> str:
        return f"{self.camelot_number}{'A' if self.minor else 'B'}"

    @property
    def open_key(self) -> str:
        return f"{(self.camelot_number - 8) % 12 + 1}{'m' if self.minor else 'd'}"


def _from_wheel(number: int, minor: bool) -> Key:
    # Inverse of camelot_number: 7 is its own inverse modulo 12.
    major_pitch = ((number - 1 - 7) * 7) % 12
    return Key((major_pitch - 3) % 12 if minor else major_pitch, minor)


def parse(text: str | None) -> Key | None:
    """A key in beets', Camelot or Open Key notation (`C#m`, `Db minor`, `8A`, `1m`);
    None when the text is none of them (empty, `o` for off-key, garbage)."""
    if not text:
        return None
    found = _CAMELOT.match(text)
    if found:
        return _from_wheel(int(found.group(1)), found.group(2).upper() == "A")
    found = _OPEN_KEY.match(text)
    if found:
        number = (int(found.group(1)) + 6) % 12 + 1  # Open Key 1 = Camelot 8
        return _from_wheel(number, found.group(2).lower() == "m")
    found = _NAMED.match(text)
    if not found:
        return None
    letter, accidental, quality = found.groups()
    pitch = _LETTERS[letter.upper()]
    if accidental in ("#", "♯"):
        pitch += 1
    elif accidental in ("b", "♭"):
        pitch -= 1
    minor = quality in ("m", "min", "minor")
    if quality is None and letter.islower():  # "a" alone: some tools write minor lowercase
        minor = True
    return Key(pitch % 12, minor)


def from_essentia(key: str, scale: str) -> Key | None:
    """Essentia's KeyExtractor answer (`Eb`, `minor`)."""
    parsed = parse(key)
    if parsed is None or scale not in ("major", "minor"):
        return None
    return Key(parsed.pitch, scale == "minor")


def compatible(key: Key) -> list[Key]:
    """The keys that mix harmonically with `key`: itself, one step either way on the
    Camelot wheel (same mode), and its relative major/minor."""
    number = key.camelot_number
    neighbours = [
        key,
        _from_wheel(number % 12 + 1, key.minor),
        _from_wheel((number - 2) % 12 + 1, key.minor),
        _from_wheel(number, not key.minor),
    ]
    return list(dict.fromkeys(neighbours))


def spellings(key: Key) -> list[str]:
    """The ways `initial_key` may hold this key (for an exact-match query)."""
    names = [key.beets, key.camelot, key.open_key]
    flat = {1: "Db", 3: "Eb", 6: "Gb", 8: "Ab", 10: "Bb"}.get(key.pitch)
    if flat:
        names.append(flat + ("m" if key.minor else ""))
    return names
