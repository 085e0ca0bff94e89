"""The app's query log (querylog.Recorder): made from the settings, fed by the search views.

Searches are counted from the search page (its first page: paging is not a new search) and from
``/api/search``; an entry page opened from a result link (which carries ``q`` and ``ql``, the
search's text and language) counts an open. Nothing about the visitor is passed on.
"""
from __future__ import annotations

from flask import Flask, current_app

from kb.languages import UnknownLanguage, normalize_lang
from querylog import Recorder

_EXTENSION = "clinic_kb_querylog"


def init_app(app: Flask) -> None:
    """``QUERY_RECORDER`` in the config if given (None: no log), else from the settings."""
    if "QUERY_RECORDER" in app.config:
        recorder = app.config["QUERY_RECORDER"]
    else:
        settings = app.config["SETTINGS"]
        path = settings.query_log_path
        recorder = Recorder(path, keep_days=settings.query_log_days) if path else None
    app.extensions[_EXTENSION] = recorder


def recorder() -> Recorder | None:
    return current_app.extensions.get(_EXTENSION)


def record_search(text: str, lang: str | None, results: int) -> None:
    if (found := recorder()) is not None:
        found.search(text, lang, results)


def record_open(text: str, lang: str | None, entry_id: str) -> None:
    if (found := recorder()) is not None and text:
        found.open(text, search_lang(lang), entry_id)


def search_lang(raw: str | None) -> str | None:
    """A language parameter from a link, or None when it is not one."""
    try:
        return normalize_lang(raw.strip()) if raw else None
    except UnknownLanguage:
        return None
