"""Evaluating a query over postings arrays: every match of a term scored at once, with numpy.

Whoosh matches and scores one document at a time in Python, through a tree of matchers; on
10,000 entries that was four fifths of the search path (benchmarks/README.md). Here the same
Whoosh query objects are evaluated bottom-up instead: a term's postings are read from the index
into two arrays (document numbers, term frequencies), scored in one vectorized PL2 expression,
and combined with the other clauses in dense score arrays (sum for Or, max for DisjunctionMax,
intersection for And and phrases). Whoosh stays the index; only its matching loop is replaced.

Decoded postings are kept in a cache bounded in bytes and shared by the threads of a server, keyed
by segment: segments never change once written, and deletions are applied when a searcher reads
them, so a cached list stays true across incremental commits.

One deliberate difference from Whoosh: its DisjunctionMaxMatcher scores a document with the
maximum of its sub-matchers' *current* scores even when a sub-matcher sits on another document,
and ignores the tie-breaker; here a document's DisjunctionMax score is the best of its own
matching clauses plus ``tiebreak`` times the others, as the query says.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from math import log, pi

import numpy as np
from whoosh import query as Q

from .readercache import field_lengths

_REC_LOG2_OF_E = 1.0 / log(2)
_POSITION_BITS = 24  # a position key: document number << 24 | position in the field
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024
_TERMS_REMEMBERED = 100_000  # collection frequencies a scorer keeps (a float each)
_ENTRY_BYTES = 200  # what an entry of the cache costs beyond its arrays (key, tuple, links)


@dataclass(frozen=True)
class Matches:
    """Matching documents (global document numbers, ascending) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


EMPTY = Matches(np.empty(0, np.int64), np.empty(0, np.float64))
_NONE = (np.empty(0, np.int32), np.empty(0, np.float32))  # a term a segment does not hold


