"""Concepts compiled for matching: concept terms as analyzed term sequences, per language.

A text (an entry's, or a query's) is matched position by position, so a concept term written in
its dictionary form matches every inflected, accented or capitalised form of it.
"""
from __future__ import annotations

import os
import pickle
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from kb.languages import LANGUAGES

from indexer.analysis import Analysis, stop_words

if TYPE_CHECKING:  # searching loads a compiled matcher and needs no concept files
    from kb.concepts import ConceptSet

Positions = Sequence[tuple[str, ...]]
SOFT_FLOOR = 0.5  # share of a concept term's specificity a partial match must hold
SOFT_SPECIFIC = 0.5  # ... including a word at least this specific
SOFT_SCALE = 0.6  # a partial match's weight at most (a full one's is 1)
SOFT_MAX = 3  # partial concepts per query


class ConceptMatcher:
    def __init__(self, concepts: ConceptSet, analysis: Analysis):
        self.groups = {c.id: c.group for c in concepts}
        # lang -> first term -> [(sequence of alternative sets, concept id)]
        self._starts: dict[str, dict[str, list[tuple[tuple[frozenset, ...], str]]]] = {}
        self._terms: dict[tuple[str, str], frozenset[str]] = {}
        self._stops: dict[str, frozenset[str]] = {}
        for lang in LANGUAGES:
            starts: dict[str, list] = defaultdict(list)
            self._stops[lang] = frozenset(t for w in stop_words(lang)
                                          for t in analysis.word_terms(w, lang, mode="index"))
            for concept in concepts:
                stems: set[str] = set()
                for term in concept.terms_for(lang):
                    positions = analysis.positions(term, lang, mode="index")
                    if not positions:
                        continue
                    # matched on its content words: "шрамы от акне" = "шрамы после акне"
                    content = self._content(positions, lang)
                    if not content:
                        continue
                    sequence = tuple(frozenset(p) for p in content)
                    for first in sequence[0]:
                        starts[first].append((sequence, concept.id))
                    # words to highlight: the term's own words, not its stop words
                    stems.update(t for p in analysis.positions(term, lang, mode="query") for t in p)
                self._terms[(concept.id, lang)] = frozenset(stems)
            self._starts[lang] = dict(starts)

    def match(self, positions: Positions, lang: str) -> Counter:
        """How many times each concept occurs in the analyzed text."""
        found: Counter = Counter()
        starts = self._starts[lang]
        positions = self._content(positions, lang)
        for i, alternatives in enumerate(positions):
            matched: set[str] | None = None
            for term in alternatives:
                entries = starts.get(term)
                if entries is None:  # most positions: no concept term starts here
                    continue
                for sequence, concept_id in entries:
                    if (matched is None or concept_id not in matched) and _matches_at(positions, i, sequence):
                        if matched is None:
                            matched = set()
                        matched.add(concept_id)
            if matched:
                found.update(matched)
        return found

    def restricted(self, concept_ids) -> "ConceptMatcher":
        """This matcher with only the given concepts: what they match in a text is what they
        match with this one (a concept's count depends on its own terms only)."""
        keep = frozenset(concept_ids)
        matcher = ConceptMatcher.__new__(ConceptMatcher)
        matcher.groups = {c: g for c, g in self.groups.items() if c in keep}
        matcher._starts = {lang: {first: kept for first, entries in starts.items()
                                  if (kept := [e for e in entries if e[1] in keep])}
                           for lang, starts in self._starts.items()}
        matcher._terms = {key: terms for key, terms in self._terms.items() if key[0] in keep}
        matcher._stops = self._stops
        return matcher

    def soft_match(self, positions: Positions, lang: str, specificity, full=()) -> dict[str, float]:
        """Concepts a text names only in part: of a concept's term of several words, the share of
        its specificity (``specificity(lang, term)``, 0..1) that the text holds, when that is at
        least SOFT_FLOOR and the words held include a specific one. Scores are below a full
        match's 1 (SOFT_SCALE); at most SOFT_MAX concepts, the best; concepts in ``full`` (already
        matched whole) are left out."""
        held = {t for p in self._content(positions, lang) for t in p}
        by_term = self._by_term(lang)
        candidates = {entry for t in held for entry in by_term.get(t, ())}
        best: dict[str, float] = {}
        for concept_id, sequence in candidates:
            if concept_id in full or len(sequence) < 2:
                continue
            weights = [max(specificity(lang, t) for t in alternatives) for alternatives in sequence]
            total = sum(weights)
            matched = [w for w, alternatives in zip(weights, sequence) if not held.isdisjoint(alternatives)]
            if not total or not matched or max(matched) < SOFT_SPECIFIC:
                continue
            share = sum(matched) / total
            if SOFT_FLOOR <= share < 1.0:
                best[concept_id] = max(best.get(concept_id, 0.0), round(share * SOFT_SCALE, 3))
        return dict(sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:SOFT_MAX])

    def _by_term(self, lang: str) -> dict[str, list[tuple[str, tuple[frozenset, ...]]]]:
        """term -> the concept term sequences holding it (built once per matcher and language)."""
        index = self.__dict__.setdefault("_term_index", {})
        found = index.get(lang)
        if found is None:
            found = defaultdict(list)
            for entries in self._starts.get(lang, {}).values():
                for sequence, concept_id in entries:
                    for t in {t for alternatives in sequence for t in alternatives}:
                        if (concept_id, sequence) not in found[t]:
                            found[t].append((concept_id, sequence))
            index[lang] = found = dict(found)
        return found

    def _content(self, positions: Positions, lang: str) -> list[tuple[str, ...]]:
        """The positions that are not stop words."""
        stops = self._stops[lang]
        return [p for p in positions if not stops.issuperset(p)]

    def terms(self, concept_id: str, lang: str) -> frozenset[str]:
        """Every analyzed term of a concept in one language (for highlighting)."""
        return self._terms.get((concept_id, lang), frozenset())

    def group_of(self, concept_id: str) -> str | None:
        return self.groups.get(concept_id)

    def save(self, path: Path) -> None:
        """Store the compiled matcher beside the index: searching then needs no concept files
        and no Russian morphology to expand a query."""
        state = {"groups": self.groups, "starts": self._starts, "terms": self._terms,
                 "stops": self._stops}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "ConceptMatcher":
        state = pickle.loads(Path(path).read_bytes())
        matcher = cls.__new__(cls)
        matcher.groups, matcher._starts, matcher._terms = state["groups"], state["starts"], state["terms"]
        matcher._stops = state["stops"]
        return matcher


def _matches_at(positions: Positions, start: int, sequence: tuple[frozenset, ...]) -> bool:
    if start + len(sequence) > len(positions):
        return False
    return all(not sequence[k].isdisjoint(positions[start + k]) for k in range(1, len(sequence)))
