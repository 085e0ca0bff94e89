"""Snippets: a short window of an entry's own text with the matching original words marked."""
from __future__ import annotations

import re

from .analysis import ITALIAN_WORD_PATTERN, WORD_PATTERN, Analysis
from .results import Segment

WINDOW_WORDS = 28
_WORDS = {"it": re.compile(ITALIAN_WORD_PATTERN), "ru": re.compile(WORD_PATTERN), "el": re.compile(WORD_PATTERN)}
_SNIPPET_ORDER = ("treatments", "indications", "mechanisms", "body", "title")


def word_hits(text: str, lang: str, terms: set[str], analysis: Analysis, seen: dict) -> list[str | None]:
    """The matching term (or None) of every word of ``text``, in order. ``seen`` remembers each
    surface word's answer for these terms (one dict for all the hits of a query): the words are
    split and looked up at C speed, and only words not seen before are analyzed."""
    words = _WORDS[lang].findall(text)
    word_terms = analysis.word_terms
    for word in set(words).difference(seen):
        found = None
        for term in word_terms(word, lang):
            if term in terms:
                found = term
                break
        seen[word] = found
    return list(map(seen.__getitem__, words))


def best_window(hits: list) -> tuple[int, int, int]:
    """(first word, last word, score) of the window with the most distinct matches; ``hits``
    holds each word's matching term or None."""
    best = (0, min(len(hits), WINDOW_WORDS), -1)
    for start in range(len(hits)):
        if hits[start] is None:
            continue
        window = [h for h in hits[start:start + WINDOW_WORDS] if h]
        score = len(set(window)) * 10 + len(window)
        if score > best[2]:
            first = max(0, start - 4)
            best = (first, min(len(hits), first + WINDOW_WORDS), score)
    return best


def segments(text: str, spans, first: int, last: int) -> tuple[Segment, ...]:
    if not spans:
        return ()
    out: list[Segment] = []
    begin = spans[first][0]
    end = spans[last - 1][1]
    if first > 0:
        out.append(Segment("… "))
    cursor = begin
    for start, stop, hit in spans[first:last]:
        if hit:
            if start > cursor:
                out.append(Segment(_squash(text[cursor:start])))
            out.append(Segment(text[start:stop], True))
            cursor = stop
    if end > cursor:
        out.append(Segment(_squash(text[cursor:end])))
    if last < len(spans):
        out.append(Segment(" …"))
    return tuple(out)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def make_snippet(texts: dict[str, str], lang: str, terms: set[str], analysis: Analysis,
                 seen: dict | None = None):
    """(snippet segments, sections whose text holds a matching word). ``seen``: see word_hits."""
    seen = {} if seen is None else seen
    matched_sections = []
    best = None
    for section in _SNIPPET_ORDER:
        text = texts.get(section) or ""
        if not text or not terms:
            continue
        hits = word_hits(text, lang, terms, analysis, seen)
        if any(hits):
            matched_sections.append(section)
            first, last, score = best_window(hits)
            if best is None or score > best[0]:
                best = (score, text, hits, first, last)
    if best is None:
        text = texts.get("body") or texts.get("treatments") or texts.get("title") or ""
        spans = [(*m.span(), None) for m in _WORDS[lang].finditer(text)]
        return segments(text, spans, 0, min(len(spans), WINDOW_WORDS)), ()
    _, text, hits, first, last = best
    spans = [(*m.span(), hit) for m, hit in zip(_WORDS[lang].finditer(text), hits)]
    order = [s for s in ("title", "treatments", "mechanisms", "indications", "body") if s in matched_sections]
    return segments(text, spans, first, last), tuple(order)
