"""Query-string parameters turned into a SearchRequest.

Only types are checked here (a QueryError names the parameter); the search checks ranges and
field names itself.
"""
from __future__ import annotations

from dataclasses import replace

from werkzeug.datastructures import MultiDict

from indexer.search.results import QueryError, SearchRequest
from kb.languages import UnknownLanguage, normalize_lang

RESULTS_PER_PAGE = 10


def page_search_request(args: MultiDict) -> SearchRequest:
    """The search page's ``q``, ``field``, ``in`` and ``page`` (ten results a page, with facets;
    the query's language is detected)."""
    return SearchRequest(
        text=args.get("q", "").strip(),
        field=args.get("field") or None,
        in_lang=language_param(args, "in"),
        limit=RESULTS_PER_PAGE,
        page=integer_param(args, "page", 1),
        facets=True,
    )


def api_search_request(args: MultiDict) -> SearchRequest:
    """The page's parameters plus ``lang`` (the query's language), ``limit``, ``facets`` and
    ``explain`` (each result says what it matched and each part's share of its score)."""
    return replace(
        page_search_request(args),
        lang=language_param(args, "lang"),
        limit=integer_param(args, "limit", RESULTS_PER_PAGE),
        facets=boolean_param(args, "facets", True),
        explain=boolean_param(args, "explain", False),
    )


def integer_param(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit():
        raise QueryError(name, f"expected a whole number, got {raw[:40]!r}")
    if len(raw) > 9:
        raise QueryError(name, f"{raw[:40]} is too large")
    return int(raw)


def language_param(args: MultiDict, name: str) -> str | None:
    """A language parameter in its canonical form (``gr`` -> ``el``); None when absent."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return normalize_lang(raw)
    except UnknownLanguage as exc:
        raise QueryError(name, str(exc)) from None


def boolean_param(args: MultiDict, name: str, default: bool) -> bool:
    raw = args.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise QueryError(name, f"expected true or false, got {raw[:40]!r}")
