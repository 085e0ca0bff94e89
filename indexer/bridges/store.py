"""The learned bridges of one index generation: learned after each build from the index itself
(its vocabulary, its stored entries), kept beside it in ``bridges.pickle``, and asked at query
time for a word's bridges."""
from __future__ import annotations

import math
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from kb.languages import LANGUAGES

from indexer import store as index_store
from indexer.ranking import DEFAULT as DEFAULT_RANKING, BridgeWeights
from indexer.schema import SECTIONS, section_field
from indexer.bridges.cognates import CognateIndex, script_of
from indexer.filestate import FileStates, commit_of
from indexer.bridges.factstore import DATABASE, FactStore
from indexer.bridges.facts import EntryFacts, Extractor, read_facts
from indexer.bridges.glosses import learn_synonyms
from indexer.bridges.parallel import Alignment, Evidence, page_groups

FILENAME = "bridges.pickle"  # what searching reads
VERSION = 3
EXPANSIONS_KEPT = 20_000  # query words whose bridges a Bridges object remembers (Bridges.expand)


@dataclass(frozen=True)
class Bridge:
    lang: str  # the language of the term reached
    term: str  # an index term of that language's section fields
    confidence: float
    kind: str  # "cognate", "translation", "gloss" or "stem" (own language, a stem it begins with)


@dataclass
class Bridges:
    docs: dict[str, int] = field(default_factory=dict)  # lang -> entries
    cognates: CognateIndex = field(default_factory=CognateIndex)
    translations: dict = field(default_factory=dict)  # (lang, term) -> {(lang, term): (conf, evidence)}
    synonyms: dict = field(default_factory=dict)  # (lang, term) -> {term: conf}
    facts: dict[str, EntryFacts] = field(default_factory=dict)  # entry key -> facts (if asked)
    # expand's answers: a query builds its query four times (the search and each section's facet)
    # and common words come back; valid for the tables they were computed from
    _expanded: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def df(self, lang: str, term: str) -> int:
        return self.cognates.df.get(lang, {}).get(term, 0)

    def unknown(self, lang: str, terms) -> bool:
        """No page of the language has any of these terms."""
        return not any(self.df(lang, t) for t in terms)

    def specificity(self, lang: str, term: str) -> float:
        """How much a term says, 0..1: log(N/df)/log(N); a term on most pages says nothing,
        a term no page has counts as fully specific."""
        n = self.docs.get(lang, 0)
        df = self.df(lang, term)
        if n <= 1 or df == 0:
            return 1.0
        return max(0.0, math.log(n / df) / math.log(n))

    def expand(self, word: str, terms: dict[str, tuple[str, ...]], query_lang: str | None,
               weights: BridgeWeights = DEFAULT_RANKING.bridges) -> list[Bridge]:
        """The bridges of one query word. ``terms``: the word's analyzed terms by language (as
        the query searches them). Translations and glosses start from those terms; cognates from
        the word itself, into every language's vocabulary; each weighed by ``weights``
        (indexer/ranking.py). Remembered (EXPANSIONS_KEPT)."""
        tables = (self.docs, self.cognates, self.translations, self.synonyms)
        if self._expanded.get(None) != tuple(map(id, tables)):  # a table replaced: start again
            self._expanded.clear()
            self._expanded[None] = tuple(map(id, tables))
        key = (word, tuple(terms.items()), query_lang, weights)
        found = self._expanded.get(key)
        if found is None:
            found = tuple(self._expand(word, terms, query_lang, weights))
            if len(self._expanded) > EXPANSIONS_KEPT:
                self._expanded.clear()
                self._expanded[None] = tuple(map(id, tables))
            self._expanded[key] = found
        return list(found)

    def _expand(self, word: str, terms: dict[str, tuple[str, ...]], query_lang: str | None,
                weights: BridgeWeights) -> list[Bridge]:
        found: dict[tuple[str, str], Bridge] = {}

        def add(bridge: Bridge):
            if bridge.term in terms.get(bridge.lang, ()):
                return  # the word itself
            k = (bridge.lang, bridge.term)
            if k not in found or found[k].confidence < bridge.confidence:
                found[k] = bridge

        # how much the word itself says: a common word's bridges are mostly noise
        said = min((self.specificity(lang, t) for lang, own in terms.items() for t in own), default=1.0)
        floor = weights.specificity_floor
        for lang, own in terms.items():
            for term in own:
                for (other_lang, other), (conf, _) in self.translations.get((lang, term), {}).items():
                    add(Bridge(other_lang, other, round(conf * (floor + (1 - floor) * said), 3), "translation"))
                for other, conf in self.synonyms.get((lang, term), {}).items():
                    add(Bridge(lang, other, round(conf * said, 3), "gloss"))
        own_lang = query_lang or (None if script_of(word) == "latin" else next(iter(terms), None))
        unknown = own_lang is not None and self.unknown(own_lang, terms.get(own_lang, ()))
        for lang in LANGUAGES:
            for term, likeness in self.cognates.find(word, lang, own_lang, unknown):
                conf = likeness * weights.cognate_weight * (floor + (1 - floor) * said)
                # in the word's own language and script: a stem of it (a compound's part)
                same = lang == own_lang and script_of(term) == script_of(word)
                add(Bridge(lang, term, round(conf, 3), "stem" if same else "cognate"))
        ranked = sorted((b for b in found.values() if b.confidence >= weights.min_confidence),
                        key=lambda b: (-b.confidence, b.lang, b.term))
        return ranked[:weights.max_bridges]

    def evidence(self, lang: str, term: str) -> dict[tuple[str, str], tuple[float, tuple[Evidence, ...]]]:
        return self.translations.get((lang, term), {})

    def save(self, directory: Path) -> None:
        state = {"version": VERSION, "docs": self.docs, "cognates": self.cognates,
                 "translations": self.translations, "synonyms": self.synonyms}
        _write(Path(directory) / FILENAME, state)

    @classmethod
    def load(cls, directory: Path, facts: bool = False) -> "Bridges | None":
        """The generation's bridges (with the entries' facts if asked); None when it has none
        (an index built before them)."""
        state = _read(Path(directory) / FILENAME)
        if state is None:
            return None
        bridges = cls(state["docs"], state["cognates"], state["translations"], state["synonyms"])
        if facts and (Path(directory) / DATABASE).exists():
            store = FactStore(directory, read_only=True)
            try:
                bridges.facts = store.all()
            finally:
                store.close()
        return bridges


