"""Links made from a kept route URL and an encoded query (web.urls.with_query) are the very
strings Flask's url_for builds, for any entry id, language and search text."""
from __future__ import annotations

from flask import url_for
from hypothesis import given, settings as hsettings, strategies as st

from web.urls import entry_path, entry_url, search_url

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
LANGS = st.sampled_from(["ru", "el", "gr", "it"])


@hsettings(max_examples=300, deadline=None)
@given(entry_id=TEXT.filter(bool), lang=LANGS, written=LANGS, q=st.none() | TEXT, ql=st.none() | TEXT)
def test_an_entry_link_is_the_url_url_for_builds(app, entry_id, lang, written, q, ql):
    with app.test_request_context("/ru/search?q=x"):
        expected = url_for("pages.entry", lang=lang, path=entry_path(entry_id, written), q=q, ql=ql)
        assert entry_url(entry_id, lang, written, q=q, ql=ql) == expected
        assert entry_url(entry_id, lang, written, q=q, ql=ql) == expected  # the kept one


@hsettings(max_examples=300, deadline=None)
@given(lang=LANGS, q=TEXT, field=st.none() | st.sampled_from(["body", "treatments", ""]),
       in_lang=st.none() | LANGS, page=st.none() | st.integers(1, 40))
def test_a_search_link_is_the_url_url_for_builds(app, lang, q, field, in_lang, page):
    with app.test_request_context("/ru/search", query_string={"q": q, "in": "it", "page": "3"}):
        changes = {"field": field, "in_lang": in_lang, "page": page}
        clean = {k: v for k, v in {"q": q, "field": field, "in": in_lang, "page": page}.items()
                 if v not in (None, "") and not (k == "page" and str(v) == "1")}
        assert search_url(lang, **changes) == url_for("pages.search", lang=lang, **clean)


def test_links_under_a_url_prefix_keep_the_prefix(app):
    with app.test_request_context("/ru/search?q=x", base_url="http://clinic.example/kb/"):
        assert entry_url("botulinum-treatment/ru", "ru", "ru", q="ботокс", ql="ru") == url_for(
            "pages.entry", lang="ru", path="botulinum-treatment", q="ботокс", ql="ru")
        assert entry_url("botulinum-treatment/ru", "ru", "ru").startswith("/kb/ru/")
    with app.test_request_context("/ru/search?q=x"):
        assert entry_url("botulinum-treatment/ru", "ru", "ru") == "/ru/botulinum-treatment"


def test_an_external_link_is_still_url_for_s(app):
    with app.test_request_context("/gr/botulinum-treatment"):
        assert entry_url("botulinum-treatment/gr", "el", "gr", _external=True) == \
            "http://localhost/gr/botulinum-treatment"
