"""Analysing a build's files in a pool of processes, feeding the one Whoosh writer.

A full build spends most of its time in kb's analysis (parsing, the analyzers, concept
tagging), Whoosh's own per-field analysis (``field.index``) and Whoosh's writer. With
``Settings.build_workers`` > 1 (``KB_BUILD_WORKERS``, default: the cores) and enough files to
analyse, the parent reads and hashes the files (it must know which changed), worker processes
(indexer/forked.py: forked once the analyzers and the concept matcher exist, they inherit them)
turn each chunk of changed files into its documents: each one's field lengths, stored fields
(pickled and compressed as the index keeps them), unique values and the facts the learned
bridges need (indexer/bridges/facts.py), and the chunk's postings grouped by field and term
(indexer/engine/bulkwrite.py). The parent adds them to the writer in the files' order, so documents get
the same numbers, duplicate ids are decided the same way and problems are reported in the same
order as by the one-process build; a rebuild's commit encodes the postings in workers too
(indexer/engine/postencode.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from kb.loader import FileProblem, decode, parse_entry
from kb.model import Problem

from indexer.bridges.facts import EntryFacts, Extractor
from indexer.engine.bulkwrite import ChunkPostings, chunk_postings, stored_bytes
from indexer.engine.fieldencode import analysed_fields
from indexer.documents import entry_document
from indexer.forked import forked_map

# Fewer files to analyse than this and the files are analysed in-process (starting workers and
# moving documents between processes cost more than they save on a few files).
POOL_MIN_FILES = 16
# Files per task sent to a worker (fewer when that would leave a worker idle). A rebuild's commit
# merges each term's postings one piece per chunk holding the term (postencode.merged): 256
# rather than 64 files cut a 10,000-entry rebuild's encoding from 13.0 to 8.5 CPU seconds.
CHUNK = 256


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
