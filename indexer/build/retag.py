"""A concept edit without a rebuild: only the documents whose concept tags can change are
re-derived and replaced, in one incremental commit.

Which ones can: the documents tagged with a concept that went or moved to another group (its old
tags), and the documents holding every content word of a term that came or went (only there can
it match: a concept is counted once per position where one of its terms matches), read from the
index's own postings. Each is made again from its stored entry (entry_document: no text is read
from the content files), its sections analysed once and matched with both the old and the new
concepts; one whose concepts per section (and so its group) come out the same is left as it is,
the others replace it. That work is done in the build's worker processes (indexer/build/pool.py,
KB_BUILD_WORKERS), the documents written in their order by this process into one new segment,
its postings kept in memory (bulkwrite), as a rebuild writes its one.
A run killed before the new matcher and meta are written finds the same difference next time
and does it again (replacing a document by the same document is harmless).
"""
from __future__ import annotations

import json
from collections import Counter
from contextlib import closing
from pathlib import Path

from indexer import manifest, store
from indexer.build import pool
from indexer.engine import bulkwrite, fieldencode, writing
from indexer.concepts import ConceptMatcher
from indexer.documents import CONCEPT_WEIGHTS, entry_document, entry_from_data, entry_group, section_texts
from indexer.filestate import FileStates, commit_of
from indexer.schema import SECTIONS, section_field


def _signature(matcher: ConceptMatcher) -> dict[str, tuple]:
    """concept id -> (group, {lang: its term sequences}) as matching sees them."""
    found: dict[str, dict[str, set]] = {}
    for lang, starts in matcher._starts.items():
        for entries in starts.values():
            for sequence, concept_id in entries:
                found.setdefault(concept_id, {}).setdefault(lang, set()).add(sequence)
    return {cid: (matcher.group_of(cid), {l: frozenset(s) for l, s in langs.items()})
            for cid, langs in found.items()}


def affected(searcher, old: ConceptMatcher, new: ConceptMatcher) -> set[int]:
    """Document numbers whose concept tags may differ between the two matchers: for a concept
    that went or changed group, the documents tagged with it; for a term sequence that came or
    went, the documents holding every word of it (only there can it match)."""
    before, after = _signature(old), _signature(new)
    docs: set[int] = set()
    for cid in before.keys() | after.keys():
        was, now = before.get(cid), after.get(cid)
        if was == now:
            continue
        if was is not None and (now is None or was[0] != now[0]):
            docs.update(writing.docs_with_term(searcher, "concepts", cid))
        was_terms, now_terms = (was or (None, {}))[1], (now or (None, {}))[1]
        for lang in was_terms.keys() | now_terms.keys():
            for sequence in was_terms.get(lang, frozenset()) ^ now_terms.get(lang, frozenset()):
                words = [[(section_field(s, lang), t) for s in SECTIONS for t in sorted(alts)] for alts in sequence]
                docs.update(writing.docs_with_all(searcher, words))
    return docs


def changed_concepts(old: ConceptMatcher, new: ConceptMatcher) -> set[str]:
    """The concepts whose terms or group differ between the two matchers (all of them when the
    stop words differ: then every concept may match elsewhere)."""
    if old._stops != new._stops:
        return set(old.groups) | set(new.groups)
    before, after = _signature(old), _signature(new)
    return {cid for cid in before.keys() | after.keys() if before.get(cid) != after.get(cid)}


class _Compared:
    """A matcher for entry_document that answers as ``new`` does and notes whether ``old``
    would have found other concepts in a section (only the concepts that changed are matched
    again: a concept's count depends on its own terms only), so that the entry is analysed once
    for both. entry_concepts asks once per non-empty section, in section_texts' order."""

    def __init__(self, old: ConceptMatcher, new: ConceptMatcher, old_part: ConceptMatcher,
                 new_part: ConceptMatcher):
        self.old, self.new, self.old_part, self.new_part = old, new, old_part, new_part
        self.found: list[Counter] = []
        self.differs = False

    def match(self, positions, lang: str) -> Counter:
        found = self.new.match(positions, lang)
        self.found.append(found)
        if not self.differs and self.old_part.match(positions, lang) != self.new_part.match(positions, lang):
            self.differs = True
        return found

    def group_of(self, concept_id: str) -> str | None:
        return self.new.group_of(concept_id)

    def changed(self, entry, document: dict) -> bool:
        """Whether the document's concept fields differ from those ``old`` gave it (the concepts
        of each section, the group of their weighted sum)."""
        sections = [section for section, text in section_texts(entry).items() if text]
        if self.differs or len(sections) != len(self.found):
            return True
        weighted: Counter = Counter()  # the same under both: no section's concepts differ
        for section, found in zip(sections, self.found):
            for concept_id, count in found.items():
                weighted[concept_id] += count * CONCEPT_WEIGHTS[section]
        return entry_group(entry, weighted, self.old) != document["group"]


