"""One content file into the index: read when it may have changed, parsed, analysed, added.

`read_changed` is the part the parent process does (it decides from the file's stamp and hash
whether the bytes are new); `add_entry` decides, in the files' order, whether the entry is
added (a duplicate id is not). `index_file` is both with the analysis in between, in-process;
a pooled build (`pool`) analyses in worker processes and ends with `finish_analysed`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from kb.loader import FileProblem, SourceFile, content_hash, decode, parse_entry, read_source_status
from kb.model import Problem

from indexer.build import pool
from indexer.documents import entry_document
from indexer.filestate import Known, stamp_of


def source_key(source: SourceFile) -> str:
    return f"{source.root}\x1f{source.rel}"


def index_file(writer, source, states, ids, settings, analysis, matcher, report, started_ns) -> None:
    changed = read_changed(source, states, settings, report, started_ns)
    if not isinstance(changed, Changed):
        if changed is not None:
            report.problems.append(changed)
        return
    try:
        entry, problems = parse_entry(source, decode(changed.data))
    except FileProblem as exc:
        report.problems.append(file_problem(changed, exc.message, exc.line))
        return
    add_entry(changed, entry.id, problems,
               lambda: writer.add(entry_document(entry, changed.key, changed.digest, analysis, matcher)),
               states, ids, report, started_ns)


def finish_analysed(writer, changed, result, states, ids, report, started_ns) -> None:
    """What `pool.index_files` read (a Changed, a Problem, None) and, for a Changed, analysed."""
    if result is None:
        if changed is not None:
            report.problems.append(changed)
        return
    if isinstance(result, pool.Failed):
        report.problems.append(file_problem(changed, result.message, result.line))
        return
    add_entry(changed, result.entry_id, result.problems, lambda: writer.add_analysed(result, changed.digest),
               states, ids, report, started_ns)


@dataclass
class Changed:
    """A file whose bytes are to be indexed (new, or different from the indexed ones)."""
    source: SourceFile
    key: str
    before: Known | None
    data: bytes
    digest: str
    status: os.stat_result


def read_changed(source, states, settings, report, started_ns) -> Changed | Problem | None:
    """The file's bytes when they are to be indexed; a Problem when it cannot be read; None
    when the index holds these bytes already (counted as unchanged)."""
    key = source_key(source)
    before = states.files.get(key)
    if before is not None and before.stamp is not None:
        # unchanged size, times and inode since bytes of this hash were read: not read again
        try:
            status = os.stat(source.file)
        except OSError:
            status = None
        if status is not None and status.st_size <= settings.max_file_bytes \
                and states.unchanged(key, stamp_of(status)):
            report.unchanged += 1
            return None
    try:
        data, status = read_source_status(source, settings.max_file_bytes)
    except FileProblem as exc:
        return file_problem(Changed(source, key, before, b"", "", None), exc.message, exc.line)
    report.read += 1
    digest = content_hash(data)
    if before and before.digest == digest:  # touched, or changed and changed back
        report.unchanged += 1
        states.record(key, digest, before.id, stamp_of(status), started_ns)
        return None
    return Changed(source, key, before, data, digest, status)


def file_problem(changed: Changed, message: str, line: int | None) -> Problem:
    kept = "; its indexed version is kept" if changed.before else ""
    return Problem(changed.source.display, message + kept, line)


def add_entry(changed: Changed, entry_id: str, problems, add: Callable[[], None],
               states, ids, report, started_ns) -> None:
    """Index an entry read from a changed file (``add`` writes its document) unless its id is
    another file's."""
    key, before = changed.key, changed.before
    report.problems.extend(problems)
    owner = ids.get(entry_id)
    if owner is not None and owner != key:
        report.problems.append(Problem(
            changed.source.display,
            f"duplicate id {entry_id!r} (already used by {owner.split(chr(31))[-1]}); skipped"))
        return
    if before and before.id != entry_id:
        ids.pop(before.id, None)
    ids[entry_id] = key
    add()
    states.record(key, changed.digest, entry_id, stamp_of(changed.status), started_ns)
    if before:
        report.updated += 1
    else:
        report.added += 1
