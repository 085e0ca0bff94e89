"""What every template can use: the interface language and its messages, and link helpers."""
from __future__ import annotations

from flask import Flask, current_app, g, request

from indexer.search.results import MAX_QUERY_LENGTH
from kb.languages import LANGUAGES, NAMES
from web import i18n
from web.catalogue import group_titles
from web.locale import html_lang, preferred_language, site_code
from web.urls import entry_url, page_numbers, search_url, with_query


def ui_lang() -> str:
    """The interface language of this request: the URL's, else the visitor's preference."""
    if "ui_lang" not in g:
        from_url = (request.view_args or {}).get("lang")
        g.ui_lang = from_url or preferred_language(
            request, current_app.config["SETTINGS"].default_lang)
    return g.ui_lang


def template_context() -> dict:
    lang = ui_lang()
    return {
        "ui_lang": lang,
        "languages": LANGUAGES,
        "endonyms": NAMES,
        "_": lambda key, **values: i18n.message(lang, key, **values),
        "lang_in": lambda code: i18n.LANGUAGE_IN[lang][code],
        "lang_name": lambda code: i18n.LANGUAGE_NAME[lang][code],
        "section_name": lambda section: i18n.section_name(lang, section),
        "group_name": lambda group: i18n.group_name(lang, group, group_titles(current_app)),
        "site_code": site_code,
        "html_lang": html_lang,
        "entry_url": entry_url,
        "search_url": lambda **changes: search_url(lang, **changes),
        "page_numbers": page_numbers,
        "switch": {code: with_query(("pages.home", code), {}) for code in LANGUAGES},  # = url_for
        "alternates": {},
        "max_query_length": MAX_QUERY_LENGTH,
    }


def init_app(app: Flask) -> None:
    app.context_processor(template_context)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
