"""A Whoosh segment's postings as numpy arrays, and the cache that keeps them.

Whoosh 3 writes a term's postings in blocks of up to 128: the ids as deltas, the weights, and the
values (positions), pickled and compressed. They are decoded here block by block into two arrays
(document numbers within the segment, frequencies), deleted documents included: a segment never
changes once written, so the arrays can be cached by segment and stay true across incremental
commits; the deletions are applied by whoever reads them (``live_mask``). Positions, needed by
phrases only, are read as sorted (document << 24 | position) keys.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from .readercache import field_lengths

POSITION_BITS = 24  # a position key: document number << 24 | position in the field
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024
_ENTRY_BYTES = 200  # what an entry of the cache costs beyond its arrays (key, tuple, links)
NONE = (np.empty(0, np.int32), np.empty(0, np.float32))  # a term a segment does not hold


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


def segment_key(namespace: str, leaf) -> tuple | None:
    try:
        return (namespace, leaf._segment.segment_id(), leaf.doc_count_all())
    except AttributeError:
        return None


def length_array(leaf, fieldname) -> np.ndarray | None:
    """Every document's length in a field of one segment, as floats (None if unknown)."""
    cache = leaf.__dict__.setdefault("_kb_np_lengths", {})
    found = cache.get(fieldname)
    if found is None:
        lengths = field_lengths(leaf, fieldname)
        found = cache[fieldname] = (np.frombuffer(lengths, dtype=np.uint32).astype(np.float64)
                                    if lengths is not None else False)
    return found if found is not False else None


def live_mask(leaf) -> np.ndarray | None:
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


def read_postings(leaf, fieldname, btext) -> tuple[np.ndarray, np.ndarray]:
    """All postings of a term in one segment, deleted documents included (filtered by the caller)."""
    matcher = leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
    if hasattr(matcher, "_read_data") and hasattr(matcher, "_goto"):
        return read_blocks(matcher)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, np.int32), np.array(weights, np.float32)


def read_blocks(m) -> tuple[np.ndarray, np.ndarray]:
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


def read_positions(leaf, fieldname, btext) -> np.ndarray:
    """Every (document, position) of a term in one segment as sorted keys (document << 24 | position)."""
    fmt = leaf.schema[fieldname].format
    matcher = leaf._terms.matcher(fieldname, btext, fmt)
    keys: list[int] = []
    limit = (1 << POSITION_BITS) - 1
    while matcher.is_active():
        doc = matcher.id() << POSITION_BITS
        keys.extend(doc | min(p, limit) for p in matcher.value_as("positions"))
        matcher.next()
    return np.unique(np.array(keys, np.int64))