def _write(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)


def _read(path: Path) -> dict | None:
    try:
        state = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError, TypeError):
        return None
    if not isinstance(state, dict) or state.get("version") != VERSION:
        return None
    return state


def vocabulary(reader) -> dict[str, dict[str, int]]:
    """lang -> index term of the section fields -> documents having it (the largest section's).
    Read segment by segment and summed, as Whoosh sums them: merging the segments' term lists
    term by term (what a multi-segment reader's iter_field does) costs seconds at 10,000
    entries once a re-index has added a segment."""
    vocab: dict[str, dict[str, int]] = {}
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    for lang in LANGUAGES:
        terms: dict[str, int] = {}
        for section in SECTIONS:
            fieldname = section_field(section, lang)
            counts: dict[str, int] = {}
            for leaf in leaves:
                if fieldname not in set(leaf.indexed_field_names()):
                    continue
                for raw, info in leaf.iter_field(fieldname):
                    term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    counts[term] = counts.get(term, 0) + info.doc_frequency()
            for term, df in counts.items():
                if df > terms.get(term, 0):
                    terms[term] = df
        vocab[lang] = terms
    return vocab


def learn_bridges(gen: Path, ix, analysis, facts: dict[str, EntryFacts] | None = None) -> Bridges:
    """Learn the bridges of an index generation from the index and save them beside it. The
    facts of the previous run (factstore.FactStore) are reused for the entries whose content is
    unchanged (the generation's file list names each entry's id and content digest); the
    alignment of the translations is updated for the page_id groups whose facts changed only
    (parallel.Alignment), and not read at all when none did. ``facts``: entries' facts already
    extracted by the build (key: id and content digest), not read again from the index."""
    previous = Bridges.load(gen)
    states = FileStates.load(gen, commit_of(ix))
    store = FactStore(gen)
    try:
        with ix.searcher() as searcher:
            if states is not None:
                entries = {f"{k.id}\x1f{k.digest}": k.id for k in states.files.values()}
            else:  # no list for this commit: every entry, by id
                entries = {f"{d['id']}\x1f": d["id"] for _, d in searcher.reader().iter_docs()}
            vocab = vocabulary(searcher.reader())
            known = store.keys()
            new = read_facts(searcher, {k: i for k, i in entries.items() if k not in known},
                             Extractor(analysis), facts or {})
        gone = store.get(known - entries.keys())
        # the groups an entry's facts changed in (a sentence added to a text changes none)
        old_by_id, new_by_id = {f.id: f for f in gone.values()}, {f.id: f for f in new.values()}
        touched = {f.page_id for f in gone.values() if f.page_id and new_by_id.get(f.id) != f} | \
                  {f.page_id for f in new.values() if f.page_id and old_by_id.get(f.id) != f}
        alignment = store.alignment() if touched or previous is None else None
        before = page_groups(store.groups(touched).values()) if alignment is not None else {}
        store.replace(gone, new)
        changed = False
        if alignment is None and (touched or previous is None):  # learn from every group
            alignment = Alignment()
            changed = alignment.update({}, page_groups(store.all().values()))
        elif alignment is not None:
            changed = alignment.update(before, page_groups(store.groups(touched).values()))
        docs = store.languages()
        bridges = Bridges(docs, CognateIndex.build(vocab, previous.cognates if previous else None))
        bridges.translations = alignment.translations() if alignment is not None else previous.translations
        # a gloss's confidence depends on its words' specificity, which an edit that neither
        # adds nor removes an entry nor changes a gloss moves by one document at most: kept
        glossed = {f.id: f.glosses for f in gone.values()} != {f.id: f.glosses for f in new.values()}
        if previous is None or glossed or docs != previous.docs:
            bridges.synonyms = learn_synonyms(store.glosses(), bridges.specificity)
        else:
            bridges.synonyms = previous.synonyms
        store.commit(alignment if changed else None)
    finally:
        store.close()
    bridges.save(gen)
    return bridges


def refresh_bridges(gen: Path, analysis, changed: bool, facts: dict[str, EntryFacts] | None = None) -> bool:
    """Before a build writes its manifest: learn the generation's bridges again when its content
    changed (or it has none yet); whether they were. ``facts``: see learn_bridges."""
    if changed or not (Path(gen) / FILENAME).exists():
        learn_bridges(gen, index_store.open_generation(gen), analysis, facts)
        return True
    return False
