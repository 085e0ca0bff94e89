"""HTML pages: the language choice, each language's home, search results and entries.

Routes (``<lang>`` is ru, gr or el, it; links are generated with ``gr``):

* ``/``: redirect to ``/<lang>/`` for ``?lang=``, else Accept-Language, else the default;
* ``/<lang>/``: search box and the catalogue, grouped;
* ``/<lang>/search?q=&field=&in=&page=``: results, ten a page (the query's language detected);
* ``/<lang>/<page_id>`` or ``/<lang>/<article id>``: an entry. A path naming an entry in
  another language, or by its full id, or with parameters (a result link's ``q`` and ``ql``,
  counted as an open by web.searchlog first), redirects (302) to the entry's own URL. A page that
  exists only in other languages is a 404 listing those versions (not a redirect: the visitor
  asked for this language, and should choose). An entry id ``search`` would be shadowed.
"""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, redirect, render_template, request,
                   stream_template, url_for)

from kb.languages import LANGUAGES
from web.catalogue import catalogue_html, joined
from web.entries import EntryPage, find_entry, versions_elsewhere
from web.kbase import get_kb, search as search_kb
from web.locale import preferred_language
from web.params import page_search_request
from web.searchlog import record_open, record_search
from web.urls import entry_path, with_query

bp = Blueprint("pages", __name__)

MAX_PATH_LENGTH = 300


@bp.get("/")
def root():
    """Redirect to the visitor's language: ``?lang=``, Accept-Language, or the default."""
    lang = preferred_language(request, current_app.config["SETTINGS"].default_lang)
    response = redirect(url_for("pages.home", lang=lang), code=302)
    response.vary.add("Accept-Language")
    return response


@bp.get("/<lang:lang>/")
def home(lang: str):
    # Streamed: the catalogue is read and the page written item by item, so that a large
    # catalogue (33,000 entries a language at 100,000, a 17 MB page) is never held whole.
    # The catalogue section is the same for every visitor: rendered once, then kept
    # (web.catalogue.catalogue_html) until the catalogue or its group titles change.
    catalogue = catalogue_html(lang, get_kb().iter_catalogue(lang))
    alternates = {other: url_for("pages.home", lang=other, _external=True) for other in LANGUAGES}
    page = stream_template("pages/home.html", catalogue=catalogue, alternates=alternates)
    return current_app.response_class(joined(page), mimetype="text/html")


@bp.get("/<lang:lang>/search")
def search(lang: str):
    wanted = page_search_request(request.args)  # a QueryError is a 400 page
    results = search_kb(wanted) if wanted.text else None
    if results is not None and wanted.page == 1:
        record_search(wanted.text, results.query_lang or lang, results.total)
    kept = {key: request.args[key] for key in ("q", "field", "in") if request.args.get(key)}
    switch = {other: with_query(("pages.search", other), kept) for other in LANGUAGES}  # = url_for
    return render_template(
        "pages/search.html", results=results, query=wanted.text,
        field=wanted.field, in_lang=wanted.in_lang, switch=switch,
    )


@bp.get("/<lang:lang>/<path:path>")
def entry(lang: str, path: str):
    """An entry by its URL path; redirected to its own URL when the path names it otherwise."""
    if len(path) > MAX_PATH_LENGTH:
        abort(404)
    kb = get_kb()
    found = find_entry(kb, path, lang)
    if found is None:
        return not_in_this_language(lang, path)
    own_path = entry_path(found.id, found.lang_written)
    if request.args.get("q"):  # a search's result link: count the open, keep no query in the URL
        record_open(request.args["q"], request.args.get("ql"), found.id)
    if found.lang != lang or own_path != path or {"q", "ql"} & request.args.keys():
        return redirect(url_for("pages.entry", lang=found.lang, path=own_path), code=302)
    page = EntryPage.build(found, kb.translations(found.id))
    return render_template("pages/entry.html", page=page, alternates=page.alternates,
                           switch=page.switch)


def not_in_this_language(lang: str, path: str):
    """404: no such entry here; its versions in other languages, if any, are offered."""
    versions = versions_elsewhere(get_kb(), path, lang)
    if not versions:
        abort(404)
    return render_template("errors/not_in_language.html", versions=versions), 404
