"""The knowledge base's lifecycle in the app: opened once, lazily; closed when the process exits.

Like flaskr's ``db.py``: views call ``get_kb()`` (and ``search()`` to search); ``init_app``
registers the clean-up. ``KnowledgeBase`` is thread-safe and reopens itself when the index is
rebuilt, so one instance serves every request thread.
"""
from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from indexer.search.results import SearchRequest, SearchResults
from indexer.search.knowledgebase import KnowledgeBase

_EXTENSION = "clinic_kb"
_lock = threading.Lock()


def get_kb() -> KnowledgeBase:
    """The app's KnowledgeBase, opened on first use (IndexMissing when there is no index)."""
    state = current_app.extensions[_EXTENSION]
    if state["kb"] is None:
        with _lock:
            if state["kb"] is None:
                settings = current_app.config["SETTINGS"]
                state["kb"] = KnowledgeBase.open(settings)
    return state["kb"]


def search(request: SearchRequest) -> SearchResults:
    """``get_kb().search(request)``, one search at a time (SEARCH_CONCURRENCY, default 1).

    A search is CPU work in Python, and a server's threads take turns under the GIL: searches run
    side by side only slowed each other down (four threads on two cores ran the benchmark's query
    mix in 19 s side by side, 11 s one at a time) while each held its arrays over every document
    of the index (at 100,000 entries, eight waitress threads under load peaked 30 MB higher
    searching side by side). Entry pages and suggestions do not wait."""
    kb = get_kb()
    with current_app.extensions[_EXTENSION]["searches"]:
        return kb.search(request)


def close_kb(app: Flask) -> None:
    """Close the app's KnowledgeBase if it was opened."""
    state = app.extensions.get(_EXTENSION)
    if state and state["kb"] is not None:
        with _lock:
            kb, state["kb"] = state["kb"], None
        kb.close()


def init_app(app: Flask) -> None:
    concurrency = app.config.get("SEARCH_CONCURRENCY") or 1
    app.extensions[_EXTENSION] = {"kb": None, "searches": threading.BoundedSemaphore(concurrency)}
    atexit.register(close_kb, app)
