"""The knowledge base's languages: codes, aliases, and detection from text.

Canonical codes are ISO 639-1: ``ru``, ``el``, ``it``. The clinic's site writes Greek as
``gr``; both name the same language everywhere (files, queries, URLs, CLI options).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("ru", "el", "it")
ALIASES: dict[str, str] = {"gr": "el", "el": "el", "ru": "ru", "it": "it"}
NAMES: dict[str, str] = {"ru": "Русский", "el": "Ελληνικά", "it": "Italiano"}
SITE_CODES: dict[str, str] = {"ru": "ru", "el": "gr", "it": "it"}

_ITALIAN_WORDS = frozenset(
    """il lo la i gli le un una uno di del della dei delle degli dello da dal dalla in nel
    nella nei con su sul sulla per tra fra che e è non come più anche sono dopo prima quando
    cosa perché perche si può puo viso pelle trattamento cura rughe capelli macchie""".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class UnknownLanguage(ValueError):
    """A language code that is not one of the knowledge base's languages."""

    def __init__(self, code: str):
        super().__init__(
            f"unknown language {code!r} (expected one of: ru, el or gr, it)"
        )
        self.code = code


def normalize_lang(code: str) -> str:
    """Return the canonical code for ``code`` (``gr`` -> ``el``); raise UnknownLanguage."""
    canonical = ALIASES.get(str(code).strip().lower())
    if canonical is None:
        raise UnknownLanguage(str(code))
    return canonical


def same_language(a: str, b: str) -> bool:
    try:
        return normalize_lang(a) == normalize_lang(b)
    except UnknownLanguage:
        return False


def script_counts(text: str) -> dict[str, int]:
    """Letters of ``text`` by script: cyrillic, greek, latin."""
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


@dataclass(frozen=True)
class Detection:
    lang: str | None
    method: str  # "script", "words", or "none"


def detect_language(text: str) -> Detection:
    """Detect ru/el/it from the text: by script first, then by Italian function words.

    Latin-script text without Italian words (a brand name such as "Botox") has no language.
    """
    counts = script_counts(text)
    cyr, grk, lat = counts["cyrillic"], counts["greek"], counts["latin"]
    if cyr or grk:
        return Detection("ru" if cyr >= grk else "el", "script")
    if lat:
        words = {_fold(w) for w in _WORD.findall(text.lower())}
        if words & _ITALIAN_WORDS or any(w.endswith(("zione", "zioni", "ità")) for w in words):
            return Detection("it", "words")
    return Detection(None, "none")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
