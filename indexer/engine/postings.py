"""What the engine reads from one Whoosh segment, as numpy arrays: a term's postings and
positions, a field's lengths, the documents of a term (the languages), the deletions.

Whoosh 3 writes a term's postings in blocks of up to 128: the ids as deltas, the weights, and the
values (positions), pickled and compressed. They are decoded here block by block into two arrays
(document numbers within the segment, frequencies), deleted documents included: a segment never
changes once written, so the arrays are cached by segment (engine/segments.py) and stay true
across incremental commits; the deletions are applied by whoever reads them (``live_mask``).
Positions, needed by phrases only, are read as sorted (document << 24 | position) keys.

Each field's lengths are one byte per document in Whoosh 3's length column (read whole, kept as
those bytes: PL2 reads the length of every matching document; one read per document from the
unmapped segment file was a third of the engine's time at 1,000 entries, benchmarks/README.md).

These are the only reads of Whoosh's private names (``_terms``, ``_read_data``, ``_goto``,
``_perdoc``, ``_segment``…); where one is missing, the public per-document calls answer instead,
through ``SlowPaths.take``.
"""
from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from indexer.engine.slowpaths import SlowPaths

POSITION_BITS = 24  # a position key: document number << 24 | position in the field
NONE = (np.empty(0, np.int32), np.empty(0, np.float32))  # a term a segment does not hold
# a length byte -> the length it stands for (a document without the field counts as length 1)
LENGTH_OF_BYTE = np.array([byte_to_length(b) or 1 for b in range(256)], np.float64)


def segment_key(namespace: str, leaf, slow: SlowPaths) -> tuple:
    """What identifies a segment's data: the index it is read from (``namespace``), its id, its size."""
    try:
        return (namespace, leaf._segment.segment_id(), leaf.doc_count_all())
    except AttributeError as missing:
        slow.take("segment key", str(missing))
        return (namespace, "reader", id(leaf), leaf.doc_count_all())  # this reader only


def deleted_count(leaf) -> int:
    return leaf.doc_count_all() - leaf.doc_count()


def live_mask(leaf, slow: SlowPaths) -> np.ndarray | None:
    """Which of a segment's documents are not deleted (None when none is)."""
    if not deleted_count(leaf):
        return None
    if hasattr(leaf, "deleted_docs_set"):
        deleted = leaf.deleted_docs_set
    else:
        slow.take("deletions", f"{type(leaf).__name__} has no deleted_docs_set")
        deleted = set(range(leaf.doc_count_all())) - set(leaf.all_doc_ids())
    mask = np.ones(leaf.doc_count_all(), bool)
    mask[np.fromiter(deleted, np.int64, len(deleted))] = False
    return mask


def read_postings(leaf, fieldname: str, btext: bytes, slow: SlowPaths) -> tuple[np.ndarray, np.ndarray]:
    """All postings of a term in one segment, deleted documents included (filtered by the caller)."""
    matcher = leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
    if hasattr(matcher, "_read_data") and hasattr(matcher, "_goto"):
        return _read_blocks(matcher)
    slow.take("postings", f"{type(matcher).__name__} has no _read_data/_goto")
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


def read_positions(leaf, fieldname: str, btext: bytes) -> np.ndarray:
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


def read_lengths(leaf, fieldname: str, slow: SlowPaths) -> np.ndarray:
    """Every document's length in ``fieldname`` in one segment: Whoosh 3's length bytes (uint8,
    LENGTH_OF_BYTE gives the length), or else the lengths themselves (float64)."""
    count = leaf.doc_count_all()
    try:  # the whole length column at once (whoosh3 codec: one byte per document)
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:  # no document has the field
            return np.zeros(count, np.uint8)
        if column._fixedlen == 1:
            raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), np.uint8)
            if len(raw) < count:
                raw = np.concatenate([raw, np.zeros(count - len(raw), np.uint8)])
            return raw
        why = f"length column of {column._fixedlen} bytes"
    except AttributeError as missing:
        why = str(missing)
    slow.take("field lengths", why)
    return np.array([leaf.doc_field_length(d, fieldname, 1) or 1 for d in range(count)], np.float64)


def lengths_at(lengths: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The lengths (float64) of documents ``ids`` from what ``read_lengths`` returned."""
    if lengths.dtype == np.uint8:
        return LENGTH_OF_BYTE[lengths[ids]]
    return lengths[ids]
