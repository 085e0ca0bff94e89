"""A concept edit without a rebuild: only the documents whose concept tags can change are
re-derived and replaced, in one incremental commit.

Which ones can: the documents tagged with a concept that went or moved to another group (its old
tags), and the documents holding every content word of a term that came or went (only there can
it match: a concept is counted once per position where one of its terms matches), read from the
index's own postings. Each is matched with the old and the new concepts; one whose concepts per
section (and so its group) come out the same is left as it is, the others are rebuilt from
their stored entries with the new concepts (entry_document) — no text is read from the content
files.
A run killed before the new matcher and meta are written finds the same difference next time
and does it again (replacing a document by the same document is harmless).
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from whoosh import query as Q

from indexer import manifest, store
from indexer.concepts import ConceptMatcher
from indexer.documents import CONCEPT_WEIGHTS, _analyze, entry_document, entry_from_data, entry_group, section_texts
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
            docs.update(searcher.docs_for_query(Q.Term("concepts", cid)))
        was_terms, now_terms = (was or (None, {}))[1], (now or (None, {}))[1]
        for lang in was_terms.keys() | now_terms.keys():
            for sequence in was_terms.get(lang, frozenset()) ^ now_terms.get(lang, frozenset()):
                words = [Q.Or([Q.Term(section_field(s, lang), t) for s in SECTIONS for t in sorted(alts)])
                         for alts in sequence]
                docs.update(searcher.docs_for_query(Q.And(words) if len(words) > 1 else words[0]))
    return docs


def tags_change(entry, analysis, old: ConceptMatcher, new: ConceptMatcher) -> bool:
    """Whether the entry's concept fields differ between the two matchers (as entry_document
    derives them: the concepts of each section, their weighted sum's group)."""
    weighted: Counter = Counter()
    for section, text in section_texts(entry).items():
        if text:
            positions, _ = _analyze(text, entry.lang, analysis)
            before, after = old.match(positions, entry.lang), new.match(positions, entry.lang)
            if before != after:
                return True
            for concept_id, count in before.items():
                weighted[concept_id] += count * CONCEPT_WEIGHTS[section]
    return entry_group(entry, weighted, old) != entry_group(entry, weighted, new)


def retag(gen: Path, meta: dict, analysis, new: ConceptMatcher, writer_for) -> int | None:
    """Bring generation ``gen`` to the concepts of ``new`` in place; the number of documents
    replaced, or None when it cannot be done (no saved matcher or file list: rebuild)."""
    try:
        old = ConceptMatcher.load(gen / store.CONCEPTS)
    except Exception:  # noqa: BLE001 - missing or unreadable
        return None
    ix = store.open_generation(gen)
    states = FileStates.load(gen, commit_of(ix))
    if states is None:
        return None
    digests = {key: known.digest for key, known in states.files.items()}
    writer = writer_for(ix)
    try:
        with ix.searcher() as searcher:
            docs = sorted(affected(searcher, old, new))
            for docnum in docs:
                stored = searcher.stored_fields(docnum)
                source = stored["source"]
                if source not in digests:
                    return None
                entry = entry_from_data(json.loads(stored["data"]))
                if not tags_change(entry, analysis, old, new):
                    continue
                document = entry_document(entry, source, digests[source], analysis, new)
                # the document's number is known: no look-up of its id, as update_document does
                writer.get().delete_document(docnum)
                writer.get().add_document(**document)
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