def retagged(jobs: list, analysis, matchers: tuple, schema) -> list[tuple[int, "pool.Analysed | None"]]:
    """(document number, it analysed for the writer, or None when its tags stay) per job: a
    chunk of affected documents made again from their stored entries with the new concepts (in
    a worker). The changed ones share one chunk of postings, numbered in their order, so that
    the parent adds them in a row (at the commit each term's postings are then a few pieces,
    not one per document: postencode.merged). ``matchers``: the old and the new, then each
    restricted to the concepts that changed."""
    out: list = []
    documents: list = []
    for docnum, source, digest, data in jobs:
        compared = _Compared(*matchers)
        entry = entry_from_data(json.loads(data))
        tokens: dict = {}
        document = entry_document(entry, source, digest, analysis, compared, tokens)
        if not compared.changed(entry, document):
            out.append((docnum, None))
            continue
        fields = fieldencode.analysed_fields(schema, document, tokens)
        lengths = [(name, length) for name, _, length, *_ in fields if length]
        analysed = pool.Analysed(entry.id, [], [], lengths, bulkwrite.stored_bytes(fields), local=len(documents))
        documents.append(fields)
        out.append((docnum, analysed))
    chunk = bulkwrite.chunk_postings(documents)
    for _, analysed in out:
        if analysed is not None:
            analysed.chunk = chunk
    return out


def _keep_live(writer, segments):
    """A re-tag's merge policy: no segment is merged (the new segment's postings are written
    from memory, bulkwrite.BulkPostings, which takes no merged reader's); a segment whose every
    document was replaced is dropped, at no cost. Later updates merge as they do (build.py)."""
    return [s for s in segments if s.doc_count() > 0]


def retag(gen: Path, meta: dict, analysis, new: ConceptMatcher, writer_for, workers: int = 1) -> int | None:
    """Bring generation ``gen`` to the concepts of ``new`` in place; the number of documents
    replaced, or None when it cannot be done (no saved matcher or file list: rebuild). The
    affected documents are analysed in ``workers`` processes (indexer/build/pool.py)."""
    try:
        old = ConceptMatcher.load(gen / store.CONCEPTS)
    except Exception:  # noqa: BLE001 - missing or unreadable
        return None
    ix = store.open_generation(gen)
    states = FileStates.load(gen, commit_of(ix))
    if states is None or not fieldencode.supports(ix.schema):
        return None
    digests = {key: known.digest for key, known in states.files.items()}
    writer = writer_for(ix, _keep_live)
    try:
        with ix.searcher() as searcher:
            jobs = []
            for docnum in sorted(affected(searcher, old, new)):
                stored = searcher.stored_fields(docnum)
                if stored["source"] not in digests:
                    return None
                jobs.append((docnum, stored["source"], digests[stored["source"]], stored["data"]))
            changed = changed_concepts(old, new)
            matchers = (old, new, old.restricted(changed), new.restricted(changed))
            results = pool.map_ordered(retagged, jobs, workers, analysis, matchers, ix.schema)
            with closing(results):  # its workers end with it, even when writing fails
                pending = None
                for docnum, analysed in results:
                    if analysed is None:
                        continue
                    if writer.writer is None:
                        _bulk_postings(writer.get())
                    # the document's number is known: no look-up of its id, as update_document does
                    writer.writer.delete_document(docnum)
                    pending = bulkwrite.add_analysed(writer.writer, analysed, pending)
                    writer.documents += 1
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    if writer.documents:
        states.changed = True
        states.save(gen, commit_of(ix))
    new.save(gen / store.CONCEPTS)
    store.write_atomically(gen / store.META, json.dumps(meta, sort_keys=True))
    manifest.write_manifest(gen)  # last, as after every write to a generation (indexer/manifest.py)
    return writer.documents


def _bulk_postings(writer) -> None:
    """The new segment's postings kept in memory, term by term (bulkwrite.BulkPostings), instead
    of Whoosh's external sort, which at the commit also looks up every posting's length again
    (at 10,000 entries, 1,229 documents re-tagged: 5.5 s of a commit)."""
    postings = bulkwrite.BulkPostings(writer)
    writer.pool = postings
    writer._flush_segment = postings.flush  # the instance's own: Whoosh's calls pool.iter_postings
