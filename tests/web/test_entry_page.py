"""Entry pages: structured sections, the body, translations and their alternates."""
from __future__ import annotations

import pytest

from html_tools import parse


@pytest.mark.parametrize("url, entry_id, html_lang", [
    ("/ru/botulinum-treatment", "botulinum-treatment/ru", "ru"),
    ("/gr/botulinum-treatment", "botulinum-treatment/gr", "el"),
    ("/el/botulinum-treatment", "botulinum-treatment/gr", "el"),
    ("/it/botulinum-treatment", "botulinum-treatment/it", "it"),
])
def test_entry_page_shows_the_page_in_the_urls_language(client, kb, url, entry_id, html_lang):
    response = client.get(url)
    assert response.status_code == 200
    page = parse(response)
    assert page.find("html").attrs["lang"] == html_lang
    assert page.find("h1").text == " ".join(kb.entry(entry_id).title.split())


def test_entry_page_lists_treatments_mechanisms_and_indications(client, kb):
    entry = kb.entry("botulinum-treatment/ru")
    page = parse(client.get("/ru/botulinum-treatment"))
    assert page.texts("li", within=page.find("ul", class_="treatment-list")) == \
        [" ".join(t.split()) for t in entry.treatments]
    assert page.texts("strong", class_="mechanism-name") == [m.name for m in entry.mechanisms]
    assert entry.mechanisms[0].explanation.split()[0] in page.find("ol", class_="mechanisms").text
    assert len(page.find_all("li", within=page.find("ul", class_="indication-list"))) == \
        len(entry.indications)
    assert page.texts("h2")[:3] == ["Процедуры", "Как это работает", "Показания"]


def test_entry_page_renders_the_markdown_body(client):
    page = parse(client.get("/gr/botulinum-treatment"))
    body = page.with_class("full-text")[0]
    assert page.find("h3", within=body).text.startswith("Εξειδικευμένες Θεραπείες")
    assert page.find_all("ul", within=body)


def test_article_body_is_shown_without_structured_sections(client):
    page = parse(client.get("/ru/articles/botulotoxin.ru"))
    body = page.with_class("body-text")[0]
    assert "Ботулотоксин представляет собой нейротоксин" in body.text
    assert not page.find_all("ul", class_="treatment-list")


def test_image_alt_text_is_a_caption_not_a_broken_image(client, kb):
    entry = kb.entry("botulinum-treatment/gr")
    page = parse(client.get("/gr/botulinum-treatment"))
    assert not page.find_all("img")
    assert page.find("figcaption").text == f"Εικόνα: {entry.alt}"


@pytest.mark.parametrize("url, notice", [
    ("/ru/botulinum-treatment", "не является диагнозом"),
    ("/gr/botulinum-treatment", "δεν αποτελεί διάγνωση"),
    ("/it/botulinum-treatment", "non costituisce una diagnosi"),
])
def test_entry_page_says_it_is_information_not_a_diagnosis(client, url, notice):
    page = parse(client.get(url))
    assert notice in page.find("p", class_="notice", role="note").text


def test_entry_page_has_hreflang_alternates_for_its_translations(client):
    page = parse(client.get("/ru/botulinum-treatment"))
    alternates = {link.attrs["hreflang"]: link.attrs["href"]
                  for link in page.find_all("link", rel="alternate")}
    assert alternates == {
        "ru": "http://localhost/ru/botulinum-treatment",
        "el": "http://localhost/gr/botulinum-treatment",
        "it": "http://localhost/it/botulinum-treatment",
    }


def test_greek_entry_served_at_el_names_its_gr_url_as_canonical(client):
    page = parse(client.get("/el/botulinum-treatment"))
    assert page.find("link", rel="canonical").attrs["href"] == \
        "http://localhost/gr/botulinum-treatment"


def test_entry_page_links_its_translations_with_their_language(client):
    page = parse(client.get("/it/botulinum-treatment"))
    nav = page.find("nav", class_="translations")
    links = {a.attrs["href"]: a.attrs["hreflang"] for a in page.find_all("a", within=nav)}
    assert links == {"/ru/botulinum-treatment": "ru", "/gr/botulinum-treatment": "el"}
    assert [s.attrs["lang"] for s in page.find_all("span", within=nav) if "lang" in s.attrs] == \
        ["ru", "el"]


def test_language_switch_on_an_entry_goes_to_its_translation(client):
    page = parse(client.get("/gr/botulinum-treatment"))
    switch = page.find("nav", class_="lang-switch")
    hrefs = [a.attrs["href"] for a in page.find_all("a", within=switch)]
    assert hrefs == ["/ru/botulinum-treatment", "/gr/botulinum-treatment",
                     "/it/botulinum-treatment"]


def test_language_switch_without_a_translation_goes_to_that_languages_home(client):
    page = parse(client.get("/gr/cryolipolysis"))
    switch = page.find("nav", class_="lang-switch")
    hrefs = [a.attrs["href"] for a in page.find_all("a", within=switch)]
    assert hrefs == ["/ru/", "/gr/cryolipolysis", "/it/"]


def test_page_missing_in_this_language_is_a_404_offering_the_others(client):
    response = client.get("/ru/cryolipolysis")
    assert response.status_code == 404
    page = parse(response)
    assert "Этой страницы нет на русском." in page.text
    versions = page.find("ul", class_="versions-list")
    assert [a.attrs["href"] for a in page.find_all("a", within=versions)] == ["/gr/cryolipolysis"]


def test_unknown_entry_is_a_404_in_the_urls_language(client):
    response = client.get("/it/no-such-treatment")
    assert response.status_code == 404
    assert parse(response).find("h1").text == "Pagina non trovata"


def test_article_under_another_language_redirects_to_its_own(client):
    response = client.get("/it/articles/botulotoxin.ru")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/articles/botulotoxin.ru"


def test_full_entry_id_in_the_url_redirects_to_the_page_url(client):
    response = client.get("/gr/botulinum-treatment/gr")
    assert response.status_code == 302
    assert response.headers["Location"] == "/gr/botulinum-treatment"


def test_greek_article_is_found_under_el_and_gr(client):
    assert client.get("/gr/articles/laser-vs-peel.gr").status_code == 200
    assert client.get("/el/articles/laser-vs-peel.gr").status_code == 200


@pytest.mark.parametrize("path", ["../../etc/passwd", "..%2f..%2fpyproject.toml",
                                  "articles/../../pyproject.toml", "%00", "a" * 400])
def test_paths_are_only_looked_up_as_ids(client, path):
    assert client.get(f"/ru/{path}").status_code == 404
