"""What staff read from the query log: top queries, queries that found nothing, queries whose
results nobody opened; rare queries held back; concepts near a query that found nothing.

A query counted fewer than ``min_count`` times, or on fewer than ``min_days`` distinct days, in
the period is not listed (3 and 3 by default: a rare query about someone's health can tell who
typed it); the report says how many it held back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz.distance import OSA

from kb.concepts import ConceptSet
from querylog.normalize import fold
from querylog.store import QueryRow, QueryStore

KINDS = ("top", "zero", "unopened")
PRIVACY_FLOOR = 3  # default min_count and min_days
_WORD = re.compile(r"\w+")
_SINCE = re.compile(r"^(\d{1,5})d$")


class ReportError(ValueError):
    """A bad report option (the message names it)."""


def parse_since(value: str, today: date) -> date:
    """``YYYY-MM-DD`` or ``Nd`` (the last N days, today included)."""
    value = value.strip()
    if match := _SINCE.match(value):
        days = int(match.group(1))
        if days < 1:
            raise ReportError(f"--since: {value!r} counts no day (use 1d or more)")
        return today - timedelta(days=days - 1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportError(f"--since: expected a date (2026-11-30) or a number of days (30d), "
                          f"got {value[:40]!r}") from None


@dataclass(frozen=True)
class Hint:
    """A concept a query is close to: the concept, its group (file) and the nearest term;
    ``exact`` when the query is that term (the concept is known: what is missing is a page
    that carries it)."""
    concept: str
    group: str
    term: str
    exact: bool = False

    def to_dict(self) -> dict:
        return {"concept": self.concept, "file": f"{self.group}.toml", "term": self.term,
                "exact": self.exact}


@dataclass(frozen=True)
class Line:
    row: QueryRow
    hints: tuple[Hint, ...] = ()

    def to_dict(self) -> dict:
        data = self.row.to_dict()
        if self.hints:
            data["near_concepts"] = [h.to_dict() for h in self.hints]
        return data


@dataclass(frozen=True)
class Report:
    kind: str
    since: date
    until: date
    lang: str | None
    min_count: int
    min_days: int
    lines: tuple[Line, ...] = ()
    shown_of: int = 0  # rows above the floor (``lines`` holds the first ``limit`` of them)
    hidden: int = 0  # rows of this kind below the floor
    days_logged: int = 0

    def to_dict(self) -> dict:
        return {"report": self.kind, "since": self.since.isoformat(),
                "until": self.until.isoformat(), "lang": self.lang,
                "min_count": self.min_count, "min_days": self.min_days,
                "days_logged": self.days_logged, "listed": len(self.lines),
                "above_floor": self.shown_of, "hidden": self.hidden,
                "queries": [line.to_dict() for line in self.lines]}


def build_report(store: QueryStore, kind: str, today: date, keep_days: int,
                 since: date | None = None, lang: str | None = None, limit: int = 20,
                 min_count: int = PRIVACY_FLOOR, min_days: int = PRIVACY_FLOOR,
                 concepts: ConceptSet | None = None) -> Report:
    """The ``kind`` report (KINDS) over ``since``..today, never older than the retention."""
    if kind not in KINDS:
        raise ReportError(f"unknown report {kind!r} (expected one of {', '.join(KINDS)})")
    oldest = today - timedelta(days=keep_days - 1)
    since = max(since or oldest, oldest)
    rows = [row for row in store.rows(since, lang) if _wanted(kind, row)]
    above = [row for row in rows if row.searches >= min_count and row.days >= min_days]
    above.sort(key=_order(kind))
    hints = ConceptHints(concepts) if concepts is not None and kind == "zero" else None
    lines = tuple(Line(row, hints.near(row.query) if hints else ()) for row in above[:limit])
    days_logged = sum(1 for day in store.days() if day >= since.isoformat())
    return Report(kind, since, today, lang, min_count, min_days, lines, len(above),
                  len(rows) - len(above), days_logged)


def _wanted(kind: str, row: QueryRow) -> bool:
    if kind == "zero":
        return row.zero_results > 0
    if kind == "unopened":
        return row.searches > row.zero_results and row.opens == 0
    return True


def _order(kind: str):
    if kind == "zero":
        return lambda row: (-row.zero_results, -row.searches, row.query, row.lang)
    return lambda row: (-row.searches, row.query, row.lang)


class ConceptHints:
    """Concepts whose terms a query's words are close to: the same word, one a prefix of the
    other (4 letters at least), or an edit or two away (1 from 4 letters, 2 from 8; a swap of
    two letters is one edit), all after the fold (case and accents do not count)."""

    def __init__(self, concepts: ConceptSet, most: int = 2):
        self.most = most
        self._words: dict[str, list[tuple[str, str, str]]] = {}  # word -> (concept, group, term)
        for concept in concepts:
            for term in concept.all_terms():
                for word in _WORD.findall(fold(term)):
                    if len(word) >= 3:
                        self._words.setdefault(word, []).append((concept.id, concept.group, term))

    def near(self, query: str) -> tuple[Hint, ...]:
        scores: dict[tuple[str, str], float] = {}
        terms: dict[tuple[str, str], tuple[float, str]] = {}
        for word in {w for w in _WORD.findall(fold(query)) if len(w) >= 3}:
            best: dict[tuple[str, str], tuple[float, str]] = {}
            for other, owners in self._words.items():
                closeness = _closeness(word, other)
                if closeness:
                    for cid, group, term in owners:
                        if closeness > best.get((cid, group), (0.0, ""))[0]:
                            best[(cid, group)] = (closeness, term)
            for key, (closeness, term) in best.items():
                scores[key] = scores.get(key, 0.0) + closeness
                if closeness > terms.get(key, (0.0, ""))[0]:
                    terms[key] = (closeness, term)
        ranked = sorted(scores, key=lambda key: (-scores[key], key))
        whole = " ".join(_WORD.findall(fold(query)))
        return tuple(Hint(cid, group, term, " ".join(_WORD.findall(fold(term))) == whole)
                     for cid, group in ranked[:self.most] for term in [terms[(cid, group)][1]])


def _closeness(word: str, other: str) -> float:
    """1 for the same word, 0.85 / 0.7 one / two edits away, 0.5-0.9 for a prefix (by how much
    of the longer word it covers), else 0."""
    if word == other:
        return 1.0
    shorter, longer = sorted((len(word), len(other)))
    allowed = 2 if shorter >= 8 else 1 if shorter >= 4 else 0
    closeness = 0.0
    if allowed and longer - shorter <= allowed:
        distance = OSA.distance(word, other, score_cutoff=allowed)
        if distance <= allowed:
            closeness = 0.85 if distance == 1 else 0.7
    if shorter >= 4 and (word.startswith(other) or other.startswith(word)):
        closeness = max(closeness, 0.5 + 0.4 * shorter / longer)
    return closeness
