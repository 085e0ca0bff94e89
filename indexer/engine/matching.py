"""Evaluating a query over postings arrays: every match of a term scored at once, with numpy.

Whoosh matches and scores one document at a time in Python, through a tree of matchers; on
10,000 entries that was four fifths of the search path (benchmarks/README.md). Here the query
tree (engine/queries.py) is evaluated bottom-up instead: a term's postings are read from the
index into two arrays (document numbers, term frequencies), scored in one vectorized PL2
expression (indexer/ranking.py), and combined with the other clauses in dense score arrays (sum
for Or, max for DisjunctionMax, intersection for And and phrases). Whoosh stays the index; only
its matching loop is replaced.

The postings are read by engine/postings.py and kept in the snapshot's segment cache (bounded in
bytes, shared by the threads of a server); deletions are applied here.

One deliberate difference from Whoosh: its DisjunctionMaxMatcher scores a document with the
maximum of its sub-matchers' *current* scores even when a sub-matcher sits on another document,
and ignores the tie-breaker; here a document's DisjunctionMax score is the best of its own
matching clauses plus ``tiebreak`` times the others, as the query says.
"""
from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from indexer.ranking import pl2
from indexer.engine import queries as Q
from indexer.engine.postings import NONE, POSITION_BITS, lengths_at, read_lengths, read_positions, read_postings
from indexer.engine.segments import array_bytes

if TYPE_CHECKING:
    from indexer.engine.index import Snapshot
# A memo holding a dict under this key records every query node's matches there, by id(node):
# (node, Matches). indexer/search/explain.py reads an explanation from what the ranking computed.
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
    """Evaluates query trees against one snapshot of the index with PL2 scoring (ranking.pl2)."""

    def __init__(self, snapshot: "Snapshot", c: float):
        self.snapshot = snapshot
        self.schema = snapshot.schema
        self.c = c
        self.cache = snapshot.cache
        self.slow = snapshot.slow
        self.doc_count = snapshot.doc_count
        self.segments = snapshot.segments
        self._avgfl: dict[str, float] = {}  # one per field of the schema

    # -- public --------------------------------------------------------------------------
    def evaluate(self, query, memo: dict | None = None) -> Matches:
        """Every document the query matches, with its score. ``memo`` keeps each term's matches
        between the calls that share it (the queries of one search: results, facets, coverage)."""
        if query is None:
            return EMPTY
        memo = {} if memo is None else memo
        found = getattr(self, "_" + type(query).__name__)(query, memo)
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
        return sum(len(ids) for ids, _, _ in self._raw(fieldname, text))

    # -- leaves ----------------------------------------------------------------------------
    def _Term(self, q, memo) -> Matches:
        found = memo.get((q.fieldname, q.text))
        if found is None:
            found = memo[(q.fieldname, q.text)] = self.scored(q.fieldname, q.text)
        return _boosted(found, q.boost)

    def scored(self, fieldname, text) -> Matches:
        """A term's matches scored, kept in the segment cache for this snapshot: they depend on
        the commit (its statistics and deletions) and the scorer's ``c`` only, not on the query.
        Read-only arrays: every search shares them."""
        key = (self.snapshot.key, "scored", self.c, fieldname, text)
        found = self.cache.get(key)
        if found is None:
            found = self._term(fieldname, text)
            found.ids.flags.writeable = False
            found.scores.flags.writeable = False
            self.cache.put(key, found, found.ids.nbytes + found.scores.nbytes)
        return found

    def _term(self, fieldname, text) -> Matches:
        if fieldname not in self.schema:
            return EMPTY
        scorable = self.schema[fieldname].scorable
        if scorable:
            cf, avgfl = self._stats(fieldname, text)
            if not cf:
                return EMPTY
        ids_parts, score_parts = [], []
        for ids, tf, base, segment in self._leaf_postings(fieldname, text):
            tf = tf.astype(np.float64)
            if scorable:
                fl = lengths_at(self._lengths(segment, fieldname), ids)
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
        for segment in self.segments:
            base, size = segment.base, segment.size
            local = candidates[(candidates >= base) & (candidates < base + size)] - base
            if not len(local):
                continue
            wanted = np.zeros(size, bool)
            wanted[local] = True
            keys = None
            for offset, btext in enumerate(btexts):
                word_keys = self._positions(segment, fieldname, btext)
                word_keys = word_keys[wanted[word_keys >> POSITION_BITS]] - offset  # candidates' only
                keys = word_keys if keys is None else _intersect(keys, word_keys)
                if not len(keys):
                    break
            if keys is not None and len(keys):
                found.append(_distinct_sorted(keys >> POSITION_BITS) + base)
        return np.concatenate(found) if found else EMPTY.ids

    def _positions(self, segment, fieldname, btext) -> np.ndarray:
        return self.cache.fetch((segment.key, "positions", fieldname, btext),
                                lambda: read_positions(segment.leaf, fieldname, btext), array_bytes)

    def _lengths(self, segment, fieldname) -> np.ndarray:
        return self.cache.fetch((segment.key, "lengths", fieldname),
                                lambda: read_lengths(segment.leaf, fieldname, self.slow), array_bytes)

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

    # -- reading postings -----------------------------------------------------------------
    def _leaf_postings(self, fieldname, text):
        """Each segment's live postings of a term: (local ids, frequencies, segment base, segment)."""
        for (ids, tf, _), segment in zip(self._raw(fieldname, text), self.segments):
            if not len(ids):
                continue
            live = self.snapshot.live(segment)
            if live is not None:
                keep = live[ids]
                ids, tf = ids[keep], tf[keep]
            if len(ids):
                yield ids, tf, segment.base, segment

    def _raw(self, fieldname, text) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """Each segment's postings of a term as written, deleted documents included, and their
        total frequency (a term a segment lacks is cached too, as empty arrays: no dictionary
        lookup the next time)."""
        try:
            btext = self.schema[fieldname].to_bytes(text)
        except ValueError:
            btext = None
        found = []
        for segment in self.segments:
            key = (segment.key, "postings", fieldname, text)
            arrays = self.cache.get(key)
            if arrays is None:
                if btext is None or (fieldname, btext) not in segment.leaf:
                    ids, tf = NONE
                else:
                    ids, tf = read_postings(segment.leaf, fieldname, btext, self.slow)
                arrays = (ids, tf, tf.sum(dtype=np.float64))
                self.cache.put(key, arrays, ids.nbytes + tf.nbytes)
            found.append(arrays)
        return found

    def _stats(self, fieldname, text) -> tuple[float, float]:
        """(collection frequency, average field length) as Whoosh's PL2 scorer reads them: the
        term's total frequency over every segment, deleted documents included."""
        cf = float(sum(total for _, _, total in self._raw(fieldname, text)))
        avgfl = self._avgfl.get(fieldname)
        if avgfl is None:
            avgfl = self._avgfl[fieldname] = self.snapshot.avg_field_length(fieldname)
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

