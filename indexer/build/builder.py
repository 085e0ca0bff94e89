"""Building and updating the index from content roots.

`build_index` re-indexes only files whose bytes changed, drops entries whose file is gone, and
keeps the indexed version of a file that has become unreadable (nothing indexed is lost to bad
input). A schema change triggers a full rebuild into a new generation; a concept change re-tags
only the documents it can change (indexer/build/retag.py).

A file whose size, times and inode are those recorded when its indexed bytes were read is not
read at all (`filestate`: the list beside the generation, and why that is safe); every other
file is read and hashed, and re-indexed only when the hash differs from the index's manifest.
"""
from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from kb.concepts import load_concepts
from kb.config import Settings
from kb.loader import discover
from kb.model import Problem

from indexer import filestate, manifest, store
from indexer.build import pool
from indexer.engine import bulkwrite, fieldencode, writing
from indexer.engine.writing import CLEAR, MERGE_SMALL
from indexer.analysis import Analysis
from indexer.bridges import refresh_bridges
from indexer.build.changes import finish_analysed, index_file, read_changed, source_key  # noqa: F401 (source_key: API)
from indexer.concepts import ConceptMatcher
from indexer.filestate import FileStates, Known, commit_of
from indexer.build.retag import retag
from indexer.schema import SCHEMA_VERSION, build_schema

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
    read: int = 0  # files read and hashed; an unchanged file whose stamp is unchanged is not
    entries_by_lang: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]

    @property
    def total(self) -> int:
        return sum(self.entries_by_lang.values())

    def summary(self) -> str:
        """One line for a person: entries per language, what changed, seconds."""
        langs = ", ".join(f"{lang} {n}" for lang, n in sorted(self.entries_by_lang.items())) or "none"
        return (f"{self.total} entries ({langs}) in {self.index_dir}{' (rebuilt)' if self.rebuilt else ''}: "
                f"{self.added} added, {self.updated} updated, {self.removed} removed, "
                f"{self.unchanged} unchanged, in {self.seconds:.1f} s")


@dataclass(frozen=True)
class Indexed:
    source: str
    digest: str
    id: str


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
        meta = {"schema_version": SCHEMA_VERSION, "concepts": concepts.fingerprint,
                manifest.MANIFEST_KEY: manifest.MANIFEST}
        gen = store.current_generation(settings.index_dir)
        if not full and gen is not None and store.read_meta(gen).get("schema_version") == SCHEMA_VERSION \
                and store.read_meta(gen) != meta:  # only the concepts changed: re-tag, if it can be
            retag(gen, meta, analysis, ConceptMatcher(concepts, analysis), _Writer, settings.build_workers)
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
        ix = writing.create(gen, build_schema(analysis))
        states = FileStates()
        facts = _apply(ix, states, roots, settings, analysis, matcher, report, progress, mergetype=CLEAR)
        matcher.save(gen / store.CONCEPTS)
        store.write_atomically(gen / store.META, json.dumps(meta, sort_keys=True))
        states.save(gen, commit_of(ix))
        refresh_bridges(gen, analysis, changed=True, facts=facts)
        manifest.write_manifest(gen)  # last: a replica's reader switches only once it is there
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
    filestate.remove_leftovers(gen)
    states = FileStates.load(gen, commit_of(ix))
    if states is None:  # no list for this commit (an older kb, or a run killed after committing)
        states = FileStates({key: Known(i.digest, i.id) for key, i in _indexed(ix).items()})
        states.changed = True
    try:
        facts = _apply(ix, states, roots, settings, analysis, matcher, report, progress)
    except OSError as exc:
        raise store.IndexNotWritable(exc.errno, f"cannot write the index in {gen}: "
                                                f"{exc.strerror or exc}") from exc
    if states.changed:
        # after the commit: a list is only ever trusted for the commit it names
        states.save(gen, commit_of(ix))
    relearned = refresh_bridges(gen, analysis, changed=bool(report.added or report.updated or report.removed),
                                facts=facts)
    written = manifest.read_manifest(gen)
    if relearned or states.changed or written is None or written.get("toc") != manifest.toc_generation(gen):
        manifest.write_manifest(gen)  # after the commit and the stamps, as in a rebuild


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
            if (stale is None or raw.rsplit(b"\x1f", 2)[0] in stale) \
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
                deleted = leaf.deleted_docs_set  # a property in whoosh3, a method elsewhere
                for docnum in (deleted() if callable(deleted) else deleted):
                    stale.add(leaf.stored_fields(docnum)["source"].encode("utf-8"))
    except Exception:  # noqa: BLE001 - a reader without these: check every term
        return None
    return stale


# Merging segments. Whoosh re-writes every posting of the documents it merges (~25 ms per
# document here), and its default policy (MERGE_SMALL) merges the five smallest segments again
# and again as they grow: every fourth or fifth one-file update re-wrote 5 to ~33 documents.
# Never merging is no better: segments pile up, and searching works segment by segment (at
# 10,000 entries, 30 one-document segments doubled the time of Whoosh's own matchers; warm
# searches over the cached arrays of indexer/matching.py did not notice them, the first searches
# after opening the index a little). So an update writing a few documents merges
# only the smallest segments, at most MERGE_BUDGET documents' worth, once more than
# SMALL_SEGMENTS are that small; segments that outgrew the budget are merged by Whoosh's policy,
# in larger updates or once there are more than MAX_SEGMENTS; a rebuild writes one segment.
# Over 400 one-file updates of data/ (half edits, half new files), CPU time per run: Whoosh's
# policy 4.7 segments on average, p90 0.52 s, p99 1.02 s, worst 2.15 s; this one 5.0 segments,
# p90 0.46 s, p99 0.74 s, worst 1.65 s (one of Whoosh's merges, past MAX_SEGMENTS).
SMALL_UPDATE = 50  # documents: an update writing fewer uses the budgeted policy
SMALL_SEGMENTS = 3
MERGE_BUDGET = 10
MAX_SEGMENTS = 6


