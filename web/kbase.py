"""The knowledge base's lifecycle in the app: opened once, lazily; closed when the process exits.

Like flaskr's ``db.py``: views call ``get_kb()``; ``init_app`` registers the clean-up.
``KnowledgeBase`` is thread-safe and reopens itself when the index is rebuilt, so one
instance serves every request thread.
"""
from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from indexer.search import KnowledgeBase

_EXTENSION = "clinic_kb"
_lock = threading.Lock()


def get_kb() -> KnowledgeBase:
    """The app's KnowledgeBase, opened on first use (IndexMissing when there is no index)."""
    state = current_app.extensions[_EXTENSION]
    if state["kb"] is None:
        with _lock:
            if state["kb"] is None:
                state["kb"] = KnowledgeBase.open(current_app.config["SETTINGS"].index_dir)
    return state["kb"]


def close_kb(app: Flask) -> None:
    """Close the app's KnowledgeBase if it was opened."""
    state = app.extensions.get(_EXTENSION)
    if state and state["kb"] is not None:
        with _lock:
            kb, state["kb"] = state["kb"], None
        kb.close()


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = {"kb": None}
    atexit.register(close_kb, app)
