"""Building and updating the index from content roots.

`build_index` re-indexes only files whose bytes changed, drops entries whose file is gone, and
keeps the indexed version of a file that has become unreadable (nothing indexed is lost to bad
input). A schema or concept change triggers a full rebuild into a new generation.
"""
from __future__ import annotations

import json

import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from whoosh import index as whoosh_index
from whoosh.writing import CLEAR

from kb.concepts import load_concepts
from kb.config import Settings
from kb.loader import SourceFile, content_hash, decode, discover, parse_entry, read_source, FileProblem
from kb.model import Problem

from . import store
from .analysis import Analysis
from .concepts import ConceptMatcher
from .documents import entry_document
from .schema import SCHEMA_VERSION, build_schema

Progress = Callable[[int, int, str], None]  # (done, total, path)


@dataclass
class BuildReport:
    index_dir: Path
    generation: str = ""
    rebuilt: bool = False
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    entries_by_lang: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]

    @property
    def total(self) -> int:
        return sum(self.entries_by_lang.values())


@dataclass(frozen=True)
class Indexed:
    source: str
    digest: str
    id: str


def source_key(source: SourceFile) -> str:
    return f"{source.root}\x1f{source.rel}"


def index_exists(index_dir: Path) -> bool:
    return store.index_exists(index_dir)


def build_index(settings: Settings, roots: Sequence[Path] | None = None,
                progress: Progress | None = None, full: bool = False) -> BuildReport:
    """Bring the index at settings.index_dir up to date with the content roots."""
    started = time.perf_counter()
    roots = [Path(r).resolve() for r in (roots or settings.content_roots)]
    report = BuildReport(Path(settings.index_dir))
    concepts = load_concepts(settings.concepts_dir)
    with store.writer_lock(settings.index_dir, settings.lock_timeout):
        store.remove_abandoned(settings.index_dir)
        analysis = Analysis()
        meta = {"schema_version": SCHEMA_VERSION, "concepts": concepts.fingerprint}
        gen = store.current_generation(settings.index_dir)
        if full or gen is None or store.read_meta(gen) != meta:
            matcher = ConceptMatcher(concepts, analysis)
            gen = _rebuild(settings, roots, analysis, matcher, meta, report, progress)
        else:
            # the same concepts and schema: the matcher compiled with this generation serves
            # (compiling it analyzes every concept term, pymorphy3 included: 0.8 s of a 3 s
            # run over 10,000 unchanged files)
            matcher = _saved_matcher(gen) or ConceptMatcher(concepts, analysis)
            _update(gen, settings, roots, analysis, matcher, report, progress)
        report.generation = gen.name
        _count_languages(gen, report)
    report.seconds = time.perf_counter() - started
    return report


def _rebuild(settings, roots, analysis, matcher, meta, report, progress) -> Path:
    report.rebuilt = True
    gen = None
    try:
        gen = store.new_generation(settings.index_dir)
        ix = whoosh_index.create_in(str(gen), build_schema(analysis))
        _apply(ix, {}, roots, settings, analysis, matcher, report, progress, mergetype=CLEAR)
        matcher.save(gen / store.CONCEPTS)
        store.write_atomically(gen / store.META, json.dumps(meta, sort_keys=True))
        store.switch_to(settings.index_dir, gen)
    except BaseException as exc:
        # the old generation still serves; a half-written new one would only take space
        # (on a full disk, the space the next attempt needs)
        if gen is not None and store.current_generation(settings.index_dir) != gen:
            shutil.rmtree(gen, ignore_errors=True)
        if isinstance(exc, OSError):
            raise store.IndexNotWritable(exc.errno, f"cannot write the index in {settings.index_dir}: "
                                                    f"{exc.strerror or exc}") from exc
        raise
    return gen


def _update(gen, settings, roots, analysis, matcher, report, progress) -> None:
    ix = store.open_generation(gen)
    try:
        _apply(ix, _indexed(ix), roots, settings, analysis, matcher, report, progress)
    except OSError as exc:
        raise store.IndexNotWritable(exc.errno, f"cannot write the index in {gen}: "
                                                f"{exc.strerror or exc}") from exc


