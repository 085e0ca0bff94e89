"""Analysed documents (indexer/build/pool.py) added to Whoosh's writer, and a rebuild's postings kept
in memory instead of in Whoosh's external sort.

Workers analyse the files in chunks and send each chunk's postings grouped by field and term
(`chunk_postings`: one sorted list of terms and flat arrays of chunk-local document numbers,
weights and encoded values), not document by document: at 10,000 entries there are 5.7 million
postings but 1.8 million (field, term, chunk of 64) pieces, and the parent handles none of them
one by one. Each document comes with its field lengths and its stored fields already pickled
and compressed as whoosh3's stored column writes them (`stored_bytes`).

`add_analysed` does what ``SegmentWriter.update_document`` does with such a document: committed
documents holding one of its unique values are deleted, its lengths and stored fields go to the
per-document writer, and its number is recorded in its chunk (a chunk's document that is not
added, a duplicate id, has none). In an update the chunk's postings then go to Whoosh's pool;
in a rebuild (one new segment in an empty index) `BulkPostings` keeps the chunks as they came,
and at the commit indexer/engine/postencode.py merges each term's pieces and encodes them, in worker
processes, giving the field writer each posting's length from its own list of the same quantized
lengths. The segment written is byte for byte a one-process build's (tests compare).
"""
from __future__ import annotations

import pickle
import zlib
from array import array
from collections import Counter
from itertools import accumulate, repeat
from operator import itemgetter
from dataclasses import dataclass, field

from whoosh.codec import whoosh3
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.engine import postencode

_STORED_LEVEL = whoosh3.STORED_COLUMN._child._level  # zlib level of whoosh3's stored column


@dataclass
class FieldPostings:
    """One field's postings of a chunk of documents: term i's postings are [starts[i], starts[i+1])."""
    terms: list[bytes]  # sorted
    starts: array
    docs: array  # chunk-local document numbers, in order within each term
    weights: array
    values: list


@dataclass
class ChunkPostings:
    fields: dict[str, FieldPostings]
    count: int  # documents of the chunk (analysed ones)
    docnums: array | None = None  # chunk-local -> index document number (-1: not added); the parent's
    base: int | None = None  # the first document's number when all were added in a row (at the commit)


def chunk_postings(documents: list[list[tuple]]) -> ChunkPostings:
    """The postings of a chunk's documents (each as `fieldencode.analysed_fields` gives its fields),
    document i numbered i: each field's postings put in a row, then sorted by term (a stable
    sort: each term's in document order), at C speed (no Python step per posting)."""
    flat: dict[str, tuple[list, list, list, list]] = {}
    for local, fields in enumerate(documents):
        for name, _stored, _length, terms, weights, values in fields:
            if not terms:
                continue
            lists = flat.get(name)
            if lists is None:
                lists = flat[name] = ([], [], [], [])
            lists[0].extend(terms)
            lists[1].extend(repeat(local, len(terms)))
            lists[2].extend(weights)
            lists[3].extend(values)
    out = {}
    for name, (terms, docs, weights, values) in flat.items():
        order = sorted(range(len(terms)), key=terms.__getitem__)
        if len(order) > 1:
            pick = itemgetter(*order)
            docs, weights, values = pick(docs), pick(weights), list(pick(values))
        counts = Counter(terms)
        unique = sorted(counts)
        out[name] = FieldPostings(unique, array("I", accumulate(map(counts.__getitem__, unique), initial=0)),
                                  array("I", docs), array("d", weights), values)
    return ChunkPostings(out, len(documents))


def stored_bytes(fields: list[tuple]) -> bytes | None:
    """A document's stored fields as whoosh3's stored column keeps them (pickled, compressed)."""
    stored = {name: value for name, value, *_ in fields if value is not None}
    return zlib.compress(pickle.dumps(stored, 2), _STORED_LEVEL) if stored else None


def _stored_column(perdoc):
    """The stored column's writer of compressed bytes, when it is whoosh3's as `stored_bytes`
    assumes; None otherwise (the stored fields are then given to ``add_field``)."""
    column = getattr(perdoc, "_colwriters", {}).get("_stored")
    child = getattr(column, "_child", None)
    if type(column) is PickleColumn.Writer and type(child) is CompressedBytesColumn.Writer \
            and child._level == _STORED_LEVEL and child._compress is zlib.compress:
        return child
    return None


