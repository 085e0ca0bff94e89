"""Error pages in the visitor's language, and no input that gives a 500."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from html_tools import parse
from indexer.search.results import MAX_QUERY_LENGTH


@pytest.mark.parametrize("url", ["/xx/", "/en/search?q=botox", "/de/botulinum-treatment"])
def test_unknown_language_in_the_url_is_a_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("header, title", [
    ("el", "Η σελίδα δεν βρέθηκε"), ("it", "Pagina non trovata"), ("ru", "Страница не найдена"),
])
def test_404_outside_a_language_speaks_the_visitors_language(client, header, title):
    response = client.get("/xx/nothing", headers={"Accept-Language": header})
    assert parse(response).find("h1").text == title
    assert parse(response).find("html").attrs["lang"] == header


@pytest.mark.parametrize("query, param", [
    ("q=botox&field=price", "field"),
    ("q=botox&in=en", "in"),
    ("q=botox&page=abc", "page"),
    ("q=botox&page=1.5", "page"),
    ("q=botox&page=-1", "page"),
    ("q=botox&page=0", "page"),
    ("q=botox&page=99999999999999999999", "page"),
    ("q=" + "a" * (MAX_QUERY_LENGTH + 1), "q"),
])
def test_bad_search_parameter_is_a_400_naming_it(client, query, param):
    response = client.get(f"/ru/search?{query}")
    assert response.status_code == 400
    assert f"Параметр «{param}» задан неверно." in parse(response).text


def test_400_page_is_in_the_urls_language(client):
    page = parse(client.get("/gr/search?q=botox&page=abc"))
    assert page.find("h1").text == "Μη έγκυρο αίτημα"
    assert page.find("html").attrs["lang"] == "el"


def test_400_page_keeps_the_query_in_the_search_box(client):
    page = parse(client.get("/it/search?q=botox&field=price"))
    assert page.find("input", name="q").attrs["value"] == "botox"


def test_a_query_of_exactly_the_maximum_length_is_accepted(client):
    response = client.get("/ru/search?q=" + "a" * MAX_QUERY_LENGTH)
    assert response.status_code == 200


def test_a_post_is_refused_with_a_405_page(client):
    assert client.post("/ru/search?q=botox").status_code == 405


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80), page=st.text(max_size=6), field=st.text(max_size=6))
def test_no_search_input_gives_a_server_error(client, text, page, field):
    response = client.get("/gr/search", query_string={"q": text, "page": page, "field": field})
    assert response.status_code in (200, 400)


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_no_suggest_input_gives_a_server_error(client, text):
    response = client.get("/api/suggest", query_string={"q": text, "lang": "ru"})
    assert response.status_code in (200, 400)


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                    max_size=60))
def test_no_entry_path_gives_a_server_error(client, path):
    response = client.get("/ru/" + path.lstrip("/"))
    assert response.status_code in (200, 302, 308, 404)


@pytest.fixture()
def client_without_index(tmp_path):
    from kb.config import Settings
    from web import create_app

    app = create_app({"SETTINGS": Settings(index_dir=tmp_path / "none"), "TESTING": True})
    return app.test_client()


def test_a_missing_index_is_a_503_page_not_a_crash(client_without_index):
    response = client_without_index.get("/ru/")
    assert response.status_code == 503
    assert "kb index" in parse(response).text


def test_a_missing_index_is_a_json_503_under_the_api(client_without_index):
    response = client_without_index.get("/api/search?q=botox")
    assert response.status_code == 503
    assert response.get_json()["error"]["status"] == 503
