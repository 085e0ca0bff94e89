"""Which generation and which commit a search reads, followed as the index changes.

A full rebuild writes a new generation and switches CURRENT (store.py); an incremental update
commits into the same generation; a replica may be half-way through copying one (manifest.py).
``ServedIndex`` notices each on the next call and moves to it: every thread shares one snapshot
(engine.Snapshot) until a newer commit is there. The concept matcher and the learned bridges
beside a generation are re-read when an update rewrites them (sidecar.py).
"""
from __future__ import annotations

import threading
from pathlib import Path

from indexer import manifest, store
from indexer.bridges import Bridges
from indexer.bridges.store import FILENAME as BRIDGES_FILE
from indexer.concepts import ConceptMatcher
from indexer.engine import SearchIndex, SegmentCache, SlowPaths, Snapshot
from indexer.search.sidecar import Sidecar


class ServedIndex:
    """The generation an index directory serves, opened for searching. Thread-safe. ``cache``:
    the one segment cache, kept across commits and generations; ``strict``: a slow path of the
    engine raises (engine/slowpaths.py)."""

    def __init__(self, index_dir: Path, cache: SegmentCache, pl2_c: float, strict: bool = False):
        self.index_dir = Path(index_dir)
        self.cache = cache
        self.slow_paths = SlowPaths(strict)
        self._pl2_c = pl2_c
        self._lock = threading.Lock()
        self._gen: Path | None = None
        self._ix: SearchIndex | None = None
        self._shared: tuple[Path, Snapshot] | None = None  # the snapshot every thread uses
        # rewritten in place by an update (a concept edit's re-tag; bridges relearned)
        self._matcher = Sidecar(store.CONCEPTS, ConceptMatcher.load)
        self._bridges = Sidecar(BRIDGES_FILE, lambda path: Bridges.load(path.parent))
        self._open()

    @property
    def generation(self) -> Path:
        return self._gen

    def matcher(self) -> ConceptMatcher | None:
        """The serving generation's compiled concepts."""
        return self._matcher.get(self._gen)

    def bridges(self) -> Bridges | None:
        """The serving generation's learned bridges."""
        return self._bridges.get(self._gen)

    def _open(self) -> None:
        gen = manifest.generation_to_serve(self.index_dir, keep=self._gen)
        if gen == self._gen and self._ix is not None:
            return  # CURRENT names a generation still being copied here: keep serving this one
        ix = SearchIndex(gen, self.cache, self.slow_paths, self._pl2_c)
        if not store.is_current_version(gen):
            raise store.IndexOutdated(self.index_dir)
        with self._lock:
            self._gen, self._ix = gen, ix

    def snapshot(self) -> Snapshot:
        """The serving generation's latest commit (after moving to a newer generation if there is one)."""
        if manifest.named_generation(self.index_dir) != getattr(self._gen, "name", None):
            for attempt in range(3):
                try:
                    self._open()
                    break
                except FileNotFoundError:
                    if attempt == 2:
                        raise
        shared = self._shared
        if shared is not None and shared[0] == self._gen and shared[1].up_to_date():
            return shared[1]
        with self._lock:
            shared = self._shared
            if shared is not None and shared[0] == self._gen and shared[1].up_to_date():
                return shared[1]
            # a new commit or generation: a fresh snapshot (Whoosh's Searcher.refresh reuses
            # segment readers and misses the deletions an update made). The one replaced is not
            # closed: another thread may be searching with it; its files close when no thread
            # holds it any more
            snapshot = self._ix.snapshot()
            self._shared = (self._gen, snapshot)
        return snapshot

    def close(self) -> None:
        with self._lock:
            shared, self._shared = self._shared, None
        if shared is not None:
            shared[1].close()
