"""The home page's catalogue section, rendered once and kept (web.catalogue.catalogue_html): the
page kept is the page rendered afresh, it follows a re-index and an edited group title, and a
rendering the visitor stopped reading is not kept."""
from __future__ import annotations

import shutil
from dataclasses import replace

from indexer.build.builder import build_index
from web import create_app
from web.catalogue import _RENDERED, catalogue_html
from web.kbase import get_kb

TITLE = "Специализированные лечения ботулиническим токсином"  # botulinum-treatment/ru


def test_the_home_page_kept_is_the_page_rendered_afresh(settings):
    used = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    for url in ("/ru/", "/gr/", "/el/", "/it/"):
        first = used.get(url).get_data()
        kept = used.get(url).get_data()
        fresh = create_app({"SETTINGS": settings, "TESTING": True}).test_client().get(url).get_data()
        assert first == kept == fresh, url


def test_the_kept_home_page_follows_a_reindex(settings, tmp_path):
    content = tmp_path / "data"
    shutil.copytree(settings.content_roots[0], content)
    own = replace(settings, index_dir=tmp_path / "index", content_roots=(content,))
    build_index(own)
    client = create_app({"SETTINGS": own, "TESTING": True}).test_client()
    assert TITLE in client.get("/ru/").get_data(as_text=True)
    page = content / "pages" / "botulinum-treatment" / "ru.md"
    page.write_text(page.read_text("utf-8").replace(TITLE, "Ботулинотерапия: новое название"), "utf-8")
    build_index(own)
    html = client.get("/ru/").get_data(as_text=True)
    assert "Ботулинотерапия: новое название" in html and TITLE not in html


def test_a_rendering_left_unread_is_not_kept(settings):
    app = create_app({"SETTINGS": settings, "TESTING": True})
    with app.test_request_context("/ru/"):
        pieces = catalogue_html("ru", get_kb().iter_catalogue("ru"), size=200)
        next(pieces)  # the first piece only: the visitor left
        pieces.close()
        assert "ru" not in app.extensions.get(_RENDERED, {})
        read = "".join(catalogue_html("ru", get_kb().iter_catalogue("ru"), size=200))
        assert app.extensions[_RENDERED]["ru"].digest
        assert "".join(catalogue_html("ru", get_kb().iter_catalogue("ru"))) == read
