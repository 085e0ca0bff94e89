"""What search takes and gives: the one API that the CLI and the web pages call."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from html import escape

from kb.languages import UnknownLanguage, normalize_lang

SECTIONS: tuple[str, ...] = ("title", "treatments", "mechanisms", "indications", "body")
FIELD_CHOICES: tuple[str, ...] = ("treatments", "mechanisms", "indications", "title", "body")
MAX_QUERY_LENGTH = 500
MAX_LIMIT = 100
MAX_PAGE = 1000


class QueryError(ValueError):
    """A bad search parameter; ``param`` names it (for a 400 or a CLI message)."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class SearchRequest:
    text: str
    lang: str | None = None  # the language the query is typed in; detected when None
    field: str | None = None  # restrict to one section (FIELD_CHOICES)
    in_lang: str | None = None  # only results in this language
    limit: int = 10
    page: int = 1
    facets: bool = False  # count results by language and by section
    explain: bool = False  # each hit says what it matched and each part's share (Hit.explanation)


@dataclass(frozen=True)
class Segment:
    text: str
    highlighted: bool = False


@dataclass(frozen=True)
class Translation:
    id: str
    lang: str
    lang_written: str
    title: str


@dataclass(frozen=True)
class Contribution:
    """One matched clause's points in a hit's score (after the factors: the parts sum to it).

    ``kind``: "word" (a query word's analysed term), "phrase", "concept" (curated, data/concepts/),
    or another kind a query clause was marked with (QueryPlan.mark: "bridge" for learned ones)."""

    kind: str
    term: str  # the analysed term, the phrase's terms, or the concept id
    field: str  # the section matched (title, treatments, ...), "as typed" or "concepts"
    lang: str | None  # the language of the field (None: language-neutral, as concepts)
    score: float
    source: str = ""  # what in the query it came from: the word or phrase as typed, the concept
    weight: float = 1.0  # the clause's multiplier: section weight, ×tiebreak if not the best section

    def to_dict(self, total: float) -> dict:
        return {"kind": self.kind, "term": self.term, "field": self.field, "lang": self.lang,
                "source": self.source, "weight": round(self.weight, 4),
                "score": round(self.score, 4), "share": round(self.score / total, 4) if total else 0.0}


@dataclass(frozen=True)
class Factor:
    """A multiplier the ranking applied to a hit's whole score, and why."""

    name: str  # "other-language"
    value: float
    reason: str = ""


@dataclass(frozen=True)
class Explanation:
    """Why a hit scored what it did, read from the ranking's own arrays (indexer/search/explain.py):
    sum(c.score for c in contributions) == total == the hit's score; raw is before the factors."""

    contributions: tuple[Contribution, ...]
    factors: tuple[Factor, ...]
    total: float
    raw: float
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, searched) typo corrections applied

    def to_dict(self) -> dict:
        return {
            "total": round(self.total, 4),
            "raw": round(self.raw, 4),
            "contributions": [c.to_dict(self.total) for c in self.contributions],
            "factors": [f.__dict__ for f in self.factors],
            "corrections": [{"typed": a, "searched": b} for a, b in self.corrections],
        }


@dataclass(frozen=True)
class Hit:
    id: str
    page_id: str | None
    lang: str
    lang_written: str
    title: str
    kind: str  # "page" or "article"
    score: float
    snippet: tuple[Segment, ...] = ()
    sections: tuple[str, ...] = ()  # which of SECTIONS matched
    translations: tuple[Translation, ...] = ()
    other_language: bool = False  # in another language than the query's
    explanation: Explanation | None = None  # when the request asked for one

    @property
    def snippet_html(self) -> str:
        return "".join(
            f"<mark>{escape(s.text)}</mark>" if s.highlighted else escape(s.text)
            for s in self.snippet
        )

    @property
    def snippet_text(self) -> str:
        return "".join(s.text for s in self.snippet)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "page_id": self.page_id,
            "lang": self.lang,
            "lang_written": self.lang_written,
            "title": self.title,
            "kind": self.kind,
            "score": round(self.score, 4),
            "snippet": self.snippet_html,
            "sections": list(self.sections),
            "translations": [t.__dict__ for t in self.translations],
            "other_language": self.other_language,
            **({"explanation": self.explanation.to_dict()} if self.explanation else {}),
        }


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    query_lang: str | None  # the query's language, given or detected (None: no telling)
    lang_method: str  # "given", "script", "words", "index", "none"
    total: int
    hits: tuple[Hit, ...] = ()
    suggestion: str | None = None  # "did you mean", from the index's own vocabulary
    fuzzy: bool = False  # typo-tolerant matching was used
    concepts: tuple[str, ...] = ()  # concept ids the query was expanded through
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.limit))

    def to_dict(self) -> dict:
        return {
            "query": self.request.text,
            "query_lang": self.query_lang,
            "lang_method": self.lang_method,
            "field": self.request.field,
            "in": self.request.in_lang,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "suggestion": self.suggestion,
            "fuzzy": self.fuzzy,
            "concepts": list(self.concepts),
            "facets": self.facets,
            "results": [h.to_dict() for h in self.hits],
        }


@dataclass(frozen=True)
class Suggestion:
    """An as-you-type suggestion: an entry whose title or treatments start with the typed text."""

    id: str
    title: str
    lang: str
    lang_written: str
    text: str  # the matching title or treatment


@dataclass(frozen=True)
class CatalogueItem:
    """An entry as listed on a language's home page."""

    id: str
    page_id: str | None
    title: str
    lang: str
    lang_written: str
    kind: str
    group: str  # a concept group ("injectables", "lasers", ...) or "articles"
    treatments: tuple[str, ...] = ()


def validate(request: SearchRequest) -> SearchRequest:
    """Check every parameter; QueryError names the bad one."""
    from indexer.search.query import parse_query

    text = request.text if isinstance(request.text, str) else ""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError("q", f"is longer than {MAX_QUERY_LENGTH} characters")
    if parse_query(text).empty:
        raise QueryError("q", "is empty: type a word to search for")
    if request.field is not None and request.field not in FIELD_CHOICES:
        raise QueryError("field", f"must be one of {', '.join(FIELD_CHOICES)}")
    if not isinstance(request.limit, int) or not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    if not isinstance(request.page, int) or not 1 <= request.page <= MAX_PAGE:
        raise QueryError("page", f"must be a whole number from 1 to {MAX_PAGE}")
    return replace(request,
                   lang=lang_param("lang", request.lang) if request.lang else None,
                   in_lang=lang_param("in", request.in_lang) if request.in_lang else None)


def lang_param(param: str, value: str) -> str:
    """A language parameter's canonical code; QueryError names the parameter if it is none."""
    try:
        return normalize_lang(value)
    except UnknownLanguage as exc:
        raise QueryError(param, str(exc)) from exc
