"""Entry ids <-> URL paths, and links that keep the search's parameters.

A page's id is ``<page_id>/<lang as written>`` and its URL ``/<lang>/<page_id>``; an
article's URL is ``/<lang>/<its id>``. ``candidate_ids`` reverses ``entry_path``.
"""
from __future__ import annotations

from flask import current_app, request, url_for
from werkzeug.urls import _urlencode  # what url_for encodes a query with (Rule._encode_query_vars)

from kb.languages import ALIASES, normalize_lang

_KEPT = "clinic_kb_urls"  # (route URLs, encoded query strings)
KEPT = 50_000  # of each


def entry_path(entry_id: str, lang_written: str) -> str:
    """The part of an entry's URL after the language: its id less ``/<lang as written>``."""
    suffix = "/" + lang_written
    if entry_id.endswith(suffix) and len(entry_id) > len(suffix):
        return entry_id[: -len(suffix)]
    return entry_id


def entry_url(entry_id: str, lang: str, lang_written: str, **kwargs) -> str:
    return with_query(("pages.entry", normalize_lang(lang), entry_path(entry_id, lang_written)), kwargs)


def with_query(base: tuple, query: dict) -> str:
    """``url_for(endpoint, lang=..., [path=...], **query)``, the same string, faster: the URL
    of the route's own arguments (``base``: endpoint, lang[, path]) is made by url_for once and
    kept, and the query string, encoded as url_for encodes it (None values left out), is kept
    too (a search page has some fifty links, thirty of them with the same q and ql). Flask's
    own options (``_external``...) go to url_for."""
    names = ("lang", "path")[:len(base) - 1]
    app = current_app._get_current_object()  # one look-up of the proxy, not three
    if app.url_map.sort_parameters or any(key.startswith("_") for key in query):
        return url_for(base[0], **dict(zip(names, base[1:])), **query)
    bases, queries = app.extensions.setdefault(_KEPT, ({}, {}))
    key = (request.script_root, *base)
    url = bases.get(key)
    if url is None:
        url = _keep(bases, key, url_for(base[0], **dict(zip(names, base[1:]))))
    if not query:
        return url
    items = tuple(query.items())
    params = queries.get(items)
    if params is None:
        params = _keep(queries, items, _urlencode(query))
    return f"{url}?{params}" if params else url


def _keep(kept: dict, key, value: str) -> str:
    if len(kept) >= KEPT:
        kept.clear()
    kept[key] = value
    return value


def candidate_ids(path: str, lang: str) -> list[str]:
    """Ids an URL path can name in ``lang``: ``<path>/<each written form>``, then the path."""
    written = [code for code, canonical in ALIASES.items() if canonical == lang]
    # The site's own form first (gr before el), as ALIASES lists it.
    return [f"{path}/{code}" for code in written] + [path]


SEARCH_PARAMS = ("q", "field", "in", "page")


def search_url(lang: str, **changes) -> str:
    """The current search's URL with ``changes`` applied; None removes a parameter.

    ``in_lang`` stands for the ``in`` parameter (a Python keyword). Any change but one of the
    page goes back to the first page.
    """
    if "in_lang" in changes:
        changes["in"] = changes.pop("in_lang")
    args = request.args
    params = {key: args.get(key) for key in SEARCH_PARAMS}
    if "page" not in changes:
        params["page"] = None
    params.update(changes)
    if str(params.get("page")) == "1":
        params["page"] = None
    clean = {key: value for key, value in params.items() if value not in (None, "")}
    return with_query(("pages.search", normalize_lang(lang)), clean)


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and those near ``page``; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
