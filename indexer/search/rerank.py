"""The second stage of ranking: the top matches reweighed by language.

A page in another language than the query's is weighed × the other-language factor
(ranking.Ranking.other_language_factor), unless it carries
more of the query's concepts than any page in the query's language, or a strong learned bridge
reaches it and it has no version in the query's language (the page that exists only there ranks
on its own merit). The factor each page received is returned beside the ranking, so
an explanation shows the very factor the ranking applied.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.languages import LANGUAGES

NO_LANG_CODE = len(LANGUAGES)  # a document without a language (engine Snapshot.codes)
BRIDGED_REASON = ("a strong learned bridge of a query word its language lacks reaches it, and the "
                  "page has no version in the query's language")


@dataclass(frozen=True)
class LanguageFactor:
    """The other-language factor one page received, and why."""

    value: float
    reason: str  # "in another language than the query", or why the factor was not applied


def rerank(top, codes: np.ndarray, query_lang: str | None, factor: float, covers: dict[int, int],
           exempt: dict[int, str] | None = None) -> tuple[list[tuple[int, float]], dict[int, LanguageFactor]]:
    """``top`` ((score, docnum), best first) reweighed: (docnum, score) pairs, best first, and the
    factor given to each page in another language. ``exempt``: pages in another language that
    rank on their own merit for another reason, with the reason (shown by an explanation)."""
    applied: dict[int, LanguageFactor] = {}
    if factor == 1.0:
        ranked = [(docnum, score) for score, docnum in top]
    else:
        own = lang_code(query_lang)
        best_own = max((covers.get(d, 0) for _, d in top if codes[d] in (own, NO_LANG_CODE)), default=0)
        ranked = []
        for score, docnum in top:
            if codes[docnum] in (own, NO_LANG_CODE):
                ranked.append((docnum, score))
            elif exempt and docnum in exempt:
                ranked.append((docnum, score))
                applied[docnum] = LanguageFactor(1.0, f"not applied: {exempt[docnum]}")
            elif covers.get(docnum, 0) > best_own:
                ranked.append((docnum, score))
                applied[docnum] = LanguageFactor(1.0, f"not applied: it carries {covers[docnum]} of the "
                                                      f"query's concepts, more than any {query_lang} page ({best_own})")
            else:
                ranked.append((docnum, score * factor))
                applied[docnum] = LanguageFactor(factor, "in another language than the query")
    ranked.sort(key=lambda pair: -pair[1])
    return ranked, applied


def concept_coverage(snapshot, concepts, docnums) -> dict[int, int]:
    """How many of the query's concepts each document is tagged with."""
    if not concepts or not docnums:
        return {}
    wanted = np.asarray(docnums, np.int64)
    counts = np.zeros(len(wanted), np.int64)
    for concept in concepts:
        ids, _ = snapshot.postings("concepts", concept)
        if len(ids):
            counts += np.isin(wanted, ids)
    return {int(d): int(c) for d, c in zip(wanted, counts) if c}


def lang_code(lang: str | None) -> int:
    return LANGUAGES.index(lang) if lang in LANGUAGES else NO_LANG_CODE


def top(ids: np.ndarray, scores: np.ndarray, depth: int) -> np.ndarray:
    """Indexes of the ``depth`` best matches, best first; equal scores by document number (the
    order a top-N search gives)."""
    if len(ids) > depth:
        kth = np.partition(scores, len(scores) - depth)[len(scores) - depth]
        chosen = np.flatnonzero(scores >= kth)
    else:
        chosen = np.arange(len(ids))
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return chosen[order[:depth]]
