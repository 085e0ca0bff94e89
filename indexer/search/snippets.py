"""Snippets: a short window of an entry's own text with the matching original words marked."""
from __future__ import annotations

import re
import threading
from bisect import bisect_left
from itertools import compress, islice

from indexer.analysis import ITALIAN_WORD_PATTERN, WORD_PATTERN, Analysis
from indexer.search.results import Segment

WINDOW_WORDS = 28
_WORDS = {"it": re.compile(ITALIAN_WORD_PATTERN), "ru": re.compile(WORD_PATTERN), "el": re.compile(WORD_PATTERN)}
_SNIPPET_ORDER = ("treatments", "indications", "mechanisms", "body", "title")


SURFACE_LIMIT = 200_000  # surface words a language's SurfaceWords keeps (then: analyzed per call)
_MATCHED = object()  # the key of a search's matched words in its ``seen`` memo


class SurfaceWords:
    """One language's surface words seen in hit texts, each with its index terms
    (Analysis.word_terms), and the reverse (term -> the surface words yielding it): kept between
    searches on the Analysis object, so that a search finds its matching words from its few
    terms, and the words of a text are split, checked and mapped at C speed (set and dict
    operations, no Python call per word). Words are only added, under ``lock``."""

    def __init__(self, lang: str, limit: int = SURFACE_LIMIT):
        self.lang = lang
        self.limit = limit
        self.lock = threading.Lock()
        self.terms_of: dict[str, tuple[str, ...]] = {}
        self.words_of: dict[str, list[str]] = {}
        self.order: list[str] = []  # terms_of's words in the order they came

    @classmethod
    def of(cls, analysis: Analysis, lang: str) -> "SurfaceWords":
        found = analysis.snippet_words.get(lang)
        if found is None:
            found = analysis.snippet_words.setdefault(lang, cls(lang))
        return found

    def learn(self, words, analysis: Analysis) -> dict[str, tuple[str, ...]]:
        """Analyze ``words`` (not yet known); each one's terms, kept while there is room."""
        out = {word: analysis.word_terms(word, self.lang) for word in words}
        with self.lock:
            for word, terms in out.items():
                if len(self.order) >= self.limit or word in self.terms_of:
                    continue
                self.order.append(word)
                for term in terms:
                    self.words_of.setdefault(term, []).append(word)
                self.terms_of[word] = terms
        return out


def _first_match(word_terms: tuple[str, ...], terms) -> str | None:
    for term in word_terms:
        if term in terms:
            return term
    return None


def split_words(texts: dict[str, str], lang: str) -> dict[str, tuple[str, ...]]:
    """Each section's words, as word_hits splits them (what a page's snippets can reuse)."""
    return {section: tuple(_WORDS[lang].findall(text)) for section, text in texts.items() if text}


def word_hits(text: str, lang: str, terms: set[str], analysis: Analysis, seen: dict,
              words: tuple[str, ...] | None = None) -> list[str | None]:
    """The matching term (or None) of every word of ``text``, in order: a word's first term
    (in Analysis.word_terms' order) that is one of ``terms``. ``seen`` is the search's memo for
    this language (one dict for all its hits): the words matching ``terms`` among the
    SurfaceWords known, brought up to date with the words learned since on each call.
    ``words``: the text's words already split (split_words)."""
    if words is None:
        words = _WORDS[lang].findall(text)
    surface = SurfaceWords.of(analysis, lang)
    with surface.lock:
        state = seen.get(_MATCHED)
        if state is None or state[0] != terms:
            candidates = {w for t in terms for w in surface.words_of.get(t, ())}
            matched = {w: _first_match(surface.terms_of[w], terms) for w in candidates}
            state = seen[_MATCHED] = [frozenset(terms), matched, len(surface.order)]
        _, matched, known = state
        new = set(words).difference(surface.terms_of)
        for word in surface.order[known:]:  # learned by another call since
            if (found := _first_match(surface.terms_of[word], terms)) is not None:
                matched[word] = found
        state[2] = len(surface.order)
    for word, word_terms in surface.learn(sorted(new), analysis).items():
        if (found := _first_match(word_terms, terms)) is not None:
            matched[word] = found
    return list(map(matched.get, words))


def best_window(hits: list) -> tuple[int, int, int]:
    """(first word, last word, score) of the window with the most distinct matches; ``hits``
    holds each word's matching term or None."""
    best = (0, min(len(hits), WINDOW_WORDS), -1)
    at = list(compress(range(len(hits)), hits))  # the matching words' places
    for k, start in enumerate(at):
        end = bisect_left(at, start + WINDOW_WORDS, k)
        score = len({hits[i] for i in at[k:end]}) * 10 + end - k
        if score > best[2]:
            first = max(0, start - 4)
            best = (first, min(len(hits), first + WINDOW_WORDS), score)
    return best


def segments(text: str, spans, more_before: bool, more_after: bool) -> tuple[Segment, ...]:
    """The window's segments; ``spans``: (start, stop, matching term or None) of its words."""
    if not spans:
        return ()
    out: list[Segment] = []
    begin = spans[0][0]
    end = spans[-1][1]
    if more_before:
        out.append(Segment("… "))
    cursor = begin
    for start, stop, hit in spans:
        if hit:
            if start > cursor:
                out.append(Segment(_squash(text[cursor:start])))
            out.append(Segment(text[start:stop], True))
            cursor = stop
    if end > cursor:
        out.append(Segment(_squash(text[cursor:end])))
    if more_after:
        out.append(Segment(" …"))
    return tuple(out)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def make_snippet(texts: dict[str, str], lang: str, terms: set[str], analysis: Analysis,
                 seen: dict | None = None, words: dict[str, tuple[str, ...]] | None = None):
    """(snippet segments, sections whose text holds a matching word). ``seen``: see word_hits;
    ``words``: each section's words (split_words), when the caller keeps them."""
    seen = {} if seen is None else seen
    words = {} if words is None else words
    matched_sections = []
    best = None
    for section in _SNIPPET_ORDER:
        text = texts.get(section) or ""
        if not text or not terms:
            continue
        hits = word_hits(text, lang, terms, analysis, seen, words.get(section))
        if any(hits):
            matched_sections.append(section)
            first, last, score = best_window(hits)
            if best is None or score > best[0]:
                best = (score, text, hits, first, last)
    if best is None:
        text = texts.get("body") or texts.get("treatments") or texts.get("title") or ""
        # the window's words only, and whether one more follows
        spans = [(*m.span(), None) for m in islice(_WORDS[lang].finditer(text), WINDOW_WORDS + 1)]
        return segments(text, spans[:WINDOW_WORDS], False, len(spans) > WINDOW_WORDS), ()
    _, text, hits, first, last = best
    spans = [(*m.span(), hit) for m, hit in zip(islice(_WORDS[lang].finditer(text), first, last), hits[first:last])]
    order = [s for s in ("title", "treatments", "mechanisms", "indications", "body") if s in matched_sections]
    return segments(text, spans, first > 0, last < len(hits)), tuple(order)
