"""Analysed documents (indexer/pool.py) added to Whoosh's writer, and a rebuild's postings kept
in memory, term by term, instead of in Whoosh's external sort.

`add_analysed` does what ``SegmentWriter.update_document`` does with a document whose fields
were indexed elsewhere: committed documents holding one of its unique values are deleted, its
postings go to the writer's pool, its stored fields and lengths to the per-document writer.

A rebuild writes one new segment into an empty index. Whoosh's pool there is a general external
sort: every posting (5.7 million at 10,000 entries) is a tuple, pickled to a run file on disk
past ``limitmb``, read back and heap-merged at the commit, and at the commit each posting's
field length is looked up again in the length column just written. `BulkPostings` keeps each
term's postings in arrays as documents arrive (numbered in order, so each list is already in
document order), sorts only the terms at the commit, and gives the field writer each posting's
length from its own list of the same quantized lengths. The field writer receives the same calls
in the same order as from Whoosh's pool, so the segment it writes is the same (a test compares
a pooled rebuild with a one-process one, document by document and term by term).

With whoosh3's postings writer, a term's postings are given to it a block (128 postings) at a
time, as the state ``add_posting`` leaves (`_add_blocks`, its private attributes), instead of
one ``add`` call per posting: at 3,000 entries the commit's postings took 3.2-4.9 s of CPU
instead of 4.5-6.2 s (two runs), the segment's files byte for byte the same (a test compares).
Another postings writer gets the calls per posting, with a RuntimeWarning saying so.
"""
from __future__ import annotations

import warnings
from array import array

from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte


def add_analysed(writer, unique: list[tuple[str, str]], fields: list[tuple]) -> None:
    """Add one analysed document (`pool.analysed_fields`) to a Whoosh SegmentWriter, replacing
    committed documents with the same ``unique`` (field, value) pairs, as update_document does."""
    writer._check_state()
    if unique and writer.segments:
        with writer.searcher() as searcher:
            for docnum in searcher._find_unique(unique):
                writer.delete_document(docnum)
    docnum = writer.docnum
    perdoc = writer.perdocwriter
    schema = writer.schema
    bulk = writer.pool if isinstance(writer.pool, BulkPostings) else None
    perdoc.start_doc(docnum)
    for name, stored, length, terms, weights, values in fields:
        field = schema[name]
        if bulk is not None:
            bulk.add_field(name, docnum, length, terms, weights, values)
        else:
            add = writer.pool.add
            for tbytes, weight, vbytes in zip(terms, weights, values):
                add((name, tbytes, docnum, weight, vbytes))
        perdoc.add_field(name, field, stored, length)
    perdoc.finish_doc()
    writer._added = True
    writer.docnum += 1


def use_bulk_postings(writer) -> None:
    """Give a writer of a new, empty index (a rebuild) in-memory postings (see above)."""
    if writer.segments or writer.docnum:
        raise ValueError("bulk postings are for a writer of an empty index")
    bulk = BulkPostings(writer)
    writer.pool = bulk
    writer._flush_segment = bulk.flush  # the instance's own: Whoosh's calls pool.iter_postings


class BulkPostings:
    """A rebuild's postings: field -> term -> (document numbers, weights, encoded values)."""

    def __init__(self, writer):
        self.writer = writer
        self.fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        # field -> per-document length as the length column gives it back (None: no length)
        self.lengths: dict[str, list] = {}
        self._quantized: dict[int, int | None] = {}

    def add_field(self, name, docnum, length, terms, weights, values) -> None:
        if length:
            lengths = self.lengths.setdefault(name, [])
            if len(lengths) < docnum:
                lengths.extend([None] * (docnum - len(lengths)))
            q = self._quantized.get(length, -1)
            if q == -1:
                lb = length_to_byte(length)
                q = self._quantized[length] = byte_to_length(lb) if lb else None
            lengths.append(q)
        postings = self.fields.get(name)
        if postings is None:
            postings = self.fields[name] = {}
        for tbytes, weight, vbytes in zip(terms, weights, values):
            term = postings.get(tbytes)
            if term is None:
                term = postings[tbytes] = (array("I"), array("d"), [])
            term[0].append(docnum)
            term[1].append(weight)
            term[2].append(vbytes)

    def add(self, item) -> None:  # Whoosh's pool interface: only rebuilds use this pool
        raise RuntimeError("a rebuild's writer takes analysed documents only")

    def flush(self) -> None:
        """Write the segment's postings (in place of ``SegmentWriter._flush_segment``)."""
        writer = self.writer
        writer.perdocwriter.close()
        fieldwriter = writer.fieldwriter
        schema = writer.schema
        docs = writer.docnum
        warned = False
        for name in sorted(self.fields):
            postings = self.fields[name]
            lengths = self.lengths.get(name)
            if lengths is not None and len(lengths) < docs:
                lengths.extend([None] * (docs - len(lengths)))
            fieldwriter.start_field(name, schema[name])
            postwriter = getattr(fieldwriter, "_postwriter", None)
            blocks = blocks_of(postwriter)
            if not blocks and not warned:
                _warn_per_posting(postwriter)
                warned = True
            add = fieldwriter.add
            for tbytes in sorted(postings):
                docnums, weights, values = postings[tbytes]
                fieldwriter.start_term(tbytes)
                if blocks:
                    _add_blocks(postwriter, docnums, weights, values, lengths)
                elif lengths is None:
                    for docnum, weight, vbytes in zip(docnums, weights, values):
                        add(docnum, weight, vbytes if vbytes is not None else b"", 0)
                else:
                    for docnum, weight, vbytes in zip(docnums, weights, values):
                        add(docnum, weight, vbytes if vbytes is not None else b"", lengths[docnum])
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        self.fields.clear()

    def cleanup(self) -> None:
        self.fields.clear()


_BLOCK_STATE = ("_blocklimit", "_byteids", "_write_block", "_new_block")


def blocks_of(postwriter) -> bool:
    """Can a term's postings be given to this postings writer a block at a time?"""
    return type(postwriter) is W3PostingsWriter and all(hasattr(postwriter, a) for a in _BLOCK_STATE) \
        and not postwriter._byteids


def _warn_per_posting(postwriter) -> None:
    """Not silently slower: another Whoosh or codec gets its postings one by one."""
    kind = type(postwriter)
    warnings.warn(f"kb: the postings writer {kind.__module__}.{kind.__name__} is not whoosh3's "
                  "W3PostingsWriter that indexer/bulkwrite.py writes blocks to; this rebuild writes "
                  "its postings one by one (slower)", RuntimeWarning, stacklevel=3)


def _add_blocks(pw, docnums: array, weights: array, values: list, lengths: list | None) -> None:
    """What ``add_posting`` per posting leaves in a whoosh3 postings writer's block, a block at a
    time: the block's ids, weights, non-empty values, largest weight (from 0) and smallest and
    largest non-zero length; a full block is written when the next posting comes, as there."""
    limit = pw._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            pw._write_block()
        ids = docnums[start:start + limit]
        block_weights = weights[start:start + limit]
        pw._ids = ids
        pw._weights = array("f", block_weights)
        pw._values = [v for v in values[start:start + limit] if v]
        top = max(block_weights)
        pw._maxweight = top if top > 0 else 0
        if lengths is not None:
            present = [n for n in map(lengths.__getitem__, ids) if n]
            if present:
                pw._minlength, pw._maxlength = min(present), max(present)
