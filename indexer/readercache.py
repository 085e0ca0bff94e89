"""Per-segment arrays that the search path reads for every matching document.

Each scored field's lengths (PL2 normalizes a term's frequency by its field's length;
indexer/postings.py reads them for the array scorer, ArrayPL2 for Whoosh's own) and the language
of every document (for the other-language factor and the language facet) are read once per
segment reader, instead of one length or stored-field read per document: with the index opened
without memory-mapping (see store.open_generation) each such read is a seek and a read of the
segment file, and on a 1,000-entry index they were a third of the engine's time
(benchmarks/README.md).

The arrays are kept per segment (segments never change but for deletions, which these arrays
need not know), so every searcher over the same segments shares them: the server's one searcher
for all its threads, and the next searcher after a re-index for the segments it keeps.
"""
from __future__ import annotations

import threading
from array import array

from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from kb.languages import LANGUAGES

from .ranking import pl2

_LOCK = threading.Lock()
_BYTE_TO_LENGTH = tuple(byte_to_length(b) for b in range(256))
NO_LANG = len(LANGUAGES)  # code of a document without a language (never in an index of ours)


_SHARED: dict[tuple, dict] = {}  # segment key -> its arrays
_SHARED_LIMIT = 256  # segments remembered (older generations' are dropped beyond it)


def _segment_key(reader) -> tuple | None:
    """What identifies a reader's data: its segments (storage folder, segment id), in order."""
    try:
        leaves = reader.leaf_readers()
        return tuple((getattr(leaf._storage, "folder", id(leaf._storage)), leaf._segment.segment_id(),
                      leaf.doc_count_all()) for leaf, _ in leaves)
    except AttributeError:
        return None


def _cache(reader) -> dict:
    cache = getattr(reader, "_kb_arrays", None)
    if cache is None:
        key = _segment_key(reader)
        with _LOCK:
            cache = _SHARED.get(key) if key is not None else None
            if cache is None:
                cache = {}
                if key is not None:
                    if len(_SHARED) >= _SHARED_LIMIT:
                        _SHARED.clear()
                    _SHARED[key] = cache
            reader._kb_arrays = cache
    return cache


def field_lengths(reader, fieldname: str):
    """Every document's length in ``fieldname`` (1 where it has none), or None if unavailable."""
    cache = _cache(reader)
    key = ("len", fieldname)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _read_lengths(reader, fieldname)
    return found or None


def _read_lengths(reader, fieldname):
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    raw = None
    try:  # the whole length column at once (whoosh3 codec: one byte per document)
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return array("I", [1]) * count
        if column._fixedlen == 1:
            raw = column._dbfile.get(column._basepos, column._count)
    except AttributeError:
        raw = None
    if raw is not None:
        lengths = array("I", (_BYTE_TO_LENGTH[b] or 1 for b in raw))
        if len(lengths) < count:
            lengths.extend([1] * (count - len(lengths)))
        return lengths
    try:  # any other reader: one call per document, still only once
        return array("I", ((reader.doc_field_length(d, fieldname, 1) or 1) for d in range(count)))
    except Exception:  # noqa: BLE001 - fall back to Whoosh's own per-document reads
        return False


def doc_langs(searcher) -> bytes:
    """The language of every document of the searcher's (top) reader, as indexes of LANGUAGES."""
    reader = searcher.reader()
    cache = _cache(reader)
    found = cache.get("langs")
    if found is None:
        codes = bytearray([NO_LANG]) * reader.doc_count_all()
        for i, lang in enumerate(LANGUAGES):
            if reader.doc_frequency("lang", lang):
                _mark(codes, reader, "lang", lang, i)
        found = cache["langs"] = bytes(codes)
    return found


def _mark(codes: bytearray, reader, fieldname: str, text: str, code: int) -> None:
    """Set ``code`` for every live document containing a term, reading the postings a block at a
    time (Whoosh's matchers give them one call at a time: 35 ms for the languages of 100,000
    documents, a tenth of a cold `kb search`)."""
    try:
        for leaf, base in reader.leaf_readers():
            field = leaf.schema[fieldname]
            btext = field.to_bytes(text)
            if (fieldname, btext) not in leaf:
                continue
            matcher = leaf._terms.matcher(fieldname, btext, field.format)
            while matcher.is_active():
                matcher._read_ids()
                for docnum in matcher._ids:
                    codes[base + docnum] = code
                matcher._next_block()
            if leaf.has_deletions():
                for docnum in leaf.deleted_docs_set:
                    if codes[base + docnum] == code:
                        codes[base + docnum] = NO_LANG
    except AttributeError:  # another codec: Whoosh's own matcher
        for docnum in reader.postings(fieldname, text).all_ids():
            codes[docnum] = code


class _PL2Scorer(scoring.PL2Scorer):
    def _score(self, weight, length):
        return float(pl2(weight, self.cf, self.dc, length, self.avgfl, self.c))


class ArrayPL2(scoring.PL2):
    """The Whoosh weighting model of a searcher (for Whoosh's own matchers), scoring with
    ranking.pl2, field lengths read from the per-reader arrays."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        scorer = _PL2Scorer(searcher, fieldname, text, self.c, qf=qf)
        if getattr(scorer, "dfl", None) is not None:
            lengths = field_lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer
