"""Analysing a build's files in a pool of processes, feeding the one Whoosh writer.

A full build spends about half its time in kb's analysis (parsing, the analyzers, concept
tagging) and Whoosh's own per-field analysis (``field.index``), and half in Whoosh's writer.
With ``Settings.build_workers`` > 1 (``KB_BUILD_WORKERS``, default: the cores) and enough files
to analyse, the parent reads and hashes the files (it must know which changed), worker processes
turn each changed file into its analysed document, the list of every field's terms, weights and
encoded postings exactly as ``field.index`` gives them (`analysed_fields`), and the parent adds
them to the writer in the files' order (`indexer/bulkwrite.py`). So documents get the same
numbers, duplicate ids are decided the same way and problems are reported in the same order as
by the one-process build.

Workers are forked from the parent once its analyzers and concept matcher exist, and inherit
them. A worker asks the kernel to kill it when the parent dies (``PR_SET_PDEATHSIG``), checks
that the parent it started under is still there, and has a thread that ends the process when the
parent's end of a pipe closes (the parent's death closes it); so a SIGKILLed ``kb index`` leaves
no worker behind (each also holds a copy of the index lock, released when they die).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from kb.loader import FileProblem, decode, parse_entry
from kb.model import Problem

from .documents import entry_document

# Fewer files to analyse than this and the files are analysed in-process (starting workers and
# moving documents between processes cost more than they save on a few files).
POOL_MIN_FILES = 16
CHUNK = 8  # files per task sent to a worker
FIELD_BOOST = 1.0  # Whoosh's default field boost (documents give no _boost keywords)
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Analysed:
    """A changed file made a document: its entry id, the problems that did not stop it, and its
    fields as `analysed_fields` gives them."""
    entry_id: str
    problems: list[Problem]
    unique: list[tuple[str, str]]  # (field, value) of the unique fields, as update_document finds them
    fields: list[tuple]


@dataclass(frozen=True)
class Failed:
    """A changed file that is not an entry (empty, binary, not UTF-8 ...)."""
    message: str
    line: int | None


def analysed_fields(schema, document: dict) -> list[tuple]:
    """(name, stored value, length, terms, weights, encoded values) per field, in the order
    Whoosh's ``SegmentWriter.add_document`` visits them (sorted names), with what it computes:
    ``field.index(value)`` for indexed fields, the frequencies summed for scorable ones."""
    out = []
    for name in sorted(n for n in document if not n.startswith("_")):
        value = document[name]
        if value is None:
            continue
        field = schema[name]
        length = 0
        terms: list[bytes] = []
        weights: list[float] = []
        values: list[bytes] = []
        if field.indexed:
            scorable = field.scorable
            for tbytes, freq, weight, vbytes in field.index(value):
                terms.append(tbytes)
                weights.append(weight * FIELD_BOOST)
                values.append(vbytes)
                if scorable:
                    length += freq
        out.append((name, value if field.stored else None, length, terms, weights, values))
    return out


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
    parent: int
    alive: tuple[int, int]  # a pipe whose writing end only the parent keeps open


_tools: list[_Tools] = []  # a worker's analyzers, inherited at the fork (set once per worker)


def _start_worker(tools: _Tools) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # a parent's death closes its pipes a moment before the kernel sends the signal below: a
    # worker writing a result then dies of SIGPIPE, quietly, rather than with a traceback
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pipe below remains
        pass
    if os.getppid() != tools.parent:  # the parent died before the request above
        os._exit(1)
    # where there is no such signal: the parent's end of this pipe closes when it dies (without
    # either, a worker was seen outliving its parent, waiting for a lock a dying sibling held)
    read_end, write_end = tools.alive
    os.close(write_end)
    threading.Thread(target=_exit_at_eof, args=(read_end,), daemon=True).start()
    _tools.append(tools)


def _exit_at_eof(fd: int) -> None:
    while os.read(fd, 1):
        pass
    os._exit(1)


def _analyse(job: tuple) -> Analysed | Failed:
    tools = _tools[0]
    if os.getppid() != tools.parent:
        os._exit(1)
    source, key, digest, data = job
    return analyse(source, key, digest, data, tools.analysis, tools.matcher, tools.schema)


def analyse(source, key, digest, data, analysis, matcher, schema) -> Analysed | Failed:
    """One changed file as the writer's input (what a worker does with it)."""
    try:
        entry, problems = parse_entry(source, decode(data))
    except FileProblem as exc:
        return Failed(exc.message, exc.line)
    document = entry_document(entry, key, digest, analysis, matcher)
    unique = [(name, document[name]) for name, field in schema.items() if field.unique and name in document]
    return Analysed(entry.id, problems, unique, analysed_fields(schema, document))


def workers_for(setting: int, files: int) -> int:
    """How many worker processes analyse ``files`` changed files (1: none, in-process)."""
    if setting <= 1 or files < POOL_MIN_FILES:
        return 1
    return min(setting, max(1, files // CHUNK))


def index_files(sources: Sequence, read: Callable, finish: Callable, workers: int,
                analysis, matcher, schema, progress: Callable | None = None) -> None:
    """Read every source (``read``: a Changed, a Problem or None), analyse the changed ones in
    ``workers`` processes and hand each result, in the sources' order, to
    ``finish(outcome, result)`` (``result`` is None for a Problem or an unchanged file)."""
    outcomes = [read(source) for source in sources]
    jobs = [(o.source, o.key, o.digest, o.data) for o in outcomes if _is_changed(o)]
    workers = workers_for(workers, len(jobs))
    if workers <= 1:
        results: Iterable = (analyse(*job, analysis, matcher, schema) for job in jobs)
        _finish_all(sources, outcomes, iter(results), finish, progress)
        return
    ctx = multiprocessing.get_context("fork")
    alive = os.pipe()
    tools = _Tools(analysis, matcher, schema, os.getpid(), alive)
    try:
        pool = ctx.Pool(workers, initializer=_start_worker, initargs=(tools,))
        try:
            _finish_all(sources, outcomes, pool.imap(_analyse, jobs, chunksize=CHUNK), finish, progress)
            pool.close()
        finally:
            pool.terminate()
            pool.join()
    finally:
        os.close(alive[0])
        os.close(alive[1])


def _is_changed(outcome) -> bool:
    return outcome is not None and not isinstance(outcome, Problem)


def _finish_all(sources, outcomes, results, finish, progress) -> None:
    for done, (source, outcome) in enumerate(zip(sources, outcomes), 1):
        if progress:
            progress(done, len(sources), source.rel)
        finish(outcome, next(results) if _is_changed(outcome) else None)


def map_ordered(function: Callable, jobs: Sequence, workers: int, analysis, matcher, schema) -> Iterable:
    """``function(job, analysis, matcher, schema)`` for each job, yielded in the jobs' order:
    computed in ``workers`` forked processes set up as a build's (``function`` a module-level
    function, its results picklable), or in this process for few jobs (`workers_for`)."""
    workers = workers_for(workers, len(jobs))
    if workers <= 1:
        yield from (function(job, analysis, matcher, schema) for job in jobs)
        return
    ctx = multiprocessing.get_context("fork")
    alive = os.pipe()
    tools = _Tools(analysis, matcher, schema, os.getpid(), alive)
    try:
        pool = ctx.Pool(workers, initializer=_start_worker, initargs=(tools,))
        try:
            yield from pool.imap(_call, [(function, job) for job in jobs], chunksize=CHUNK)
            pool.close()
        finally:
            pool.terminate()
            pool.join()
    finally:
        os.close(alive[0])
        os.close(alive[1])


def _call(item: tuple):
    tools = _tools[0]
    if os.getppid() != tools.parent:
        os._exit(1)
    function, job = item
    return function(job, tools.analysis, tools.matcher, tools.schema)