def _merge_few(writer, segments):
    """The merge policy of a small update (see above)."""
    live = [s for s in segments if s.doc_count() > 0]  # a segment all of whose documents were
    if len(live) > MAX_SEGMENTS:                       # replaced is dropped, at no cost
        merged = MERGE_SMALL(writer, live)
        if merged is not live:  # it merged some
            return merged
    small = sorted((s for s in live if s.doc_count_all() <= MERGE_BUDGET), key=lambda s: s.doc_count_all())
    if len(small) <= SMALL_SEGMENTS:
        return live
    chosen, total = [], 0
    for seg in small:
        if total + seg.doc_count_all() > MERGE_BUDGET:
            break
        chosen.append(seg)
        total += seg.doc_count_all()
    if len(chosen) < 2:
        return live
    writing.merge_segments(writer, chosen)
    merged = {id(seg) for seg in chosen}
    return [s for s in live if id(s) not in merged]


class _Writer:
    """The Whoosh writer, opened at the first change: a run that changes nothing commits nothing."""

    def __init__(self, ix, mergetype=None, workers: int = 1):
        self.ix, self.mergetype, self.writer = ix, mergetype, None
        self.workers = workers  # processes a rebuild's commit may encode its postings in
        self.documents = 0
        self.facts: dict = {}  # "<id>\x1f<digest>" -> the bridges' facts of a pooled document
        self.pending = None  # a chunk of analysed documents whose postings are not in Whoosh's pool yet

    def get(self):
        if self.writer is None:
            self.writer = self.ix.writer(limitmb=256)
        return self.writer

    def add(self, document: dict) -> None:
        self.get().update_document(**document)
        self.documents += 1

    def add_analysed(self, analysed: pool.Analysed, digest: str = "") -> None:
        """A document analysed by `pool` (a rebuild's go to in-memory postings: bulkwrite)."""
        writer = self.get()
        if self.mergetype is CLEAR and self.documents == 0:
            bulkwrite.use_bulk_postings(writer, self.workers)
        self.pending = bulkwrite.add_analysed(writer, analysed, self.pending)
        self.documents += 1
        if analysed.facts is not None:
            self.facts[f"{analysed.entry_id}\x1f{digest}"] = analysed.facts

    def commit(self) -> None:
        if self.writer is None:
            return
        if self.pending is not None:
            bulkwrite.add_postings(self.writer, self.pending)
            self.pending = None
        mergetype = self.mergetype or (_merge_few if self.documents < SMALL_UPDATE else MERGE_SMALL)
        self.writer.commit(mergetype=mergetype)

    def cancel(self) -> None:
        # a commit that failed half-way (a full disk) has closed the writer already: cancelling
        # again would replace the real error with whoosh's "This writer is closed"
        if self.writer is not None and not self.writer.is_closed:
            self.writer.cancel()


def _apply(ix, states, roots, settings, analysis, matcher, report, progress, mergetype=None) -> dict:
    """Bring ``ix`` up to date with the roots' files; the bridges' facts the pool extracted."""
    started_ns = filestate.now_ns()  # before any file is looked at: see filestate.is_settled
    sources, problems = discover(roots)
    report.problems.extend(problems)
    current = {source_key(s) for s in sources}
    gone = [key for key in states.files if key not in current and _under(key, roots)]
    gone_set = set(gone)
    ids = {known.id: key for key, known in states.files.items() if key not in gone_set}
    writer = _Writer(ix, mergetype, settings.build_workers)
    if mergetype is not None:  # a rebuild commits even an empty index
        writer.get()
    try:
        if settings.build_workers > 1 and fieldencode.supports(ix.schema):
            pool.index_files(sources, lambda s: read_changed(s, states, settings, report, started_ns),
                             lambda changed, result: finish_analysed(writer, changed, result, states, ids,
                                                                     report, started_ns),
                             settings.build_workers, analysis, matcher, ix.schema, progress)
        else:  # one process: each file read, analysed and written in turn
            for done, source in enumerate(sources, 1):
                if progress:
                    progress(done, len(sources), source.rel)
                index_file(writer, source, states, ids, settings, analysis, matcher, report, started_ns)
        for key in gone:
            writer.get().delete_by_term("source", key)
            states.forget(key)
            report.removed += 1
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return writer.facts


def _under(key: str, roots) -> bool:
    root = key.split("\x1f", 1)[0]
    return any(str(r) == root for r in roots)


def _count_languages(gen: Path, report: BuildReport) -> None:
    ix = store.open_generation(gen)
    with ix.searcher() as searcher:
        for lang in ("ru", "el", "it"):
            count = sum(1 for _ in writing.docs_with_term(searcher, "lang", lang))
            if count:
                report.entries_by_lang[lang] = count