def add_analysed(writer, analysed, pending: ChunkPostings | None) -> ChunkPostings | None:
    """Add one analysed document (`pool.Analysed`) to a Whoosh SegmentWriter, replacing committed
    documents with the same unique (field, value) pairs, as update_document does. ``pending``: a
    chunk whose postings are not yet in Whoosh's pool (an update); the one pending after this."""
    writer._check_state()
    if analysed.unique and writer.segments:
        with writer.searcher() as searcher:
            for docnum in searcher._find_unique(analysed.unique):
                writer.delete_document(docnum)
    docnum = writer.docnum
    perdoc = writer.perdocwriter
    schema = writer.schema
    perdoc.start_doc(docnum)
    for name, length in analysed.lengths:
        perdoc.add_field(name, schema[name], None, length)
    column = _stored_column(perdoc) if analysed.stored is not None else None
    if analysed.stored is not None and column is None:
        for name, value in pickle.loads(zlib.decompress(analysed.stored)).items():
            perdoc.add_field(name, schema[name], value, 0)
    perdoc.finish_doc()
    if column is not None:
        VarBytesColumn.Writer.add(column, docnum, analysed.stored)
    chunk = analysed.chunk
    if chunk.docnums is None:
        chunk.docnums = array("i", [-1]) * chunk.count
    chunk.docnums[analysed.local] = docnum
    bulk = writer.pool if isinstance(writer.pool, BulkPostings) else None
    if bulk is not None:
        bulk.add_chunk(chunk, docnum, analysed.lengths)
    elif chunk is not pending:
        if pending is not None:
            add_postings(writer, pending)
        pending = chunk
    writer._added = True
    writer.docnum += 1
    return None if bulk is not None else pending


def add_postings(writer, chunk: ChunkPostings) -> None:
    """A chunk's postings of the documents added, into Whoosh's pool (an update's writer)."""
    add = writer.pool.add
    mapping = chunk.docnums
    for name, postings in chunk.fields.items():
        docs, weights, values, starts = postings.docs, postings.weights, postings.values, postings.starts
        for i, tbytes in enumerate(postings.terms):
            for j in range(starts[i], starts[i + 1]):
                docnum = mapping[docs[j]]
                if docnum >= 0:
                    add((name, tbytes, docnum, weights[j], values[j]))


def use_bulk_postings(writer, workers: int = 1) -> None:
    """Give a writer of a new, empty index (a rebuild) in-memory postings (see above), encoded
    at the commit by ``workers`` processes."""
    if writer.segments or writer.docnum:
        raise ValueError("bulk postings are for a writer of an empty index")
    bulk = BulkPostings(writer, workers)
    writer.pool = bulk
    writer._flush_segment = bulk.flush  # the instance's own: Whoosh's calls pool.iter_postings


@dataclass
class BulkPostings:
    """A rebuild's postings: the chunks as the workers sent them, and the field lengths."""
    writer: object
    workers: int = 1  # processes encoding the postings at the commit (1: this one)
    chunks: list[ChunkPostings] = field(default_factory=list)
    # field -> per-document length as the length column gives it back (None: no length)
    lengths: dict[str, list] = field(default_factory=dict)
    terms: dict[str, list[bytes]] = field(default_factory=dict)  # field -> its terms, sorted (at the commit)
    sizes: dict[str, int] = field(default_factory=dict)  # field -> postings (at the commit)
    _quantized: dict[int, int | None] = field(default_factory=dict)

    def add_chunk(self, chunk: ChunkPostings, docnum: int, lengths: list[tuple[str, int]]) -> None:
        """Document ``docnum`` of ``chunk`` was added, with these field lengths."""
        if not self.chunks or self.chunks[-1] is not chunk:
            self.chunks.append(chunk)
        for name, length in lengths:
            column = self.lengths.setdefault(name, [])
            if len(column) < docnum:
                column.extend([None] * (docnum - len(column)))
            q = self._quantized.get(length, -1)
            if q == -1:
                lb = length_to_byte(length)
                q = self._quantized[length] = byte_to_length(lb) if lb else None
            column.append(q)

    def add(self, item) -> None:  # Whoosh's pool interface: only rebuilds use this pool
        raise RuntimeError("a rebuild's writer takes analysed documents only")

    def flush(self) -> None:
        """Write the segment's postings (in place of ``SegmentWriter._flush_segment``)."""
        writer = self.writer
        writer.perdocwriter.close()
        docs = writer.docnum
        for column in self.lengths.values():
            if len(column) < docs:
                column.extend([None] * (docs - len(column)))
        terms: dict[str, set] = {}
        for chunk in self.chunks:
            mapping = chunk.docnums
            first = mapping[0]
            chunk.base = first if first >= 0 and all(d == first + i for i, d in enumerate(mapping)) else None
            for name, postings in chunk.fields.items():
                terms.setdefault(name, set()).update(postings.terms)
                self.sizes[name] = self.sizes.get(name, 0) + len(postings.docs)
        self.terms = {name: sorted(found) for name, found in terms.items()}
        postencode.write_postings(self, writer.fieldwriter, self.workers)
        writer.fieldwriter.close()
        self.chunks.clear()

    def cleanup(self) -> None:
        self.chunks.clear()
