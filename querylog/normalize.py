"""Query text as the log keys it: the knowledge base's fold, whitespace collapsed, truncated.

The fold is the one ``kb.structure`` matches cue words with: case folded (``ς`` as ``σ``) and
accents dropped (tonos, dialytika, ``ё`` as ``е``, ``й`` as ``и``, Italian accents), so
"Ботокс", "ботокс " and "БОТОКС" are one query. Characters that are not text (controls,
formatting such as bidirectional overrides and zero-width marks, lone surrogates, private use,
unassigned) become spaces: a stored query can never move a terminal's cursor or reorder a
line it is printed on. What is left is stored and shown as text, never interpreted.
"""
from __future__ import annotations

import unicodedata

MAX_QUERY_CHARS = 200  # longer queries are cut here (the search itself refuses above 500)
_NOT_TEXT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def fold(text: str) -> str:
    """Lower case without accents, as ``kb.structure`` folds text for matching."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_query(text: str) -> str:
    """The log's key for a query: folded, non-text characters as spaces, words separated by one
    space, at most MAX_QUERY_CHARS characters. "" for a query with no text left."""
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(" " if unicodedata.category(c) in _NOT_TEXT else c for c in text)
    words = unicodedata.normalize("NFC", fold(kept)).split()
    return " ".join(words)[:MAX_QUERY_CHARS].rstrip()
