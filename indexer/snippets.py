"""Snippets: a short window of an entry's own text with the matching original words marked."""
from __future__ import annotations

import re

from .analysis import ITALIAN_WORD_PATTERN, WORD_PATTERN, Analysis
from .results import Segment

WINDOW_WORDS = 28
_WORDS = {"it": re.compile(ITALIAN_WORD_PATTERN), "ru": re.compile(WORD_PATTERN), "el": re.compile(WORD_PATTERN)}
_SNIPPET_ORDER = ("treatments", "indications", "mechanisms", "body", "title")


_UNSEEN = object()


def matched_spans(text: str, lang: str, terms: set[str], analysis: Analysis,
                  seen: dict | None = None) -> list[tuple[int, int, str | None]]:
    """Every word of ``text`` as (start, end, matching term or None). ``seen`` remembers each
    surface word's answer for these terms (pass one dict for all the hits of a query)."""
    seen = {} if seen is None else seen
    spans = []
    for match in _WORDS[lang].finditer(text):
        word = match.group()
        hit = seen.get(word, _UNSEEN)
        if hit is _UNSEEN:
            hit = seen[word] = next((t for t in analysis.word_terms(word, lang) if t in terms), None)
        spans.append((*match.span(), hit))
    return spans


def best_window(spans) -> tuple[int, int, int]:
    """(first word, last word, score) of the window with the most distinct matches."""
    best = (0, min(len(spans), WINDOW_WORDS), -1)
    for start in range(len(spans)):
        if spans[start][2] is None:
            continue
        window = spans[start:start + WINDOW_WORDS]
        distinct = {s[2] for s in window if s[2]}
        score = len(distinct) * 10 + sum(1 for s in window if s[2])
        if score > best[2]:
            first = max(0, start - 4)
            best = (first, min(len(spans), first + WINDOW_WORDS), score)
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
    """(snippet segments, sections whose text holds a matching word). ``seen``: see matched_spans."""
    matched_sections = []
    best = None
    for section in _SNIPPET_ORDER:
        text = texts.get(section) or ""
        if not text:
            continue
        spans = matched_spans(text, lang, terms, analysis, seen) if terms else []
        if any(s[2] for s in spans):
            matched_sections.append(section)
            first, last, score = best_window(spans)
            if best is None or score > best[0]:
                best = (score, text, spans, first, last)
    if best is None:
        text = texts.get("body") or texts.get("treatments") or texts.get("title") or ""
        spans = [(m.start(), m.end(), None) for m in _WORDS[lang].finditer(text)]
        return segments(text, spans, 0, min(len(spans), WINDOW_WORDS)), ()
    _, text, spans, first, last = best
    order = [s for s in ("title", "treatments", "mechanisms", "indications", "body") if s in matched_sections]
    return segments(text, spans, first, last), tuple(order)
