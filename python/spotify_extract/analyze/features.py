"""What Essentia hears in one audio file: tempo, key, loudness, energy, danceability.

Runs in the analysis worker processes (see runner.py): Essentia is imported there, not in
beets' own process, and this module imports neither beets nor Essentia at its top, so a
worker starts fast. Everything returned is plain data, to cross the process boundary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SAMPLE_RATE = 44100
# Only the first 15 minutes are decoded: a two-hour DJ mix would otherwise take 1.3 GB a
# worker, and one tempo and key for a whole mix mean little anyway.
MAX_SECONDS = 900.0
# Loudness per 2 s frame, hop 1 s: the frames of Essentia's own level descriptor.
LEVEL_FRAME = 2 * SAMPLE_RATE
LEVEL_HOP = SAMPLE_RATE


class DecodeError(Exception):
    """The file could not be read as audio (the message says why)."""


@dataclass(frozen=True)
class Analysis:
    bpm: float
    bpm_confidence: float
    key: str  # Essentia's tonic name (`C`, `Eb` ...)
    scale: str  # major | minor
    key_strength: float
    loudness: float  # dBFS of the mean power (like Spotify's `loudness`, about -60..0)
    average_loudness: float  # 0..1, Essentia's music-extractor definition (beets-xtractor)
    energy: float  # 0..1
    danceability: float  # Essentia's Danceability (0..~3; beets-xtractor's `danceability`)


def _squeeze(value: float, low: float, high: float) -> float:
    """Maps low..high smoothly onto 0..1 (tanh), as Essentia's range squeezing does."""
    return 0.5 + 0.5 * math.tanh(-1.0 + 2.0 * (value - low) / (high - low))


def _setup() -> None:
    import essentia

    essentia.log.infoActive = False
    essentia.log.warningActive = False


def analyse_file(path: str) -> Analysis:
    """Decodes `path` (any format ffmpeg reads) to mono 44.1 kHz and analyses it
    (its first MAX_SECONDS)."""
    import essentia.standard as es
    import numpy as np

    _setup()
    try:
        # EasyLoader: MonoLoader's samples (no gain at its default), with an end time.
        audio = es.EasyLoader(filename=path, sampleRate=SAMPLE_RATE, endTime=MAX_SECONDS)()
    except RuntimeError as error:
        raise DecodeError(_reason(error)) from None
    if audio.size < SAMPLE_RATE:  # under a second: nothing to measure a tempo on
        raise DecodeError("no audio (shorter than one second)")
    return analyse_samples(audio, np=np, es=es)


def analyse_samples(audio, *, np=None, es=None) -> Analysis:
    """The analysis of mono float32 samples at SAMPLE_RATE."""
    if np is None or es is None:
        import essentia.standard as es
        import numpy as np

        _setup()
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    bpm, _, confidence, _, _ = es.RhythmExtractor2013(method="multifeature")(audio)
    key, scale, strength = es.KeyExtractor()(audio)
    danceability, _ = es.Danceability(sampleRate=SAMPLE_RATE)(audio)

    power = float(np.mean(np.square(audio, dtype=np.float64)))
    loudness = 10.0 * math.log10(max(power, 1e-10))
    levels = _levels(audio, np, es)
    return Analysis(
        bpm=float(bpm),
        bpm_confidence=float(confidence),
        key=str(key),
        scale=str(scale),
        key_strength=float(strength),
        loudness=round(loudness, 2),
        average_loudness=round(levels, 6),
        # Mean power in dB squeezed onto 0..1: quiet (-30 dBFS) ~0.06, loud master
        # (-8 dBFS) ~0.93.
        energy=round(_squeeze(loudness, -30.0, -10.0), 6),
        danceability=round(float(danceability), 6),
    )


def _levels(audio, np, es) -> float:
    """Essentia's `average_loudness`: the loudness of 2 s frames relative to the loudest,
    averaged, in dB, squeezed onto 0..1 (1: little dynamic range, 0: a lot)."""
    loudness = es.Loudness()
    values = [
        loudness(audio[start : start + LEVEL_FRAME])
        for start in range(0, max(1, audio.size - LEVEL_FRAME + 1), LEVEL_HOP)
    ]
    top = max(values) if values else 0.0
    if top <= 1e-10:
        return 0.0
    relative = np.maximum(np.asarray(values, dtype=np.float64) / top, 1e-4)  # floor -80 dB
    return _squeeze(10.0 * math.log10(float(np.mean(relative))), -5.0, -2.0)


def init_worker() -> None:
    """A worker process's start: Ctrl-C reaches the whole process group, but the parent
    decides when to stop (the workers finish the file in hand); Essentia's INFO line on
    import is not for the person."""
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            import essentia.standard  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def analyse_or_reason(path: str) -> Analysis | str:
    """In a worker: the analysis, or why the file could not be analysed."""
    try:
        return analyse_file(path)
    except DecodeError as error:
        return str(error)
    except Exception as error:  # an Essentia failure on one file must not end the run
        return f"analysis failed ({type(error).__name__}: {error})"


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split())
    # Essentia prefixes its loader errors with the algorithm's name; the file is named
    # by the caller.
    for marker in ("AudioLoader:", "MonoLoader:", "EasyLoader:"):
        if marker in text:
            text = text.split(marker, 1)[1].strip()
    return text[:200] or "not an audio file"
