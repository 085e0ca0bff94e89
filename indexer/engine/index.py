"""An index generation opened for searching, and the snapshots (one per commit) searches read.

``SearchIndex`` opens a generation's Whoosh index with the shared-read storage (engine/storage.py:
one set of segment readers for all the threads of a server) and hands out a ``Snapshot`` of its
current commit; a newer commit gives a new snapshot, which finds most of its segments' arrays in
the same segment cache. A snapshot is everything the search side reads from Whoosh: stored
documents, term statistics, the vocabulary, per-document codes (the languages), and evaluation
of query trees (engine/matching.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from indexer.engine.matching import ArrayScorer, Matches
from indexer.engine.postings import deleted_count, live_mask, read_postings, segment_key
from indexer.engine.segments import SegmentCache, array_bytes, text_bytes
from indexer.engine.slowpaths import SlowPaths
from indexer.engine.storage import open_shared


@dataclass(frozen=True)
class Segment:
    leaf: object  # Whoosh's segment reader
    base: int  # its first document's number in the snapshot
    size: int  # its documents, deleted ones included
    key: tuple  # engine/postings.segment_key: what the segment cache knows it by
    deleted: int  # how many of its documents are deleted


class Snapshot:
    """One commit of the index as the search side reads it. Thread-safe (Whoosh's readers over
    the shared-read storage; the segment cache has its lock)."""

    def __init__(self, searcher, namespace: str, cache: SegmentCache, slow: SlowPaths, pl2_c: float):
        self._searcher = searcher
        self._reader = searcher.reader()
        self.schema = searcher.schema
        self.cache = cache
        self.slow = slow
        self.doc_count = searcher.doc_count_all()  # deleted documents included
        self.segments = tuple(
            Segment(leaf, base, leaf.doc_count_all(), segment_key(namespace, leaf, slow), deleted_count(leaf))
            for leaf, base in self._reader.leaf_readers())
        self.key = tuple((s.key, s.deleted) for s in self.segments)  # changes with any commit
        self.scorer = ArrayScorer(self, pl2_c)

    # -- matching ------------------------------------------------------------------------
    def evaluate(self, query, memo: dict | None = None) -> Matches:
        return self.scorer.evaluate(query, memo)

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        return self.scorer.postings(fieldname, text)

    def live(self, segment: Segment) -> np.ndarray | None:
        """Which of the segment's documents are not deleted (None when none is)."""
        if not segment.deleted:
            return None
        return self.cache.fetch((segment.key, "live", segment.deleted),
                                lambda: live_mask(segment.leaf, self.slow), array_bytes)

    def codes(self, fieldname: str, values: Sequence[str]) -> np.ndarray:
        """Every document's code for a field that holds one of ``values`` (a language): the index
        of its value in ``values``, ``len(values)`` for none (and for a deleted document), uint8."""
        key = (self.key, "codes", fieldname, tuple(values))
        return self.cache.fetch(key, lambda: self._codes(fieldname, tuple(values)), array_bytes)

    def _codes(self, fieldname: str, values: tuple[str, ...]) -> np.ndarray:
        parts = []
        for segment in self.segments:
            codes = self.cache.fetch((segment.key, "codes", fieldname, values),
                                     lambda: self._segment_codes(segment, fieldname, values), array_bytes)
            live = self.live(segment)
            if live is not None:
                codes = np.where(live, codes, np.uint8(len(values)))
            parts.append(codes)
        if not parts:
            return np.empty(0, np.uint8)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _segment_codes(self, segment: Segment, fieldname: str, values: tuple[str, ...]) -> np.ndarray:
        codes = np.full(segment.size, len(values), np.uint8)
        field = self.schema[fieldname]
        for i, value in enumerate(values):
            btext = field.to_bytes(value)
            if (fieldname, btext) in segment.leaf:
                ids, _ = read_postings(segment.leaf, fieldname, btext, self.slow)
                codes[ids] = i
        return codes

    # -- statistics and vocabulary -------------------------------------------------------
    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold the term, deleted ones included."""
        return self._reader.doc_frequency(fieldname, text)

    def avg_field_length(self, fieldname: str) -> float:
        return self._searcher.avg_field_length(fieldname) or 1

    def expand_prefix(self, fieldname: str, prefix: str) -> Iterator[str]:
        """The field's terms starting with ``prefix``, in order."""
        for term in self._reader.expand_prefix(fieldname, prefix):
            yield term.decode("utf-8") if isinstance(term, bytes) else term

    def vocabulary(self, fieldname: str, prefix: str) -> list[str]:
        """The field's terms starting with ``prefix``, read once per set of segments."""
        key = (tuple(s.key for s in self.segments), "vocabulary", fieldname, prefix)
        return self.cache.fetch(key, lambda: list(self.expand_prefix(fieldname, prefix)), text_bytes)

    # -- stored documents ----------------------------------------------------------------
    def stored(self, docnum: int) -> dict:
        return self._searcher.stored_fields(docnum)

    def documents(self, **terms) -> Iterator[dict]:
        """The stored fields of every live document holding all the given (field, term)s."""
        return self._searcher.documents(**terms)

    def document(self, **terms) -> dict | None:
        return self._searcher.document(**terms)

    # -- lifetime ------------------------------------------------------------------------
    def up_to_date(self) -> bool:
        """Is this still the index's latest commit?"""
        return self._searcher.up_to_date()

    def close(self) -> None:
        self._searcher.close()


class SearchIndex:
    """A generation opened for searching (read-only, its readers shared by threads)."""

    def __init__(self, gen: Path, cache: SegmentCache, slow: SlowPaths, pl2_c: float):
        self.gen = Path(gen)
        self.cache, self.slow, self.pl2_c = cache, slow, pl2_c
        self._ix = open_shared(self.gen)

    def snapshot(self) -> Snapshot:
        """The generation's latest commit."""
        return Snapshot(self._ix.searcher(), str(self.gen), self.cache, self.slow, self.pl2_c)
