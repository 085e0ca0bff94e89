"""The search side's one door to Whoosh.

Everything that reads an index for searching goes through here: ``SearchIndex`` opens a
generation (storage.py), a ``Snapshot`` is one commit of it (index.py: stored documents, term
statistics, vocabulary, per-document codes), query trees (queries.py) are evaluated over postings
arrays (matching.py, postings.py) scored by indexer/ranking.py's PL2, and whatever is read from a
segment is kept in one ``SegmentCache`` (segments.py). A fast path that finds a Whoosh private
name missing falls back through ``SlowPaths`` (counted; an error in strict mode).

The build side (indexer/build/builder.py, bulkwrite.py, store.py's writer, schema.py's fields) writes
with Whoosh directly; no other module of the search side imports it.
"""
from indexer.engine.index import SearchIndex, Segment, Snapshot
from indexer.engine.matching import EMPTY, TRACE, ArrayScorer, Matches
from indexer.engine.queries import SUMS, And, AndMaybe, DisjunctionMax, Or, Phrase, Query, Term, to_whoosh
from indexer.engine.segments import DEFAULT_CACHE_BYTES, SegmentCache
from indexer.engine.slowpaths import SlowPaths, SlowPathTaken

__all__ = ["And", "AndMaybe", "ArrayScorer", "DEFAULT_CACHE_BYTES", "DisjunctionMax", "EMPTY",
           "Matches", "Or", "Phrase", "Query", "SUMS", "SearchIndex", "Segment", "SegmentCache",
           "SlowPathTaken", "SlowPaths", "Snapshot", "TRACE", "Term", "to_whoosh"]
