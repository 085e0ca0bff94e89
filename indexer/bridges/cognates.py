"""Cognates across scripts: a word finds the terms of the other languages' vocabularies whose
transliterated key (transliterate.key) is the same or nearly so.

Keys are blocked by their first two consonants (vowels are where the spellings differ most:
peeling / πίλινγκ, υπερπλασία / iperplasia); within a block two keys are cognates when they are
equal, when the shorter (at least MIN_PREFIX letters) begins the longer, or when they differ by
one edit (two from 9 letters). Short keys say too little and are never matched, so nonsense
(``xqzwv``) finds nothing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from indexer.bridges.transliterate import keys

MIN_KEY = 4  # letters of a key below which a word has no cognates
MIN_PREFIX = 5  # a key that begins another counts from this length
MAX_PER_LANG = 3  # cognates kept per target language
MIN_CONFIDENCE = 0.7


def script_of(text: str) -> str:
    for ch in text:
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
        if "\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff":
            return "greek"
    return "latin"


def block(k: str) -> str:
    consonants = [ch for ch in k if ch not in "aeiou"]
    return "".join(consonants[:2])


def similarity(a: str, b: str) -> float:
    """How surely key ``a`` and key ``b`` are one word (0 when they are not)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < MIN_KEY:
        return 0.0
    if a == b:
        return 1.0
    if long_.startswith(short):
        if len(short) >= MIN_PREFIX:
            return max(0.75, 0.95 - 0.05 * (len(long_) - len(short)))
        return 0.7 if len(long_) - len(short) <= 4 else 0.0
    allowed = 2 if len(short) >= 9 else 1 if len(short) >= 6 else 0
    if not allowed:
        return 0.0
    distance = Levenshtein.distance(short, long_[:len(short) + 1])
    distance = min(distance, Levenshtein.distance(short, long_))
    if distance > allowed:
        return 0.0
    return round(0.9 - 0.1 * distance, 3)


@dataclass
class CognateIndex:
    """Per language: block -> [(key, term, script)]; document frequencies for ties."""
    blocks: dict[str, dict[str, list[tuple[str, str, str]]]] = field(default_factory=dict)
    df: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def build(cls, vocabulary: dict[str, dict[str, int]], previous: "CognateIndex | None" = None) -> "CognateIndex":
        """The index of these vocabularies; a term ``previous`` has keeps its keys from there
        (transliterating every term of a large vocabulary again is what costs)."""
        blocks: dict[str, dict[str, list]] = {}
        for lang, terms in vocabulary.items():
            known: dict[str, list] = defaultdict(list)
            for entries in (previous.blocks.get(lang, {}) if previous else {}).values():
                for entry in entries:
                    known[entry[1]].append(entry)
            by_block: dict[str, list] = defaultdict(list)
            for term in terms:
                if term in known:
                    for entry in known[term]:
                        by_block[block(entry[0])].append(entry)
                    continue
                if any(ch.isdigit() for ch in term):
                    continue
                script = script_of(term)
                for k in keys(term):
                    if len(k) >= MIN_KEY:
                        by_block[block(k)].append((k, term, script))
            blocks[lang] = dict(by_block)
        return cls(blocks, vocabulary)

    def find(self, word: str, lang: str, own_lang: str | None, unknown: bool = False) -> list[tuple[str, float]]:
        """Cognates of ``word`` among ``lang``'s terms, best first. In the word's own language
        only terms of another script count (a Latin "peeling" on a Greek page for πίλινγκ), and,
        for a word the language's index does not know, a term that begins it or that it begins
        (the first part of a compound, плазмолифтинг -> плазм; a stem the stemmer cut
        differently, дермапен -> дермапен(ом))."""
        blocks = self.blocks.get(lang)
        if not blocks:
            return []
        script = script_of(word)
        best: dict[str, float] = {}
        for k in keys(word):
            if len(k) < MIN_KEY:
                continue
            for other, term, term_script in blocks.get(block(k), ()):
                if lang == own_lang and term_script == script:
                    if not (unknown and min(len(k), len(other)) >= MIN_PREFIX
                            and (k.startswith(other) or other.startswith(k))):
                        continue
                if script == term_script == "latin":
                    continue  # Latin-script words are searched in every language as they are
                score = similarity(k, other)
                if score >= MIN_CONFIDENCE and score > best.get(term, 0.0):
                    best[term] = score
        df = self.df.get(lang, {})
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], -df.get(kv[0], 0), kv[0]))
        return ranked[:MAX_PER_LANG]
