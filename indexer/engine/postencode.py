"""A rebuild's postings (indexer/engine/bulkwrite.py) encoded as whoosh3's postings writer encodes them.

The documents arrive in chunks, each chunk's postings already grouped by term (`FieldPostings`),
so a term's postings are the concatenation of its pieces in the chunks, in order, each piece's
chunk-local document numbers mapped to the index's. At the commit the sorted terms of each field
are cut into slices of about equal numbers of postings; each slice is merged and encoded into a
file of its own, in worker processes forked then (`forked.forked_map`: they inherit the postings)
or in this process, and the parent writes the slices' bytes in order into the postings file and
each term's info (its extent moved to where the slice landed) into the terms table, as
``W3FieldWriter.finish_term`` would. The bytes are those that posting-by-posting ``add`` calls
leave (a test compares the segment files with a one-process build's, byte for byte).

A term's postings are given to the postings writer a block (128 postings) at a time, as the state
``add_posting`` leaves (`_add_blocks`, its private attributes); another postings writer than
whoosh3's gets them posting by posting in this process, with a RuntimeWarning saying so.
"""
from __future__ import annotations

import io
import warnings
from array import array
from bisect import bisect_left, bisect_right

from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter, W3TermInfo
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_ushort

from indexer.forked import forked_map

# Encoding workers start when a rebuild has at least this many postings; each gets about this
# many slices of terms (small slices even out terms of very different lengths).
ENCODE_MIN_POSTINGS = 200_000
ENCODE_TASKS_PER_WORKER = 16
_BLOCK_STATE = ("_blocklimit", "_byteids", "_write_block", "_new_block")


def blocks_of(postwriter) -> bool:
    """Can a term's postings be given to this postings writer a block at a time?"""
    return type(postwriter) is W3PostingsWriter and all(hasattr(postwriter, a) for a in _BLOCK_STATE) \
        and not postwriter._byteids


