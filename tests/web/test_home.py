"""The language choice at / and each language's home page."""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace

import pytest

from html_tools import parse
from kb.concepts import load_group_titles
from web import create_app
from web.i18n import group_name, message


@pytest.mark.parametrize("header, expected", [
    ("el-GR,el;q=0.9,en;q=0.5", "/gr/"),
    ("gr", "/gr/"),
    ("it-IT,it;q=0.8", "/it/"),
    ("ru-RU,ru;q=0.9", "/ru/"),
    ("en-US,en;q=0.9", "/ru/"),  # nothing we speak: the default language
    ("*", "/ru/"),
])
def test_root_redirects_by_accept_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_root_without_accept_language_redirects_to_the_default_language(client):
    assert client.get("/").headers["Location"] == "/ru/"


@pytest.mark.parametrize("param, expected", [("gr", "/gr/"), ("el", "/gr/"), ("it", "/it/")])
def test_root_lang_parameter_wins_over_accept_language(client, param, expected):
    response = client.get(f"/?lang={param}", headers={"Accept-Language": "ru"})
    assert response.headers["Location"] == expected


def test_root_ignores_an_unknown_lang_parameter(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "it"})
    assert response.headers["Location"] == "/it/"


@pytest.mark.parametrize("url, html_lang", [
    ("/ru/", "ru"), ("/gr/", "el"), ("/el/", "el"), ("/it/", "it"),
])
def test_home_page_is_in_its_language(client, url, html_lang):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{html_lang}">' in html
    assert message(html_lang, "search_label") in html


def test_home_without_trailing_slash_redirects(client):
    response = client.get("/it")
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/it/")


@pytest.mark.parametrize("lang", ["ru", "el", "it"])
def test_home_lists_the_catalogue_titles_of_its_language(client, kb, lang):
    page = parse(client.get(f"/{lang}/"))
    listed = page.texts("h4")
    items = kb.catalogue(lang)
    assert items
    assert listed == [" ".join(item.title.split()) for item in _grouped(items)]


def _grouped(items):
    """Items in the order the home page shows them: by group (first seen), articles last."""
    groups = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    order = sorted(groups, key=lambda group: group == "articles")
    return [item for group in order for item in groups[group]]


@pytest.mark.parametrize("lang", ["ru", "el", "it"])
def test_home_groups_the_catalogue_under_translated_group_names(client, kb, settings, lang):
    titles = load_group_titles(settings.concepts_dir)
    headings = parse(client.get(f"/{lang}/")).texts("h3")
    for group in {item.group for item in kb.catalogue(lang)}:
        assert group_name(lang, group, titles) in headings


def test_home_lists_articles_as_their_own_group_last(client):
    headings = parse(client.get("/ru/")).texts("h3")
    assert headings[-1] == "Статьи"


def test_greek_home_links_entries_with_gr_in_the_url(client):
    html = client.get("/el/").get_data(as_text=True)
    assert 'href="/gr/botulinum-treatment"' in html
    assert 'href="/el/' not in html


def test_home_has_a_search_form_with_a_label(client):
    html = client.get("/ru/").get_data(as_text=True)
    assert 'role="search"' in html
    assert '<label class="search-label" for="q">' in html
    assert 'action="/ru/search"' in html


def test_home_has_a_language_switch_marking_the_current_language(client):
    page = parse(client.get("/it/"))
    switch = page.find("nav", class_="lang-switch")
    links = page.find_all("a", within=switch)
    assert switch.text == "Русский Ελληνικά Italiano"
    assert [(a.attrs["href"], a.attrs["lang"]) for a in links] == [
        ("/ru/", "ru"), ("/gr/", "el"), ("/it/", "it")]
    assert [a.attrs["href"] for a in links if "aria-current" in a.attrs] == ["/it/"]


def test_home_has_hreflang_alternates_for_every_language(client):
    html = client.get("/ru/").get_data(as_text=True)
    for code, path in (("ru", "/ru/"), ("el", "/gr/"), ("it", "/it/")):
        assert f'<link rel="alternate" hreflang="{code}" href="http://localhost{path}">' in html


def test_every_page_has_a_skip_link_to_main(client):
    html = client.get("/gr/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


def test_the_groups_that_are_no_concept_file_have_a_name_in_every_language():
    from web.i18n import GROUP_NAMES

    for lang, names in GROUP_NAMES.items():
        assert {"articles", "other"} <= set(names), lang


def test_greek_home_at_el_names_its_gr_url_as_canonical(client):
    page = parse(client.get("/el/"))
    assert page.find("link", rel="canonical").attrs["href"] == "http://localhost/gr/"


def test_home_group_headings_are_the_concept_files_titles(client):
    headings = parse(client.get("/it/")).texts("h3")
    assert {"Trattamenti iniettivi", "Laser e luce"} <= set(headings)


def test_a_title_edited_in_a_concept_file_shows_without_a_restart(settings, tmp_path):
    folder = tmp_path / "concepts"
    shutil.copytree(settings.concepts_dir, folder)
    client = create_app({"SETTINGS": replace(settings, concepts_dir=folder), "TESTING": True}).test_client()
    assert "Ενέσιμες θεραπείες" in parse(client.get("/gr/")).texts("h3")
    path = folder / "injectables.toml"
    path.write_text(path.read_text("utf-8").replace("Ενέσιμες θεραπείες", "Ενέσεις"), "utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # a new stamp even on a coarse clock
    headings = parse(client.get("/gr/")).texts("h3")
    assert "Ενέσεις" in headings and "Ενέσιμες θεραπείες" not in headings
