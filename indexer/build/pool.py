"""Analysing a build's files in a pool of processes, feeding the one Whoosh writer.

A full build spends most of its time in kb's analysis (parsing, the analyzers, concept
tagging), Whoosh's own per-field analysis (``field.index``) and Whoosh's writer. With
``Settings.build_workers`` > 1 (``KB_BUILD_WORKERS``, default: the cores) and enough files to
analyse, the parent reads and hashes the files (it must know which changed), worker processes
(indexer/build/forked.py: forked once the analyzers and the concept matcher exist, they inherit them)
turn each chunk of changed files into its documents: each one's field lengths, stored fields
(pickled and compressed as the index keeps them), unique values and the facts the learned
bridges need (indexer/bridges/facts.py), and the chunk's postings grouped by field and term
(indexer/build/bulkwrite.py). The parent adds them to the writer in the files' order, so documents get
the same numbers, duplicate ids are decided the same way and problems are reported in the same
order as by the one-process build; a rebuild's commit encodes the postings in workers too
(indexer/build/postencode.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pickle import dumps
from typing import Callable, Iterable, Iterator, Sequence

from whoosh import formats
from whoosh.system import pack_uint

from kb.loader import FileProblem, decode, parse_entry
from kb.model import Problem

from indexer.bridges.facts import EntryFacts, Extractor
from indexer.build.bulkwrite import ChunkPostings, chunk_postings, stored_bytes
from indexer.documents import entry_document
from indexer.build.forked import forked_map

# Fewer files to analyse than this and the files are analysed in-process (starting workers and
# moving documents between processes cost more than they save on a few files).
POOL_MIN_FILES = 16
CHUNK = 64  # files per task sent to a worker (fewer when that would leave a worker idle)
FIELD_BOOST = 1.0  # Whoosh's default field boost (documents give no _boost keywords)


@dataclass
class Analysed:
    """A changed file made a document: its entry id, the problems that did not stop it, what
    the per-document writer keeps of it, and where its postings are (its chunk's)."""
    entry_id: str
    problems: list[Problem]
    unique: list[tuple[str, str]]  # (field, value) of the unique fields, as update_document finds them
    lengths: list[tuple[str, int]]  # (field, length) of the fields with a length, in field order
    stored: bytes | None  # bulkwrite.stored_bytes
    facts: EntryFacts | None = None  # what the entry gives the learned bridges (indexer/bridges)
    local: int = 0  # its number in its chunk
    chunk: ChunkPostings | None = field(default=None, repr=False)  # set in the parent


@dataclass(frozen=True)
class Failed:
    """A changed file that is not an entry (empty, binary, not UTF-8 ...)."""
    message: str
    line: int | None


@dataclass
class Chunk:
    results: list  # Analysed | Failed, in the files' order
    postings: ChunkPostings


def analysed_fields(schema, document: dict, tokens: dict | None = None) -> list[tuple]:
    """(name, stored value, length, terms, weights, encoded values) per field, in the order
    Whoosh's ``SegmentWriter.add_document`` visits them (sorted names), with what it computes:
    ``field.index(value)`` for indexed fields, the frequencies summed for scorable ones.
    ``tokens``: a field's tokens word by word (`documents.entry_document`), encoded here as
    ``field.index`` encodes the tokens its analyzer makes (`_encode`), without analysing again."""
    out = []
    for name in sorted(n for n in document if not n.startswith("_")):
        value = document[name]
        if value is None:
            continue
        field_ = schema[name]
        stored = value if field_.stored else None
        words = tokens.get(name) if tokens is not None and field_.indexed else None
        if words is not None and _encodes(field_.format):
            out.append((name, stored, *_encode(field_.format, words, field_.scorable)))
            continue
        length = 0
        terms: list[bytes] = []
        weights: list[float] = []
        values: list[bytes] = []
        if field_.indexed:
            scorable = field_.scorable
            for tbytes, freq, weight, vbytes in field_.index(value):
                terms.append(tbytes)
                weights.append(weight * FIELD_BOOST)
                values.append(vbytes)
                if scorable:
                    length += freq
        out.append((name, stored, length, terms, weights, values))
    return out


def _encodes(fmt) -> bool:
    return type(fmt) in (formats.Positions, formats.Frequency) and fmt.field_boost == 1.0


def _encode(fmt, words: list[tuple[str, ...]], scorable: bool) -> tuple:
    """(length, terms, weights, values) as ``Positions`` / ``Frequency.word_values`` give them
    for these tokens (position i: the tokens of word i; each token's boost 1.0)."""
    positions: dict[str, list[int]] = {}
    for pos, texts in enumerate(words):
        for text in texts:
            found = positions.get(text)
            if found is None:
                positions[text] = [pos]
            else:
                found.append(pos)
    terms = [text.encode("utf-8") for text in positions]
    counts = [len(p) for p in positions.values()]
    weights = [float(n) * FIELD_BOOST for n in counts]
    if type(fmt) is formats.Frequency:
        values = [pack_uint(n) for n in counts]
    else:
        values = [pack_uint(len(p)) + dumps([p[0], *(b - a for a, b in zip(p, p[1:]))], 2)
                  for p in positions.values()]
    return (sum(counts) if scorable else 0), terms, weights, values


def supports(schema) -> bool:
    """Fields whose indexing `analysed_fields` and the bulk writer reproduce: no term vectors,
    no columns, no separate spelling words."""
    return all(not f.vector and f.column_type is None and not f.separate_spelling()
               for _, f in schema.items())


@dataclass(frozen=True)
class _Tools:
    analysis: object
    matcher: object
    schema: object
    extractor: Extractor | None


def document_of(source, key, digest, data, analysis, matcher, schema, extractor=None):
    """One changed file as (Analysed, its fields as `analysed_fields` gives them), or Failed;
    with an ``extractor``, the entry's facts for the bridges too (from the JSON stored)."""
    try:
        entry, problems = parse_entry(source, decode(data))
    except FileProblem as exc:
        return Failed(exc.message, exc.line)
    tokens: dict = {}
    document = entry_document(entry, key, digest, analysis, matcher, tokens)
    unique = [(name, document[name]) for name, f in schema.items() if f.unique and name in document]
    facts = extractor.extract(json.loads(document["data"])) if extractor is not None else None
    fields = analysed_fields(schema, document, tokens)
    lengths = [(name, length) for name, _, length, *_ in fields if length]
    return Analysed(entry.id, problems, unique, lengths, stored_bytes(fields), facts), fields


def analyse_chunk(tools: _Tools, jobs: list[tuple]) -> Chunk:
    """A chunk of changed files (source, key, digest, bytes) as the writer's input."""
    results, documents = [], []
    for source, key, digest, data in jobs:
        found = document_of(source, key, digest, data, tools.analysis, tools.matcher, tools.schema,
                            tools.extractor)
        if isinstance(found, Failed):
            results.append(found)
            continue
        analysed, fields = found
        analysed.local = len(documents)
        documents.append(fields)
        results.append(analysed)
    return Chunk(results, chunk_postings(documents))


def analyse(source, key, digest, data, analysis, matcher, schema, extractor=None) -> Analysed | Failed:
    """One changed file as the writer's input, a chunk of its own."""
    chunk = analyse_chunk(_Tools(analysis, matcher, schema, extractor), [(source, key, digest, data)])
    return next(_results([chunk]))


def workers_for(setting: int, files: int) -> int:
    """How many worker processes analyse ``files`` changed files (1: none, in-process)."""
    if setting <= 1 or files < POOL_MIN_FILES:
        return 1
    return min(setting, max(1, files // 8))


def chunks_of(jobs: list, workers: int) -> list[list]:
    """The jobs in chunks of at most CHUNK, at least four per worker when there are enough."""
    size = max(1, min(CHUNK, -(-len(jobs) // (4 * workers))))
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


def index_files(sources: Sequence, read: Callable, finish: Callable, workers: int,
                analysis, matcher, schema, progress: Callable | None = None) -> None:
    """Read every source (``read``: a Changed, a Problem or None), analyse the changed ones in
    ``workers`` processes and hand each result, in the sources' order, to
    ``finish(outcome, result)`` (``result`` is None for a Problem or an unchanged file)."""
    outcomes = [read(source) for source in sources]
    jobs = [(o.source, o.key, o.digest, o.data) for o in outcomes if _is_changed(o)]
    workers = workers_for(workers, len(jobs))
    if workers <= 1:
        tools = _Tools(analysis, matcher, schema, None)
        chunks = (analyse_chunk(tools, chunk) for chunk in chunks_of(jobs, 1))
        _finish_all(sources, outcomes, _results(chunks), finish, progress)
        return
    tools = _Tools(analysis, matcher, schema, Extractor(analysis))
    with forked_map(analyse_chunk, tools, chunks_of(jobs, workers), workers) as chunks:
        _finish_all(sources, outcomes, _results(chunks), finish, progress)


def _results(chunks: Iterable[Chunk]) -> Iterator:
    for chunk in chunks:
        for result in chunk.results:
            if isinstance(result, Analysed):
                result.chunk = chunk.postings
            yield result


def _is_changed(outcome) -> bool:
    return outcome is not None and not isinstance(outcome, Problem)


def _finish_all(sources, outcomes, results, finish, progress) -> None:
    for done, (source, outcome) in enumerate(zip(sources, outcomes), 1):
        if progress:
            progress(done, len(sources), source.rel)
        finish(outcome, next(results) if _is_changed(outcome) else None)


def map_ordered(function: Callable, jobs: Sequence, workers: int, analysis, matcher, schema) -> Iterable:
    """The results of ``function(chunk, analysis, matcher, schema)`` (a list of results, one
    per job of the chunk) yielded in the jobs' order: the jobs cut in chunks as a build's files
    (`chunks_of`), computed in ``workers`` forked processes (forked.forked_map), or in this
    process for few jobs (`workers_for`)."""
    jobs = list(jobs)
    workers = workers_for(workers, len(jobs))
    if workers <= 1:
        for chunk in chunks_of(jobs, 1):
            yield from function(chunk, analysis, matcher, schema)
        return
    state = (function, analysis, matcher, schema)
    with forked_map(_call_chunk, state, chunks_of(jobs, workers), workers) as results:
        for chunk in results:
            yield from chunk


def _call_chunk(state: tuple, jobs: list) -> list:
    function, analysis, matcher, schema = state
    return function(jobs, analysis, matcher, schema)