def write_postings(bulk, fieldwriter, workers: int) -> None:
    """Every field's postings of ``bulk`` (a BulkPostings) through ``fieldwriter``."""
    if type(fieldwriter) is not W3FieldWriter or not blocks_of(fieldwriter._codec.postings_writer(None)):
        _warn_per_posting(getattr(fieldwriter, "_postwriter", None) or fieldwriter)
        _write_per_posting(bulk, fieldwriter)
        return
    total = sum(bulk.sizes.values())
    if workers > 1 and total >= ENCODE_MIN_POSTINGS:
        tasks = _slices(bulk, max(1, total // (workers * ENCODE_TASKS_PER_WORKER)))
        with forked_map(encode_slice, bulk, tasks, min(workers, len(tasks))) as encoded:
            _write_encoded(bulk, fieldwriter, tasks, encoded)
    else:
        tasks = [(name, 0, len(bulk.terms[name])) for name in sorted(bulk.terms)]
        _write_encoded(bulk, fieldwriter, tasks, (encode_slice(bulk, task) for task in tasks))


def _slices(bulk, share: int) -> list[tuple[str, int, int]]:
    """(field, first term, end) slices of each field's sorted terms, about ``share`` postings
    each (a field's postings taken as spread evenly over its terms)."""
    tasks = []
    for name in sorted(bulk.terms):
        count = len(bulk.terms[name])
        pieces = max(1, min(count, round(bulk.sizes[name] / share)))
        bounds = [count * i // pieces for i in range(pieces + 1)]
        tasks.extend((name, a, b) for a, b in zip(bounds, bounds[1:]) if b > a)
    return tasks


def merged(bulk, name: str, start: int, end: int):
    """(term, document numbers, weights, values) of the field's terms[start:end], in order."""
    terms = bulk.terms[name][start:end]
    if not terms:
        return
    pieces: dict[bytes, list] = {t: [] for t in terms}
    first, last = terms[0], terms[-1]
    for chunk in bulk.chunks:
        postings = chunk.fields.get(name)
        if postings is None:
            continue
        chunk_terms = postings.terms
        for i in range(bisect_left(chunk_terms, first), bisect_right(chunk_terms, last)):
            pieces[chunk_terms[i]].append((chunk, postings, i))
    for term in terms:
        docnums, weights, values = array("I"), array("d"), []
        for chunk, postings, i in pieces[term]:
            s, e = postings.starts[i], postings.starts[i + 1]
            base = chunk.base
            if base is not None:  # every document of the chunk was added, in a row
                docnums.extend([base + d for d in postings.docs[s:e]])
                weights.extend(postings.weights[s:e])
                values.extend(postings.values[s:e])
                continue
            mapping = chunk.docnums
            for j in range(s, e):
                d = mapping[postings.docs[j]]
                if d >= 0:
                    docnums.append(d)
                    weights.append(postings.weights[j])
                    values.append(postings.values[j])
        if docnums:
            yield term, docnums, weights, values


def encode_slice(bulk, task: tuple[str, int, int]) -> tuple[bytes, list]:
    """One slice of a field's terms: their postings as whoosh3's postings writer writes them,
    into a file of their own, and each term's info (its extent relative to that file; None for
    a term none of whose documents was added)."""
    name, start, end = task
    lengths = bulk.lengths.get(name)
    fmt = bulk.writer.schema[name].format
    memory = io.BytesIO()
    pw = bulk.writer.fieldwriter._codec.postings_writer(StructFile(memory))
    infos = {}
    for term, docnums, weights, values in merged(bulk, name, start, end):
        pw.start_postings(fmt, W3TermInfo())
        _add_blocks(pw, docnums, weights, values, lengths)
        infos[term] = pw.finish_postings()
    return memory.getvalue(), [infos.get(t) for t in bulk.terms[name][start:end]]


def _write_encoded(bulk, fieldwriter, tasks, encoded) -> None:
    """The slices' postings written to the postings file, each term's info to the terms table."""
    schema = bulk.writer.schema
    postfile, tindex = fieldwriter._postfile, fieldwriter._tindex
    current = prefix = None
    for (name, start, end), (blob, infos) in zip(tasks, encoded):
        if not any(info is not None for info in infos):
            continue
        if name != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(name, schema[name])
            prefix = pack_ushort(fieldwriter._fieldid)
            current = name
        base = postfile.tell()
        postfile.write(blob)
        for term, info in zip(bulk.terms[name][start:end], infos):
            if info is None:
                continue
            if not info.is_inlined():
                offset, length = info.extent()
                info.set_extent(base + offset, length)
            tindex.add(prefix + term, info.to_bytes())
    if current is not None:
        fieldwriter.finish_field()


def _write_per_posting(bulk, fieldwriter) -> None:
    schema = bulk.writer.schema
    for name in sorted(bulk.terms):
        lengths = bulk.lengths.get(name)
        started = False
        for term, docnums, weights, values in merged(bulk, name, 0, len(bulk.terms[name])):
            if not started:
                fieldwriter.start_field(name, schema[name])
                started = True
            fieldwriter.start_term(term)
            for docnum, weight, vbytes in zip(docnums, weights, values):
                fieldwriter.add(docnum, weight, vbytes if vbytes is not None else b"",
                                lengths[docnum] if lengths is not None else 0)
            fieldwriter.finish_term()
        if started:
            fieldwriter.finish_field()


def _warn_per_posting(postwriter) -> None:
    """Not silently slower: another Whoosh or codec gets its postings one by one."""
    kind = type(postwriter)
    warnings.warn(f"kb: the postings writer {kind.__module__}.{kind.__name__} is not whoosh3's "
                  "W3PostingsWriter that indexer/engine/postencode.py writes blocks to; this rebuild writes "
                  "its postings one by one (slower)", RuntimeWarning, stacklevel=4)


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
