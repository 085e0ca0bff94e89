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
"""
from __future__ import annotations

from array import array

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
        for name in sorted(self.fields):
            postings = self.fields[name]
            lengths = self.lengths.get(name)
            if lengths is not None and len(lengths) < docs:
                lengths.extend([None] * (docs - len(lengths)))
            fieldwriter.start_field(name, schema[name])
            add = fieldwriter.add
            for tbytes in sorted(postings):
                docnums, weights, values = postings[tbytes]
                fieldwriter.start_term(tbytes)
                if lengths is None:
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
