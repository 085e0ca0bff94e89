"""Languages in URLs: ``/gr/…`` and ``/el/…`` both mean Greek; generated links write ``gr``.

Views receive the canonical code (``ru``, ``el``, ``it``); ``url_for`` writes the site's code
(``SITE_CODES``: Greek as ``gr``), so every link the site generates has one form.
"""
from __future__ import annotations

from flask import Request
from werkzeug.routing import BaseConverter, ValidationError

from kb.languages import ALIASES, LANGUAGES, SITE_CODES, UnknownLanguage, normalize_lang


class LanguageConverter(BaseConverter):
    """``<lang:lang>``: one of ru, el, gr, it (any other value does not match: a 404)."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value: str) -> str:
        try:
            return normalize_lang(value)
        except UnknownLanguage:
            raise ValidationError() from None

    def to_url(self, value: str) -> str:
        return site_code(value)


def site_code(lang: str) -> str:
    """The code the site writes in URLs and parameters: ``el`` -> ``gr``."""
    return SITE_CODES[normalize_lang(lang)]


def html_lang(lang: str) -> str:
    """The BCP 47 code for ``lang=``/``hreflang=`` attributes: Greek is ``el``, never ``gr``."""
    return normalize_lang(lang)


def parse_lang(value: str | None) -> str | None:
    """A language code from user input, canonical; None when empty or unknown."""
    if not value:
        return None
    try:
        return normalize_lang(value)
    except UnknownLanguage:
        return None


def preferred_language(request: Request, default: str) -> str:
    """The visitor's language: ``?lang=``, else ``Accept-Language``, else ``default``."""
    chosen = parse_lang(request.args.get("lang"))
    if chosen:
        return chosen
    fallback = parse_lang(default) or LANGUAGES[0]
    # The default first: it wins ties, such as "Accept-Language: *".
    candidates = [fallback] + [code for code in ALIASES if code != fallback]
    return parse_lang(request.accept_languages.best_match(candidates)) or fallback