def _saved_matcher(gen: Path) -> ConceptMatcher | None:
    try:
        return ConceptMatcher.load(gen / store.CONCEPTS)
    except Exception:  # noqa: BLE001 - missing or unreadable: compile it again
        return None


def _indexed(ix) -> dict[str, Indexed]:
    """What the index holds, read from its own manifest field."""
    with ix.reader() as reader:
        found = {}
        stale = _deleted_sources(reader)
        for raw in reader.lexicon("version"):
            # the lexicon keeps the terms of deleted documents until segments merge: without
            # this, a replaced or removed file would be re-indexed or "removed" on every run
            # (only the sources of deleted documents are asked: a posting list per term was
            # 0.8 s at 10,000 entries)
            if (stale is None or raw.split(b"\x1f", 1)[0] in stale) \
                    and not reader.postings("version", raw).is_active():
                continue
            source, digest, entry_id = raw.decode("utf-8").rsplit("\x1f", 2)
            found[source] = Indexed(source, digest, entry_id)
        return found


def _deleted_sources(reader) -> set[bytes] | None:
    """The sources (as in the manifest's terms) of the reader's deleted documents; None when
    they cannot be told, and then every term is checked."""
    stale: set[bytes] = set()
    try:
        for leaf, _ in reader.leaf_readers():
            if leaf.has_deletions():
                for docnum in leaf.deleted_docs_set():
                    stale.add(leaf.stored_fields(docnum)["source"].encode("utf-8"))
    except Exception:  # noqa: BLE001 - a reader without these: check every term
        return None
    return stale


def _apply(ix, indexed, roots, settings, analysis, matcher, report, progress, mergetype=None):
    sources, problems = discover(roots)
    report.problems.extend(problems)
    current = {source_key(s) for s in sources}
    gone = [key for key in indexed if key not in current and _under(key, roots)]
    ids = {i.id: i.source for i in indexed.values() if i.source not in gone}
    writer = ix.writer(limitmb=256)
    try:
        for done, source in enumerate(sources, 1):
            if progress:
                progress(done, len(sources), source.rel)
            _index_file(writer, source, indexed, ids, settings, analysis, matcher, report)
        for key in gone:
            writer.delete_by_term("source", key)
            report.removed += 1
        writer.commit(mergetype=mergetype) if mergetype else writer.commit()
    except BaseException:
        # a commit that failed half-way (a full disk) has closed the writer already: cancelling
        # again would replace the real error with whoosh's "This writer is closed"
        if not writer.is_closed:
            writer.cancel()
        raise


def _under(key: str, roots) -> bool:
    root = key.split("\x1f", 1)[0]
    return any(str(r) == root for r in roots)


def _index_file(writer, source, indexed, ids, settings, analysis, matcher, report) -> None:
    key = source_key(source)
    before = indexed.get(key)
    try:
        data = read_source(source, settings.max_file_bytes)
        digest = content_hash(data)
        if before and before.digest == digest:
            report.unchanged += 1
            return
        entry, problems = parse_entry(source, decode(data))
    except FileProblem as exc:
        kept = "; its indexed version is kept" if before else ""
        report.problems.append(Problem(source.display, exc.message + kept, exc.line))
        return
    report.problems.extend(problems)
    owner = ids.get(entry.id)
    if owner is not None and owner != key:
        report.problems.append(Problem(
            source.display, f"duplicate id {entry.id!r} (already used by {owner.split(chr(31))[-1]}); skipped"))
        return
    if before and before.id != entry.id:
        ids.pop(before.id, None)
    ids[entry.id] = key
    writer.update_document(**entry_document(entry, key, digest, analysis, matcher))
    if before:
        report.updated += 1
    else:
        report.added += 1


def _count_languages(gen: Path, report: BuildReport) -> None:
    from whoosh.query import Term

    ix = store.open_generation(gen)
    with ix.searcher() as searcher:
        for lang in ("ru", "el", "it"):
            count = sum(1 for _ in searcher.docs_for_query(Term("lang", lang)))
            if count:
                report.entries_by_lang[lang] = count

