"""Text helpers shared by the knowledge base and the analyzers: folding and scripts.

``fold`` is the index's folding (``indexer/analysis.py`` folds every token with it): changing it
changes every term of every index. ``strip_marks`` drops all combining marks and nothing else.
"""
from __future__ import annotations

import unicodedata


def fold(word: str) -> str:
    """Lowercase; ё -> е; final sigma -> σ; accents and dialytika removed (Cyrillic й kept)."""
    out = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(ch):
            if ch == "\u0306" and out and out[-1] in "иИ":  # й
                out[-1] = "й"
            continue
        out.append(ch)
    return "".join(out).replace("ё", "е").replace("ς", "σ")


def strip_marks(text: str) -> str:
    """The text without combining marks (accents, tonos, dialytika; й becomes и, ё е)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_cyrillic(word: str) -> bool:
    """Whether any character of ``word`` is Cyrillic."""
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def is_greek(word: str) -> bool:
    """Whether any character of ``word`` is Greek (basic or extended)."""
    return any("\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff" for ch in word)


def script_counts(text: str) -> dict[str, int]:
    """Letters of ``text`` by script: cyrillic, greek, latin (the same ranges as above)."""
    counts = {"cyrillic": 0, "greek": 0, "latin": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        code = ord(ch)
        if 0x0400 <= code <= 0x04FF:
            counts["cyrillic"] += 1
        elif 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
            counts["greek"] += 1
        elif code < 0x0250:
            counts["latin"] += 1
    return counts
