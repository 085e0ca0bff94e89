"""Cyrillic, Greek and Latin words to one Latin key, so that cognates meet.

Medical vocabulary is Greco-Latin in all three languages: коллаген / κολλαγόνο / collagene,
мезотерапия / μεσοθεραπεία / mesoterapia. ``latin`` writes a word in Latin letters; ``key``
reduces that spelling to a rough sound skeleton where the three writing traditions agree:
c/k/q/χ/х are one letter, z/s one, b/v one, y/i/η one, doubled letters single, h silent
(th, ph, ch, rh as t, f, k, r). Russian г that stands for a Greco-Latin h (гипер-, гидро-,
гем-) is handled by ``keys``, which gives the variant without it.
"""
from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "s", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "k", "ц": "c", "ч": "c", "ш": "s", "щ": "s",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "u", "я": "a", "і": "i", "ї": "i", "є": "e",
}
# Greek digraphs first (longest match), then single letters
_GREEK_DIGRAPHS = {
    "ου": "u", "αι": "e", "ει": "i", "οι": "i", "υι": "i", "μπ": "b", "ντ": "d", "γκ": "g",
    "γγ": "ng", "γχ": "nk", "αυ": "av", "ευ": "ev", "τσ": "c", "τζ": "z",
}
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "t", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "ks", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "k", "ψ": "ps", "ω": "o",
}
_NON_LETTER = re.compile(r"[^a-z]")


def _strip_marks(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def latin(word: str) -> str:
    """The word in Latin letters (lowercase, no accents); Latin words are returned folded."""
    text = _strip_marks(word)
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in _GREEK_DIGRAPHS:
            out.append(_GREEK_DIGRAPHS[pair])
            i += 2
            continue
        ch = text[i]
        out.append(_CYRILLIC.get(ch) or _GREEK.get(ch) or ch)
        i += 1
    return "".join(out)


def _skeleton(text: str) -> str:
    text = _NON_LETTER.sub("", text)
    for a, b in (("ph", "f"), ("th", "t"), ("rh", "r"), ("ch", "k"), ("gh", "g"), ("sch", "s"),
                 ("sh", "s"), ("ck", "k"), ("qu", "kv"), ("gn", "n"), ("x", "ks")):
        text = text.replace(a, b)
    # Latin c is k except before e/i (cellula ~ целлюла ~ c)
    text = re.sub(r"c(?![ei])", "k", text)
    text = text.replace("h", "").replace("q", "k").replace("y", "i").replace("j", "i")
    text = text.replace("w", "v").replace("b", "v").replace("z", "s")
    # doubled letters once, "ii" included
    return re.sub(r"(.)\1+", r"\1", text)


def key(word: str) -> str:
    """The sound skeleton of a word in any of the three scripts."""
    return _skeleton(latin(word))


def keys(word: str) -> tuple[str, ...]:
    """``key(word)``, and for a Russian word starting with г the key without it (гипер- ~ hyper-)."""
    main = key(word)
    folded = _strip_marks(word)
    if folded[:1] == "г" and folded[1:2] in ("и", "е", "о", "а", "э"):
        return (main, main[1:])
    return (main,)
