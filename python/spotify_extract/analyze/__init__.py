"""Audio features from the files themselves (Essentia): `beet spotify-analyze`.

features: what Essentia measures in one file (runs in worker processes);
fields: which beets fields that becomes and which values are left alone;
runner: the parallel, resumable run with progress and Ctrl-C;
keys: Camelot / Open Key notations and harmonic mixing; query: `harmonic:8A`;
command: the beets command and the `analyze_after_import` hook.

Kept free of imports: the worker processes import this package too.
"""
