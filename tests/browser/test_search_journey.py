"""A visitor's journey in a real browser: search, open, switch language, suggestions, safety."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def search_from_home(page, base_url, lang: str, query: str) -> None:
    page.goto(f"{base_url}{lang}/")
    box = page.get_by_role("combobox")
    box.fill(query)
    with page.expect_navigation():  # no suggestion chosen: Enter submits the form
        box.press("Enter")


def first_hit_link(page):
    return page.locator("li.hit h2 a").first


def test_greek_query_without_accents_and_with_a_typo_finds_cryolipolysis_first(
        page, base_url, screenshot):
    search_from_home(page, base_url, "gr", "κρυολυπολυση")
    expect(first_hit_link(page)).to_have_attribute("href", re.compile(r"^/gr/cryolipolysis\?q="))
    expect(page.locator(".did-you-mean a")).to_have_text("κρυολιπολυση")
    screenshot(page, "search-greek-typo", full_page=True)


def test_open_the_first_result_then_switch_to_russian(page, base_url, screenshot):
    search_from_home(page, base_url, "gr", "θεραπεια υπεριδρωτικοτητασ")
    link = first_hit_link(page)
    expect(link).to_have_attribute("href", re.compile(r"^/gr/botulinum-treatment\?q="))
    link.click()
    expect(page).to_have_url(re.compile(r"/gr/botulinum-treatment$"))
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(page.locator("p.notice")).to_contain_text("δεν αποτελεί διάγνωση")
    screenshot(page, "entry-greek", full_page=True)

    switch = page.get_by_role("navigation", name="Γλώσσα ιστότοπου")
    switch.get_by_role("link", name="Русский").click()
    expect(page).to_have_url(re.compile(r"/ru/botulinum-treatment$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_contain_text("ботулиническим токсином")
    screenshot(page, "entry-russian")


def test_pick_a_suggestion_with_the_keyboard(page, base_url, screenshot):
    page.goto(f"{base_url}ru/")
    box = page.get_by_role("combobox")
    box.press_sequentially("ботул", delay=40)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    chosen = page.get_by_role("option").first
    expect(chosen).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", chosen.get_attribute("id"))
    screenshot(page, "suggestions-open")
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/ru/(botulinum-treatment|articles/botulotoxin\.ru)$"))


def test_escape_closes_the_suggestions(page, base_url):
    page.goto(f"{base_url}gr/")
    box = page.get_by_role("combobox")
    box.press_sequentially("κρυο", delay=40)
    expect(page.get_by_role("listbox")).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")


def test_a_script_in_the_query_is_shown_as_text_and_never_runs(page, base_url, screenshot):
    search_from_home(page, base_url, "ru", "<script>alert(1)</script>")
    expect(page.locator("h1")).to_have_text("Результаты по запросу «<script>alert(1)</script>»")
    expect(page.get_by_role("searchbox").or_(page.get_by_role("combobox"))).to_have_value(
        "<script>alert(1)</script>")
    page.wait_for_timeout(300)
    assert page.dialogs == []
    screenshot(page, "search-script-escaped")


def test_pages_load_without_content_security_policy_errors(page, base_url):
    for path in ("ru/", "gr/search?q=laser", "it/botulinum-treatment"):
        page.goto(base_url + path)
    assert page.console_errors == []


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page, base_url, screenshot):
    page.goto(f"{base_url}it/botulinum-treatment")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Vai al contenuto")
    expect(skip).to_be_focused()
    screenshot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_search_works_without_javascript(no_js_page, base_url):
    no_js_page.goto(f"{base_url}it/")
    no_js_page.get_by_label("Cerca trattamenti e articoli").fill("mesoterapia")
    with no_js_page.expect_navigation():
        no_js_page.get_by_role("button", name="Cerca").click()
    expect(no_js_page.locator("li.hit h2 a").first).to_have_attribute("href", re.compile(r"^/it/mesotherapy\?q="))


def test_results_fit_a_phone_screen(page, base_url, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base_url}ru/search?q=лазер")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "search-mobile")
