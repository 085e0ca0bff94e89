"""The JSON API: /api/search, /api/suggest, /api/entries/<id>, and its JSON errors."""
from __future__ import annotations

import pytest

from indexer.search.results import MAX_QUERY_LENGTH, SearchRequest


def test_api_search_returns_the_search_results_as_a_dict(client, kb):
    response = client.get("/api/search?q=ботокс")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == kb.search(SearchRequest("ботокс", facets=True)).to_dict()


def test_api_search_passes_every_parameter(client, kb):
    response = client.get("/api/search?q=laser&lang=it&field=treatments&in=gr&page=1&limit=3")
    expected = kb.search(SearchRequest("laser", lang="it", field="treatments", in_lang="el",
                                       page=1, limit=3, facets=True))
    assert response.get_json() == expected.to_dict()


def test_api_search_can_leave_out_facets(client):
    assert client.get("/api/search?q=botox&facets=0").get_json()["facets"] == {}


def test_api_search_keeps_greek_and_cyrillic_readable(client):
    raw = client.get("/api/search?q=κρυολιπόλυση").get_data(as_text=True)
    assert "Κρυολιπόλυση" in raw


@pytest.mark.parametrize("query, param", [
    ("q=botox&field=price", "field"),
    ("q=botox&in=en", "in"),
    ("q=botox&lang=xx", "lang"),
    ("q=botox&page=abc", "page"),
    ("q=botox&page=0", "page"),
    ("q=botox&limit=1000", "limit"),
    ("q=botox&facets=maybe", "facets"),
    ("q=", "q"),
    ("q=" + "a" * (MAX_QUERY_LENGTH + 1), "q"),
])
def test_api_search_rejects_a_bad_parameter_with_a_json_400_naming_it(client, query, param):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert error["param"] == param
    assert error["message"]


def test_api_suggest_returns_entries_starting_with_the_prefix(client):
    data = client.get("/api/suggest?q=κρυο&lang=gr").get_json()
    assert data["query"] == "κρυο"
    first = data["suggestions"][0]
    assert first["id"] == "cryolipolysis/gr"
    assert first["url"] == "/gr/cryolipolysis"
    assert set(first) == {"id", "title", "lang", "lang_written", "text", "url"}


def test_api_suggest_puts_the_given_language_first(client):
    data = client.get("/api/suggest?q=mes&lang=it").get_json()
    assert data["suggestions"][0]["lang"] == "it"


def test_api_suggest_with_an_empty_prefix_suggests_nothing(client):
    assert client.get("/api/suggest?q=").get_json()["suggestions"] == []


@pytest.mark.parametrize("query, param", [
    ("q=bo&lang=xx", "lang"), ("q=bo&limit=x", "limit"), ("q=bo&limit=500", "limit"),
    ("q=" + "b" * (MAX_QUERY_LENGTH + 1), "q"),
])
def test_api_suggest_rejects_a_bad_parameter(client, query, param):
    response = client.get(f"/api/suggest?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == param


def test_api_entry_returns_the_entry_and_its_translations(client, kb):
    data = client.get("/api/entries/botulinum-treatment/gr").get_json()
    entry = kb.entry("botulinum-treatment/gr")
    assert data["id"] == entry.id
    assert data["title"] == entry.title
    assert data["body"] == entry.body
    assert data["kind"] == "page"
    assert data["url"] == "/gr/botulinum-treatment"
    assert data["structure"]["treatments"] == list(entry.treatments)
    assert [(t["id"], t["url"]) for t in data["translations"]] == [
        ("botulinum-treatment/ru", "/ru/botulinum-treatment"),
        ("botulinum-treatment/it", "/it/botulinum-treatment"),
    ]


def test_api_entry_does_not_reveal_the_servers_content_directory(client):
    assert "root" not in client.get("/api/entries/botulinum-treatment/ru").get_json()


def test_api_entry_accepts_el_for_gr(client):
    assert client.get("/api/entries/botulinum-treatment/el").get_json()["id"] == \
        "botulinum-treatment/gr"


def test_api_entry_finds_articles_by_path(client):
    data = client.get("/api/entries/articles/laser-vs-peel.gr").get_json()
    assert data["kind"] == "article"
    assert data["url"] == "/gr/articles/laser-vs-peel.gr"


def test_api_unknown_entry_is_a_json_404(client):
    response = client.get("/api/entries/no/such/entry")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_api_unknown_route_is_a_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_api_wrong_method_is_a_json_405(client):
    response = client.post("/api/search?q=botox")
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405
