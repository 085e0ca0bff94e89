"""The one door to Whoosh, for the search side and the build side alike.

Search: ``SearchIndex`` opens a generation (storage.py), a ``Snapshot`` is one commit of it
(index.py: stored documents, term statistics, vocabulary, per-document codes), query trees
(queries.py) are evaluated over postings arrays (matching.py, postings.py) scored by
indexer/ranking.py's PL2, and whatever is read from a segment is kept in one ``SegmentCache``
(segments.py). A fast path that finds a Whoosh private name missing falls back through
``SlowPaths`` (counted; an error in strict mode).

Build: the field types and the analysis chain's base classes (fields.py), creating and opening an
index, merge policies, segments merged, documents found by term (writing.py), a document's fields
encoded as the segment writer indexes them (fieldencode.py), a rebuild's postings and stored
fields in memory (bulkwrite.py) and encoded as whoosh3 encodes them (postencode.py).

No module outside this package imports Whoosh (tests/test_layers.py). The search side's names are
loaded on first use, so that indexer/analysis.py (which Whoosh's unpickled schema imports first)
can take its base classes from fields.py without importing the search side.
"""
from importlib import import_module

_NAMES = {
    "SearchIndex": "index", "Segment": "index", "Snapshot": "index",
    "EMPTY": "matching", "TRACE": "matching", "ArrayScorer": "matching", "Matches": "matching",
    "SUMS": "queries", "And": "queries", "AndMaybe": "queries", "DisjunctionMax": "queries",
    "Or": "queries", "Phrase": "queries", "Query": "queries", "Term": "queries", "to_whoosh": "queries",
    "DEFAULT_CACHE_BYTES": "segments", "SegmentCache": "segments",
    "SlowPaths": "slowpaths", "SlowPathTaken": "slowpaths",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
