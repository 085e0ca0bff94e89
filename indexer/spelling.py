"""Typo tolerance: corrections drawn from the index's own vocabulary of surface words."""
from __future__ import annotations

from itertools import islice

from .analysis import fold
from .schema import SECTIONS, section_field, words_field

MAX_CANDIDATES = 64


def max_distance(word: str) -> int:
    """Edit distance allowed for a word of this length (short words are left alone)."""
    n = len(word)
    return 0 if n < 4 else 1 if n < 7 else 2


def is_known(reader, word_terms: dict[str, tuple[str, ...]]) -> bool:
    """Does any analyzed term of the word occur in any section of its languages?"""
    for lang, terms in word_terms.items():
        for term in terms:
            for section in SECTIONS:
                if reader.doc_frequency(section_field(section, lang), term):
                    return True
    return False


def correct(reader, word: str, langs, analysis) -> str | None:
    """A correction for an unknown word: the likeliest word of the vocabulary within edit
    distance of it, or else a word whose stem is within edit distance of the word's stem (so
    that a typo in an inflected form, ноцецепторы, finds ноцицепторами)."""
    return correct_word(reader, word, langs) or correct_stem(reader, word, langs, analysis)


def correct_stem(reader, word: str, langs, analysis) -> str | None:
    best: tuple | None = None
    for lang in langs:
        fieldname = section_field("body", lang)
        for term in analysis.word_terms(word, lang, mode="query")[:1]:
            limit = max_distance(term) if len(term) >= 5 else 0
            if not limit:
                continue
            for candidate in islice(reader.terms_within(fieldname, term, limit + 1, prefix=1), MAX_CANDIDATES):
                distance = _distance(term, candidate)
                if candidate == term or distance > limit:
                    continue
                rank = (distance, -reader.doc_frequency(fieldname, candidate))
                if best is None or rank < best[0]:
                    best = (rank, candidate, lang)
    if best is None:
        return None
    _, stem, lang = best
    for surface in islice(reader.expand_prefix(words_field(lang), stem), MAX_CANDIDATES):
        surface = surface.decode("utf-8") if isinstance(surface, bytes) else surface
        if stem in analysis.word_terms(surface, lang, mode="query"):
            return surface
    return None


def correct_word(reader, word: str, langs) -> str | None:
    """The likeliest word of the vocabulary within edit distance of ``word``, or None."""
    folded = fold(word)
    limit = max_distance(folded)
    if not limit:
        return None
    best: tuple | None = None
    for lang in langs:
        fieldname = words_field(lang)
        # Levenshtein counts a swap of two letters as two edits; search one wider, keep by
        # Damerau distance (a swap is one)
        found = reader.terms_within(fieldname, folded, limit + 1, prefix=1)
        for candidate in islice(found, MAX_CANDIDATES):
            distance = _distance(folded, candidate)
            if candidate == folded or distance > limit:
                continue
            rank = (distance, -reader.doc_frequency(fieldname, candidate))
            if best is None or rank < best[0]:
                best = (rank, candidate)
    return best[1] if best else None


def _distance(a: str, b: str) -> int:
    """Damerau–Levenshtein (optimal string alignment): a swap of two letters costs one."""
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
