"""Typo tolerance: corrections drawn from the index's own vocabulary of surface words.

``index``: an engine Snapshot (its ``doc_frequency``, ``expand_prefix`` and ``vocabulary``, the
field's terms read once and kept in the segment cache)."""
from __future__ import annotations

import re
from itertools import islice

from indexer.analysis import fold
from indexer.search.query import word_languages
from indexer.schema import SECTIONS, section_field, words_field

MAX_CANDIDATES = 64


def max_distance(word: str) -> int:
    """Edit distance allowed for a word of this length (short words are left alone)."""
    n = len(word)
    return 0 if n < 4 else 1 if n < 7 else 2


def is_known(reader, word_terms: dict[str, tuple[str, ...]]) -> bool:
    """Does any analyzed term of the word occur in any section of its languages? ``reader``:
    anything with ``doc_frequency(fieldname, text)`` (the engine's scorer: postings cached)."""
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
            for candidate, distance in nearest(reader, fieldname, term, limit):
                rank = (distance, -reader.doc_frequency(fieldname, candidate))
                if best is None or rank < best[0]:
                    best = (rank, candidate, lang)
    if best is None:
        return None
    _, stem, lang = best
    for surface in islice(reader.expand_prefix(words_field(lang), stem), MAX_CANDIDATES):
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
        for candidate, distance in nearest(reader, fieldname, folded, limit):
            rank = (distance, -reader.doc_frequency(fieldname, candidate))
            if best is None or rank < best[0]:
                best = (rank, candidate)
    return best[1] if best else None


def nearest(reader, fieldname: str, text: str, limit: int) -> list[tuple[str, int]]:
    """The terms of a field nearest to ``text``, other than it, within ``limit`` edits (a swap of
    two letters is one edit: optimal string alignment), sharing its first letter: those at the
    smallest distance found, at most MAX_CANDIDATES of them."""
    from rapidfuzz import process  # only a word the index does not know needs it
    from rapidfuzz.distance import OSA

    found = process.extract(text, reader.vocabulary(fieldname, text[:1]), scorer=OSA.distance,
                            score_cutoff=limit, limit=None)
    found = [(term, distance) for term, distance, _ in found if term != text]
    if not found:
        return []
    least = min(distance for _, distance in found)
    return [(term, distance) for term, distance in found if distance == least][:MAX_CANDIDATES]



def corrections(snapshot, planned, analysis) -> dict[str, str]:
    """A correction for each word of the plan's query that the index does not know and that is
    neither a stop word, nor a concept's term, nor a word of another language reached through
    its bridges (pipeline.Planned: the words, their terms, the concepts, the foreign words)."""
    plan, query_lang, builder = planned.plan, planned.parsed.query_lang, planned.parsed.builder
    found = {}
    for word in planned.query.words:
        terms = plan.word_terms.get(word)
        if not terms or is_known(snapshot.scorer, terms):  # postings cached there
            continue  # a stop word, or a word the index knows
        if plan.concepts and builder.names_concept(word, plan):
            continue
        if word in plan.foreign:
            continue  # a word of another language, not a typo: its bridges find it
        fixed = correct(snapshot, word, word_languages(word, query_lang)
                        if query_lang is None else _langs_for(word, query_lang), analysis)
        if fixed:
            found[word] = fixed
    return found


def apply_corrections(text: str, found: dict[str, str]) -> str:
    """The text as typed with its corrected words replaced (the "did you mean")."""
    def fix(match):
        return found.get(match.group(), match.group())

    return re.sub(r"(?:\w|[\u0300-\u036f])+", fix, text)


def _langs_for(word: str, query_lang: str) -> tuple[str, ...]:
    langs = word_languages(word, query_lang)
    return (query_lang,) if query_lang in langs else langs