class PostingCache:
    """Decoded postings by (segment, field, term), least recently used dropped beyond a byte budget."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        size = value[0].nbytes + value[1].nbytes + _ENTRY_BYTES
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (ids, tf) = self._items.popitem(last=False)
                self._bytes -= ids.nbytes + tf.nbytes + _ENTRY_BYTES

    @property
    def size_bytes(self) -> int:
        return self._bytes


class ArrayScorer:
    """Evaluates Whoosh queries against one searcher's index with PL2 scoring (Whoosh's formula)."""

    def __init__(self, searcher, c: float, cache: PostingCache | None = None, namespace: str = ""):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.c = c
        self.cache = cache if cache is not None else PostingCache()
        self.doc_count = searcher.doc_count_all()
        # a segment is known by its index (``namespace``), its id and its size: never rewritten
        self.leaves = [(leaf, base, _segment_key(namespace, leaf)) for leaf, base in self.reader.leaf_readers()]
        self._avgfl: dict[str, float] = {}
        self._cf: dict[tuple[str, str], float] = {}  # collection frequencies of terms seen

    # -- public --------------------------------------------------------------------------
    def evaluate(self, query, memo: dict | None = None) -> Matches:
        """Every document the query matches, with its score. ``memo`` keeps each term's matches
        between the calls that share it (the queries of one search: results, facets, coverage)."""
        if query is None or query is Q.NullQuery:
            return EMPTY
        memo = {} if memo is None else memo
        method = getattr(self, "_" + type(query).__name__, None)
        if method is None:
            return self._fallback(query)
        return method(query, memo)

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The live documents (global numbers, ascending) containing a term, and its frequency in each."""
        parts = [(ids + base, tf) for ids, tf, base, _ in self._leaf_postings(fieldname, text)]
        if not parts:
            return EMPTY.ids, np.empty(0, np.float32)
        if len(parts) == 1:
            return parts[0]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold the term, deleted ones included (as Whoosh's reader counts)."""
        return sum(len(ids) for ids, _ in self._raw(fieldname, text))

    # -- leaves ----------------------------------------------------------------------------
    def _Term(self, q, memo) -> Matches:
        found = memo.get((q.fieldname, q.text))
        if found is None:
            found = memo[(q.fieldname, q.text)] = self._term(q.fieldname, q.text)
        return _boosted(found, q.boost)

    def _term(self, fieldname, text) -> Matches:
        if fieldname not in self.schema:
            return EMPTY
        scorable = self.schema[fieldname].scorable
        if scorable:
            cf, avgfl = self._stats(fieldname, text)
            if not cf:
                return EMPTY
        ids_parts, score_parts = [], []
        for ids, tf, base, leaf in self._leaf_postings(fieldname, text):
            tf = tf.astype(np.float64)
            if scorable:
                lengths = _lengths(leaf, fieldname)
                fl = lengths[ids] if lengths is not None else np.ones(len(ids))
                scores = _pl2(tf, cf, self.doc_count, fl, avgfl, self.c)
            else:
                scores = tf
            ids_parts.append(ids.astype(np.int64) + base)
            score_parts.append(scores)
        if not ids_parts:
            return EMPTY
        ids = ids_parts[0] if len(ids_parts) == 1 else np.concatenate(ids_parts)
        scores = score_parts[0] if len(score_parts) == 1 else np.concatenate(score_parts)
        return Matches(ids, scores)

    def _Phrase(self, q, memo) -> Matches:
        words = list(q.words)
        if not words:
            return EMPTY
        parts = [self._Term(Q.Term(q.fieldname, w), memo) for w in words]
        if any(not len(p) for p in parts):
            return EMPTY
        common = parts[0].ids
        for p in parts[1:]:
            common = _intersect(common, p.ids)
        if not len(common):
            return EMPTY
        if len(words) > 1:  # the words in order, next to each other (Whoosh's spans, slop 1)
            common = _intersect(common, self._adjacent(q.fieldname, words, common))
            if not len(common):
                return EMPTY
        total = np.zeros(len(common))
        for p in parts:  # Whoosh's phrase score: the sum of its words' scores
            total += p.scores[np.searchsorted(p.ids, common)]
        return Matches(common, total * q.boost)

    def _adjacent(self, fieldname, words, candidates) -> np.ndarray:
        """The candidates where ``words`` stand at consecutive positions: each word's (document,
        position) keys shifted back by its place in the phrase, intersected."""
        btexts = [self.schema[fieldname].to_bytes(w) for w in words]
        found = []
        for leaf, base, key in self.leaves:
            local = candidates[(candidates >= base) & (candidates < base + leaf.doc_count_all())] - base
            if not len(local):
                continue
            wanted = np.zeros(leaf.doc_count_all(), bool)
            wanted[local] = True
            keys = None
            for offset, btext in enumerate(btexts):
                word_keys = self._positions(leaf, key, fieldname, btext)
                word_keys = word_keys[wanted[word_keys >> _POSITION_BITS]] - offset  # candidates' only
                keys = word_keys if keys is None else _intersect(keys, word_keys)
                if not len(keys):
                    break
            if keys is not None and len(keys):
                found.append(_distinct_sorted(keys >> _POSITION_BITS) + base)
        return np.concatenate(found) if found else EMPTY.ids

    def _positions(self, leaf, key, fieldname, btext) -> np.ndarray:
        cache_key = (key, fieldname, btext, "positions") if key is not None else None
        found = self.cache.get(cache_key) if cache_key is not None else None
        if found is None:
            found = (_read_positions(leaf, fieldname, btext), EMPTY.ids[:0])
            if cache_key is not None:
                self.cache.put(cache_key, found)
        return found[0]

    # -- compounds -------------------------------------------------------------------------
    def _Or(self, q, memo) -> Matches:
        subs = [m for m in (self.evaluate(s, memo) for s in q.subqueries) if len(m)]
        if not subs:
            return EMPTY
        if len(subs) == 1:
            result = subs[0]
        else:
            total = np.zeros(self.doc_count)
            hit = np.zeros(self.doc_count, bool)
            for m in subs:
                total[m.ids] += m.scores
                hit[m.ids] = True
            ids = np.flatnonzero(hit)
            result = Matches(ids, total[ids])
        return _boosted(result, q.boost)

    def _DisjunctionMax(self, q, memo) -> Matches:
        subs = [m for m in (self.evaluate(s, memo) for s in q.subqueries) if len(m)]
        if not subs:
            return EMPTY
        if len(subs) == 1:
            result = subs[0]
        else:
            best = np.full(self.doc_count, -np.inf)
            total = np.zeros(self.doc_count)
            for m in subs:
                best[m.ids] = np.maximum(best[m.ids], m.scores)  # a clause's ids are unique
                total[m.ids] += m.scores
            ids = np.flatnonzero(best > -np.inf)
            top = best[ids]
            result = Matches(ids, top + q.tiebreak * (total[ids] - top))
        return _boosted(result, q.boost)

    def _And(self, q, memo) -> Matches:
        subs = [self.evaluate(s, memo) for s in q.subqueries]
        if not subs or any(not len(m) for m in subs):
            return EMPTY
        ids = subs[0].ids
        for m in subs[1:]:
            ids = _intersect(ids, m.ids)
        total = np.zeros(len(ids))
        for m in subs:
            total += m.scores[np.searchsorted(m.ids, ids)]
        return _boosted(Matches(ids, total), q.boost)

    def _AndMaybe(self, q, memo) -> Matches:
        required = self.evaluate(q.a, memo)
        if not len(required):
            return EMPTY
        optional = self.evaluate(q.b, memo)
        scores = required.scores.copy()
        if len(optional):
            where = np.searchsorted(optional.ids, required.ids)
            where[where == len(optional.ids)] = 0
            present = optional.ids[where] == required.ids
            scores[present] += optional.scores[where[present]]
        return Matches(required.ids, scores)

    def _fallback(self, query) -> Matches:
        """A query this module does not know: Whoosh matches and scores it, document by document."""
        results = self.searcher.search(query, limit=None)
        pairs = sorted((hit.docnum, hit.score) for hit in results)
        if not pairs:
            return EMPTY
        ids, scores = zip(*pairs)
        return Matches(np.array(ids, np.int64), np.array(scores, np.float64))

    # -- reading postings -----------------------------------------------------------------
    def _leaf_postings(self, fieldname, text):
        """Each segment's live postings of a term: (local ids, frequencies, segment base, segment reader)."""
        for (ids, tf), (leaf, base, _) in zip(self._raw(fieldname, text), self.leaves):
            if not len(ids):
                continue
            live = _live_mask(leaf)
            if live is not None:
                keep = live[ids]
                ids, tf = ids[keep], tf[keep]
            if len(ids):
                yield ids, tf, base, leaf

    def _raw(self, fieldname, text) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each segment's postings of a term as written, deleted documents included (a term a
        segment lacks is cached too, as empty arrays: no dictionary lookup the next time)."""
        try:
            btext = self.schema[fieldname].to_bytes(text)
        except ValueError:
            btext = None
        found = []
        for leaf, _, key in self.leaves:
            cache_key = (key, fieldname, text) if key is not None else None
            arrays = self.cache.get(cache_key) if cache_key is not None else None
            if arrays is None:
                if btext is None or (fieldname, btext) not in leaf:
                    arrays = _NONE
                else:
                    arrays = _read_postings(leaf, fieldname, btext)
                if cache_key is not None:
                    self.cache.put(cache_key, arrays)
            found.append(arrays)
        return found

    def _stats(self, fieldname, text) -> tuple[float, float]:
        """(collection frequency, average field length) as Whoosh's PL2 scorer reads them: the
        term's total frequency over every segment, deleted documents included."""
        cf = self._cf.get((fieldname, text))
        if cf is None:
            cf = float(sum(tf.sum(dtype=np.float64) for _, tf in self._raw(fieldname, text)))
            if len(self._cf) >= _TERMS_REMEMBERED:
                self._cf.clear()
            self._cf[(fieldname, text)] = cf
        avgfl = self._avgfl.get(fieldname)
        if avgfl is None:
            avgfl = self._avgfl[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return cf, avgfl


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values two sorted arrays of distinct values share, sorted: the shorter one looked up
    in the longer by binary search (no sorting, unlike numpy's intersect1d)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    where = np.searchsorted(b, a)
    where[where == len(b)] = 0
    return a[b[where] == a]


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if len(values) < 2:
        return values
    keep = np.empty(len(values), bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _boosted(m: Matches, boost: float) -> Matches:
    return m if boost == 1.0 else Matches(m.ids, m.scores * boost)


def _pl2(tf, cf, dc, fl, avgfl, c):
    """Whoosh's scoring.pl2 over arrays (query frequency 1)."""
    TF = tf * np.log(1.0 + (c * avgfl) / fl)
    norm = 1.0 / (TF + 1.0)
    f = cf / dc
    return norm * (TF * log(1.0 / f) + f * _REC_LOG2_OF_E + 0.5 * np.log(2 * pi * TF)
                   + TF * (np.log(TF) - _REC_LOG2_OF_E))


def _segment_key(namespace: str, leaf) -> tuple | None:
    try:
        return (namespace, leaf._segment.segment_id(), leaf.doc_count_all())
    except AttributeError:
        return None


def _lengths(leaf, fieldname) -> np.ndarray | None:
    cache = leaf.__dict__.setdefault("_kb_np_lengths", {})
    found = cache.get(fieldname)
    if found is None:
        lengths = field_lengths(leaf, fieldname)
        found = cache[fieldname] = (np.frombuffer(lengths, dtype=np.uint32).astype(np.float64)
                                    if lengths is not None else False)
    return found if found is not False else None


def _live_mask(leaf) -> np.ndarray | None:
    """Which of a segment's documents are not deleted (None when none is)."""
    deleted = leaf.deleted_docs_set if hasattr(leaf, "deleted_docs_set") else ()
    if not deleted:
        return None
    found = leaf.__dict__.get("_kb_live")
    if found is None:
        found = np.ones(leaf.doc_count_all(), bool)
        found[np.fromiter(deleted, np.int64, len(deleted))] = False
        leaf.__dict__["_kb_live"] = found
    return found


def _read_postings(leaf, fieldname, btext) -> tuple[np.ndarray, np.ndarray]:
    """All postings of a term in one segment, deleted documents included (filtered by the caller)."""
    matcher = leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
    if hasattr(matcher, "_read_data") and hasattr(matcher, "_goto"):
        return _read_blocks(matcher)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, np.int32), np.array(weights, np.float32)


def _read_blocks(m) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh 3's block postings read block by block: ids are stored as deltas within a block."""
    deltas, weights, sizes = [], [], []
    while not m._atend and m._blocklength:
        if m._data is None:
            m._read_data()
        block_ids, block_weights = m._data[0], m._data[1]
        n = len(block_ids)
        deltas.extend(block_ids)
        sizes.append(n)
        if block_weights is None:
            weights.append(np.ones(n, np.float32))
        elif isinstance(block_weights, float):
            weights.append(np.full(n, block_weights, np.float32))
        else:
            weights.append(np.asarray(block_weights, np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    if not sizes:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    running = np.cumsum(np.asarray(deltas, np.int64))
    # each block's deltas start from 0: take away what the blocks before it summed to
    starts = np.cumsum([0] + sizes[:-1])
    before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0)
    ids = running - np.repeat(before, sizes)
    return ids.astype(np.int32), np.concatenate(weights) if len(weights) > 1 else weights[0]


def _read_positions(leaf, fieldname, btext) -> np.ndarray:
    """Every (document, position) of a term in one segment as sorted keys (document << 24 | position)."""
    fmt = leaf.schema[fieldname].format
    matcher = leaf._terms.matcher(fieldname, btext, fmt)
    keys: list[int] = []
    limit = (1 << _POSITION_BITS) - 1
    while matcher.is_active():
        doc = matcher.id() << _POSITION_BITS
        keys.extend(doc | min(p, limit) for p in matcher.value_as("positions"))
        matcher.next()
    return np.unique(np.array(keys, np.int64))
