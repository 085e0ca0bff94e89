"""The search results page: hits, snippets, facets, did-you-mean, pagination, empty state."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from html_tools import parse
from indexer.search.results import SearchRequest


def query_of(href: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(href).query).items()}


def test_search_shows_the_query_in_the_heading(client):
    page = parse(client.get("/ru/search?q=ботокс"))
    assert page.find("h1").text == "Результаты по запросу «ботокс»"


def test_search_lists_the_hits_the_search_api_returns_in_order(client, kb):
    results = kb.search(SearchRequest("ботокс"))
    page = parse(client.get("/ru/search?q=ботокс"))
    titles = page.texts("h2", class_="hit-title")
    assert titles == [" ".join(hit.title.split()) for hit in results.hits]


@pytest.mark.parametrize("lang", ["ru", "gr", "el", "it"])
def test_search_page_works_in_every_language(client, lang):
    response = client.get(f"/{lang}/search?q=botox")
    assert response.status_code == 200
    assert parse(response).find_all("li", class_="hit")


def test_greek_query_without_accents_and_with_a_typo_finds_the_right_page_first(client):
    page = parse(client.get("/gr/search?q=θεραπεια υπεριδρωτικοτητασ"))
    first = page.find("h2", class_="hit-title")
    assert page.find("a", within=first).attrs["href"].split("?")[0] == "/gr/botulinum-treatment"


def test_snippets_highlight_the_matched_words_with_mark(client):
    html = client.get("/ru/search?q=гипергидроз").get_data(as_text=True)
    assert "<mark>" in html


def test_hits_name_the_matched_sections_in_the_interface_language(client):
    page = parse(client.get("/ru/search?q=гипергидроз&field=treatments"))
    matched = page.with_class("matched")
    assert matched and "процедуры" in matched[0].text


def test_hits_link_to_their_other_language_versions(client):
    page = parse(client.get("/ru/search?q=ботокс"))
    hrefs = [a.attrs["href"].split("?")[0] for a in page.find_all("a", hreflang="el")]
    assert "/gr/botulinum-treatment" in hrefs


def test_results_in_another_language_carry_a_language_badge(client):
    page = parse(client.get("/ru/search?q=лазер"))
    badges = [e.text for e in page.with_class("badge-lang")]
    assert "на греческом" in badges or "на итальянском" in badges


def test_results_in_another_language_are_marked_with_their_lang_attribute(client):
    page = parse(client.get("/ru/search?q=лазер&in=it"))
    snippets = page.with_class("snippet")
    assert snippets and all(s.attrs["lang"] == "it" for s in snippets)


def test_facets_show_counts_by_language_and_section(client, kb):
    facets = kb.search(SearchRequest("лазер", facets=True)).facets
    page = parse(client.get("/ru/search?q=лазер"))
    nav = page.find("nav", class_="facets")
    links = {query_of(a.attrs["href"]).get("in"): a.text for a in page.find_all("a", within=nav)
             if "in" in query_of(a.attrs["href"])}
    assert links["gr"].endswith(str(facets["lang"]["el"]))
    assert links["it"].endswith(str(facets["lang"]["it"]))
    sections = {query_of(a.attrs["href"]).get("field") for a in page.find_all("a", within=nav)}
    assert {"treatments", "mechanisms", "indications"} <= sections


def test_language_facet_link_sets_in_and_keeps_the_query(client):
    page = parse(client.get("/ru/search?q=лазер"))
    nav = page.find("nav", class_="facets")
    hrefs = [a.attrs["href"] for a in page.find_all("a", within=nav)]
    greek = [query_of(h) for h in hrefs if query_of(h).get("in") == "gr"]
    assert greek == [{"q": "лазер", "in": "gr"}]


@pytest.mark.parametrize("code", ["gr", "el"])
def test_in_filter_accepts_gr_and_el_for_greek(client, code):
    page = parse(client.get(f"/ru/search?q=лазер&in={code}"))
    snippets = page.with_class("snippet")
    assert snippets and {s.attrs["lang"] for s in snippets} == {"el"}


def test_active_filters_can_be_cleared(client):
    page = parse(client.get("/ru/search?q=лазер&in=gr&field=mechanisms"))
    clear = [a for a in page.find_all("a") if a.text == "Сбросить фильтры"]
    assert clear and query_of(clear[0].attrs["href"]) == {"q": "лазер"}


def test_did_you_mean_links_to_the_corrected_query(client):
    page = parse(client.get("/gr/search?q=κρυολυπολυση"))
    suggestion = page.with_class("did-you-mean")[0]
    link = page.find("a", within=suggestion)
    assert query_of(link.attrs["href"]) == {"q": link.text}
    assert link.text == "κρυολιπολυση"


def test_pagination_links_to_the_next_page(client, kb):
    assert kb.search(SearchRequest("лазер")).pages >= 2
    page = parse(client.get("/ru/search?q=лазер"))
    nav = page.find("nav", class_="pagination")
    next_link = page.find("a", within=nav, rel="next")
    assert query_of(next_link.attrs["href"]) == {"q": "лазер", "page": "2"}
    assert page.find("a", within=nav, aria_current="page").text == "1"


def test_second_page_shows_the_rest_and_links_back(client, kb):
    expected = kb.search(SearchRequest("лазер", page=2)).hits
    page = parse(client.get("/ru/search?q=лазер&page=2"))
    assert len(page.find_all("li", class_="hit")) == len(expected)
    nav = page.find("nav", class_="pagination")
    assert query_of(page.find("a", within=nav, rel="prev").attrs["href"]) == {"q": "лазер"}


def test_a_page_past_the_last_offers_the_first(client):
    page = parse(client.get("/ru/search?q=лазер&page=50"))
    assert "На этой странице результатов нет." in page.text


def test_no_results_shows_tips_and_a_link_to_the_catalogue(client):
    page = parse(client.get("/it/search?q=xyzzyqwerty"))
    assert "Nessun risultato per «xyzzyqwerty»." in page.text
    assert page.find("h2", id="tips-heading").text == "Suggerimenti"
    assert "/it/#catalogue" in [a.attrs["href"] for a in page.find_all("a")]


def test_search_without_a_query_shows_the_form_and_tips(client):
    response = client.get("/ru/search")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Поиск"
    assert page.find("input", name="q").attrs["value"] == ""
    assert page.find("h2", id="tips-heading")


def test_search_page_shows_ten_results_a_page_whatever_the_limit_parameter(client):
    page = parse(client.get("/ru/search?q=лазер&limit=3"))
    assert len(page.find_all("li", class_="hit")) == 10


def test_a_script_in_the_query_is_shown_as_text(client):
    response = client.get("/ru/search", query_string={"q": "<script>alert(1)</script>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert parse(response).find("h1").text == "Результаты по запросу «<script>alert(1)</script>»"


def test_the_search_box_keeps_the_query(client):
    page = parse(client.get("/gr/search?q=μπότοξ"))
    assert page.find("input", name="q").attrs["value"] == "μπότοξ"


def test_language_switch_on_search_keeps_the_query(client):
    page = parse(client.get("/ru/search?q=лазер&in=it"))
    switch = page.find("nav", class_="lang-switch")
    hrefs = [a.attrs["href"] for a in page.find_all("a", within=switch)]
    assert "/gr/search?q=%D0%BB%D0%B0%D0%B7%D0%B5%D1%80&in=it" in hrefs


def test_result_links_carry_the_search_and_the_entry_page_drops_it(client):
    page = parse(client.get("/ru/search?q=ботокс"))
    href = page.find("a", within=page.find("h2", class_="hit-title")).attrs["href"]
    assert "?q=%D0%B1%D0%BE%D1%82%D0%BE%D0%BA%D1%81&ql=ru" in href
    opened = client.get(href)
    assert opened.status_code == 302 and opened.headers["Location"] == href.split("?")[0]
