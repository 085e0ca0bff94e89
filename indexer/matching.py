"""Evaluating a query over postings arrays: every match of a term scored at once, with numpy.

Whoosh matches and scores one document at a time in Python, through a tree of matchers; on
10,000 entries that was four fifths of the search path (benchmarks/README.md). Here the same
Whoosh query objects are evaluated bottom-up instead: a term's postings are read from the index
into two arrays (document numbers, term frequencies), scored in one vectorized PL2 expression,
and combined with the other clauses in dense score arrays (sum for Or, max for DisjunctionMax,
intersection for And and phrases). Whoosh stays the index; only its matching loop is replaced.

The postings are read and cached by indexer/postings.py (a cache bounded in bytes, shared by the
threads of a server); deletions are applied here, per searcher.

One deliberate difference from Whoosh: its DisjunctionMaxMatcher scores a document with the
maximum of its sub-matchers' *current* scores even when a sub-matcher sits on another document,
and ignores the tie-breaker; here a document's DisjunctionMax score is the best of its own
matching clauses plus ``tiebreak`` times the others, as the query says.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as Q

from .ranking import pl2
from .postings import (NONE, POSITION_BITS, PostingCache, length_array, live_mask, read_positions,
                       read_postings, segment_key)

_TERMS_REMEMBERED = 100_000  # collection frequencies a scorer keeps (a float each)
# A memo holding a dict under this key records every query node's matches there, by id(node):
# (node, Matches). indexer/explain.py reads an explanation from what the ranking computed.
TRACE = "trace"


@dataclass(frozen=True)
class Matches:
    """Matching documents (global document numbers, ascending) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


EMPTY = Matches(np.empty(0, np.int64), np.empty(0, np.float64))


class ArrayScorer:
    """Evaluates Whoosh queries against one searcher's index with PL2 scoring (ranking.pl2)."""

    def __init__(self, searcher, c: float, cache: PostingCache | None = None, namespace: str = ""):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.c = c
        self.cache = cache if cache is not None else PostingCache()
        self.doc_count = searcher.doc_count_all()
        # a segment is known by its index (``namespace``), its id and its size: never rewritten
        self.leaves = [(leaf, base, segment_key(namespace, leaf)) for leaf, base in self.reader.leaf_readers()]
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
        found = self._fallback(query) if method is None else method(query, memo)
        trace = memo.get(TRACE)
        if trace is not None:
            trace[id(query)] = (query, found)
        return found

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
                lengths = length_array(leaf, fieldname)
                fl = lengths[ids] if lengths is not None else np.ones(len(ids))
                scores = pl2(tf, cf, self.doc_count, fl, avgfl, self.c)
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
                word_keys = word_keys[wanted[word_keys >> POSITION_BITS]] - offset  # candidates' only
                keys = word_keys if keys is None else _intersect(keys, word_keys)
                if not len(keys):
                    break
            if keys is not None and len(keys):
                found.append(_distinct_sorted(keys >> POSITION_BITS) + base)
        return np.concatenate(found) if found else EMPTY.ids

    def _positions(self, leaf, key, fieldname, btext) -> np.ndarray:
        cache_key = (key, fieldname, btext, "positions") if key is not None else None
        found = self.cache.get(cache_key) if cache_key is not None else None
        if found is None:
            found = (read_positions(leaf, fieldname, btext), EMPTY.ids[:0])
            if cache_key is not None:
                self.cache.put(cache_key, found)
        return found[0]

    # -- compounds -------------------------------------------------------------------------
    def _Or(self, q, memo) -> Matches:
        return self._union(q, memo, self._sum)

    def _DisjunctionMax(self, q, memo) -> Matches:
        return self._union(q, memo, lambda subs: self._best(subs, q.tiebreak))

    def _union(self, q, memo, combine) -> Matches:
        """The documents any clause matches, scored by ``combine`` when more than one matches."""
        subs = [m for m in (self.evaluate(s, memo) for s in q.subqueries) if len(m)]
        if not subs:
            return EMPTY
        return _boosted(subs[0] if len(subs) == 1 else combine(subs), q.boost)

    def _sum(self, subs) -> Matches:
        total = np.zeros(self.doc_count)
        hit = np.zeros(self.doc_count, bool)
        for m in subs:
            total[m.ids] += m.scores
            hit[m.ids] = True
        ids = np.flatnonzero(hit)
        return Matches(ids, total[ids])

    def _best(self, subs, tiebreak: float) -> Matches:
        best = np.full(self.doc_count, -np.inf)
        total = np.zeros(self.doc_count)
        for m in subs:
            best[m.ids] = np.maximum(best[m.ids], m.scores)  # a clause's ids are unique
            total[m.ids] += m.scores
        ids = np.flatnonzero(best > -np.inf)
        top = best[ids]
        return Matches(ids, top + tiebreak * (total[ids] - top))

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
            live = live_mask(leaf)
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
                    arrays = NONE
                else:
                    arrays = read_postings(leaf, fieldname, btext)
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

