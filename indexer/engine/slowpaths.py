"""The one hook every slow path of the engine goes through.

The fast paths read Whoosh 3's segment files through private names (block postings, the field
length column, a segment's id); a reader that lacks one (another codec, another Whoosh release)
still answers right, through Whoosh's public per-document calls, but up to a hundred times
slower. Each such fall-back calls ``SlowPaths.take``: counted always, and an error in strict mode
(tests/test_engine.py runs the dev queries strictly, so a Whoosh release that removes a private
name fails a test instead of slowing search down in silence).
"""
from __future__ import annotations

import threading
from collections import Counter


class SlowPathTaken(RuntimeError):
    """A slow path was taken with the engine in strict mode (the message names it)."""


class SlowPaths:
    def __init__(self, strict: bool = False):
        self.strict = strict
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, name: str, why: str = "") -> None:
        """A slow path ``name`` is about to be taken (``why``: what was missing)."""
        with self._lock:
            self.counts[name] += 1
        if self.strict:
            raise SlowPathTaken(f"slow path {name!r} taken" + (f": {why}" if why else ""))

    @property
    def total(self) -> int:
        return sum(self.counts.values())
