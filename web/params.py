"""Query-string parameters turned into a SearchRequest (types only; the search checks ranges)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from indexer.results import QueryError, SearchRequest
from kb.languages import UnknownLanguage, normalize_lang

RESULTS_PER_PAGE = 10


def search_request(args: MultiDict, *, facets: bool = True) -> SearchRequest:
    """``q``, ``field``, ``in``, ``page``, ``limit`` and ``lang`` as a SearchRequest.

    Raises QueryError naming the parameter for a value of the wrong type or an unknown
    language; ranges and field names are checked by the search itself.
    """
    return SearchRequest(
        text=args.get("q", "").strip(),
        lang=language_param(args, "lang"),
        field=args.get("field") or None,
        in_lang=language_param(args, "in"),
        limit=integer_param(args, "limit", RESULTS_PER_PAGE),
        page=integer_param(args, "page", 1),
        facets=facets,
    )


def integer_param(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 9:
        raise QueryError(name, f"expected a whole number, got {raw[:40]!r}")
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
