"""/api/search?explain=1: each result's explanation, as the knowledge base gives it."""
from __future__ import annotations

from indexer.search.results import SearchRequest


def test_api_search_with_explain_gives_each_results_explanation(client, kb):
    data = client.get("/api/search?q=μπότοξ&explain=1&limit=3").get_json()
    expected = kb.search(SearchRequest("μπότοξ", limit=3, facets=True, explain=True)).to_dict()
    assert data == expected
    assert all("explanation" in r for r in data["results"])
    italian = next(r for r in data["results"] if r["id"] == "botulinum-treatment/it")
    assert italian["explanation"]["factors"][0]["name"] == "other-language"


def test_api_search_without_explain_has_no_explanation(client):
    data = client.get("/api/search?q=μπότοξ").get_json()
    assert data["results"] and all("explanation" not in r for r in data["results"])
