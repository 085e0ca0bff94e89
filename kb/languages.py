"""The knowledge base's languages: codes, aliases, and detection from text.

Canonical codes are ISO 639-1: ``ru``, ``el``, ``it``. The clinic's site writes Greek as
``gr``; both name the same language everywhere (files, queries, URLs, CLI options, entry ids:
``canonical_id``, ``id_spellings``), and every message about a bad code lists them as
``CODES_HELP`` does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.text import script_counts, strip_marks

LANGUAGES: tuple[str, ...] = ("ru", "el", "it")
ALIASES: dict[str, str] = {"gr": "el", "el": "el", "ru": "ru", "it": "it"}
NAMES: dict[str, str] = {"ru": "Русский", "el": "Ελληνικά", "it": "Italiano"}
SITE_CODES: dict[str, str] = {"ru": "ru", "el": "gr", "it": "it"}
CODES_HELP = "ru, el or gr, it"  # how every message names the accepted codes

_ITALIAN_WORDS = frozenset(
    """il lo la i gli le un una uno di del della dei delle degli dello da dal dalla in nel
    nella nei con su sul sulla per tra fra che e è non come più anche sono dopo prima quando
    cosa perché perche si può puo viso pelle trattamento cura rughe capelli macchie""".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class UnknownLanguage(ValueError):
    """A language code that is not one of the knowledge base's languages."""

    def __init__(self, code: str):
        super().__init__(f"unknown language {code!r} (expected one of: {CODES_HELP})")
        self.code = code


def normalize_lang(code: str) -> str:
    """Return the canonical code for ``code`` (``gr`` -> ``el``); raise UnknownLanguage."""
    canonical = ALIASES.get(str(code).strip().lower())
    if canonical is None:
        raise UnknownLanguage(str(code))
    return canonical


def canonical_id(entry_id: str) -> str:
    """The id with its Greek suffix spelled ``el`` (``x/gr`` -> ``x/el``, ``x.gr`` -> ``x.el``)."""
    head, sep, tail = entry_id.rpartition("/")
    if sep and tail == "gr":
        return f"{head}/el"
    for old in (".gr", ".el"):
        if entry_id.endswith(old):
            return entry_id[: -len(old)] + ".el"
    return entry_id


def id_spellings(entry_id: str) -> list[str]:
    """The id as given, then (for a page's Greek version) with ``gr`` and ``el`` swapped."""
    variants = [entry_id]
    head, _, tail = entry_id.rpartition("/")
    if tail in ("el", "gr") and head:
        variants.append(f"{head}/{'gr' if tail == 'el' else 'el'}")
    return variants


def same_language(a: str, b: str) -> bool:
    try:
        return normalize_lang(a) == normalize_lang(b)
    except UnknownLanguage:
        return False


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
        words = {strip_marks(w) for w in _WORD.findall(text.lower())}
        if words & _ITALIAN_WORDS or any(w.endswith(("zione", "zioni", "ità")) for w in words):
            return Detection("it", "words")
    return Detection(None, "none")

