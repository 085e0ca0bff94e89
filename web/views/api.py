"""The JSON API: search, as-you-type suggestions and entries. Errors are JSON too (web.errors)."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, jsonify, request

from indexer.search.results import MAX_QUERY_LENGTH, QueryError
from web.kbase import get_kb, search as search_kb
from web.params import api_search_request, integer_param, language_param
from web.searchlog import record_search
from web.urls import entry_url

bp = Blueprint("api", __name__, url_prefix="/api")

SUGGESTION_LIMIT = 8
MAX_SUGGESTIONS = 20
PRIVATE_ENTRY_FIELDS = ("root",)  # where the server keeps its content: not the visitor's business


@bp.get("/search")
def search():
    """``SearchResults.to_dict()`` for ``q``, ``lang``, ``field``, ``in``, ``page``, ``limit``
    (``explain=1``: each result's ``explanation``)."""
    wanted = api_search_request(request.args)
    if not wanted.text:
        raise QueryError("q", "missing: give the text to search for")
    results = search_kb(wanted)
    if wanted.page == 1:
        record_search(wanted.text, results.query_lang, results.total)
    return jsonify(results.to_dict())


@bp.get("/suggest")
def suggest():
    """Entries whose title or treatments start with ``q`` (optionally in ``lang``)."""
    prefix = request.args.get("q", "").strip()
    lang = language_param(request.args, "lang")
    limit = integer_param(request.args, "limit", SUGGESTION_LIMIT)
    if len(prefix) > MAX_QUERY_LENGTH:
        raise QueryError("q", f"longer than {MAX_QUERY_LENGTH} characters")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise QueryError("limit", f"expected 1 to {MAX_SUGGESTIONS}, got {limit}")
    suggestions = get_kb().suggest(prefix, lang=lang, limit=limit) if prefix else []
    return jsonify({
        "query": prefix,
        "lang": lang,
        "suggestions": [
            {**asdict(s), "url": entry_url(s.id, s.lang, s.lang_written)} for s in suggestions
        ],
    })


@bp.get("/entries/<path:entry_id>")
def entry(entry_id: str):
    """One entry with its translations, each with the URL of its page."""
    kb = get_kb()
    found = kb.entry(entry_id)
    if found is None:
        abort(404, description=f"no entry with id {entry_id[:200]!r}")
    data = {k: v for k, v in found.to_dict().items() if k not in PRIVATE_ENTRY_FIELDS}
    data["url"] = entry_url(found.id, found.lang, found.lang_written)
    data["translations"] = [
        {**asdict(t), "url": entry_url(t.id, t.lang, t.lang_written)}
        for t in kb.translations(found.id) if t.id != found.id
    ]
    return jsonify(data)
