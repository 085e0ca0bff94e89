"""kb.structure reads the blocks the entry page shows: kb.markdown's parser (markdown-it-py)."""
from __future__ import annotations

import re

import pytest

from kb.model import Mechanism
from kb.structure import extract_structure
from web.markup import render_markdown

SETEXT = {
    "ru": ("Процедуры\n=========\n- Ботокс\n- Диспорт\n", ("Ботокс", "Диспорт")),
    "el": ("Θεραπείες\n---------\n- Μπότοξ\n- Νήματα\n", ("Μπότοξ", "Νήματα")),
    "it": ("Trattamenti\n===\n\n- Botox\n- Filler\n", ("Botox", "Filler")),
}


@pytest.mark.parametrize("lang", SETEXT)
def test_a_list_under_a_setext_heading_is_treatments(lang):
    body, treatments = SETEXT[lang]
    assert extract_structure(body, lang).treatments == treatments


@pytest.mark.parametrize("lang", SETEXT)
def test_a_setext_heading_is_text_without_its_underline(lang):
    body, _ = SETEXT[lang]
    text = extract_structure(body, lang).text
    assert text == body.split("\n")[0] and not re.search(r"[=-]{3}", text)


@pytest.mark.parametrize("lang", SETEXT)
def test_the_setext_heading_the_index_reads_is_the_heading_the_page_shows(lang):
    body, _ = SETEXT[lang]
    assert f">{body.split(chr(10))[0]}</h2>" in render_markdown(body)


LISTS = {  # (heading, uses sentence, items) in each language
    "ru": ("## Процедуры", "Метод применяется при:", ("морщины", "мигрень")),
    "el": ("## Θεραπείες", "Η θεραπεία ενδείκνυται για:", ("ρυτίδες", "ημικρανία")),
    "it": ("## Trattamenti", "Il trattamento è indicato per:", ("rughe", "emicrania")),
}
MARKERS = ["- ", "* ", "+ ", "1. ", "1) "]


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("lang", LISTS)
def test_a_list_of_any_marker_under_a_heading_is_treatments(lang, marker):
    heading, _, items = LISTS[lang]
    body = heading + "\n" + "".join(f"{marker}{item}\n" for item in items)
    assert extract_structure(body, lang).treatments == items


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("lang", LISTS)
def test_a_list_of_any_marker_after_a_uses_sentence_is_indications(lang, marker):
    _, intro, items = LISTS[lang]
    body = f"{intro}\n\n" + "".join(f"{marker}{item};\n" for item in items)
    assert extract_structure(body, lang).indications == items


@pytest.mark.parametrize("lang", LISTS)
def test_a_loose_nested_list_is_mechanisms_in_every_language(lang):
    heading, _, items = LISTS[lang]
    body = f"{heading}\n\n- {items[0]}\n\n  - один\n\n- {items[1]}\n\n  - два\n"
    assert extract_structure(body, lang).mechanisms == (
        Mechanism(items[0], "один"), Mechanism(items[1], "два"))


def test_a_line_right_after_a_list_continues_its_last_item_as_on_the_page():
    body = "## Процедуры\n- Ботокс\n- Диспорт\nпродолжение строки\n"
    assert extract_structure(body, "ru").treatments == ("Ботокс", "Диспорт продолжение строки")
    assert "<li>Диспорт\nпродолжение строки</li>" in render_markdown(body)


def test_a_thematic_break_ends_a_list_and_is_not_text():
    body = "## Trattamenti\n- Botox\n\n***\n\n- Filler\n"
    structure = extract_structure(body, "it")
    assert structure.treatments == ("Botox",) and structure.text == "Trattamenti\n\nFiller"


def test_a_list_inside_a_block_quote_is_read_like_any_list():
    body = "## Trattamenti\n> - Botox\n> - Filler\n"
    assert extract_structure(body, "it").treatments == ("Botox", "Filler")


def test_code_blocks_are_text_with_their_words():
    body = "Testo.\n\n    codice rientrato\n\n```\nblocco recintato\n```\n"
    assert extract_structure(body, "it").text.split("\n\n") == [
        "Testo.", "codice rientrato", "blocco recintato"]


def test_an_item_whose_text_starts_below_its_marker_has_an_empty_first_line():
    body = "Come agisce:\n\n-\n  Calore: scalda la pelle.\n- Luce: colpisce la melanina.\n"
    assert extract_structure(body, "it").mechanisms == (
        Mechanism("Calore", "scalda la pelle."), Mechanism("Luce", "colpisce la melanina."))


def test_a_dash_line_under_a_sentence_makes_it_a_heading_as_on_the_page():
    body = "Trattamenti\n-\n- Botox\n"
    assert extract_structure(body, "it").treatments == ("Botox",)
    assert "<h2>Trattamenti</h2>" in render_markdown(body)


def test_a_byte_order_mark_does_not_hide_the_first_heading():
    assert extract_structure("\ufeff# Trattamenti\n- Botox\n", "it").treatments == ("Botox",)


def test_crlf_line_endings_give_the_same_structure_as_lf():
    body = "## Процедуры\n- Ботокс\n\nКак действует:\n- Блок:\n  - сигнал к мышце\n"
    assert extract_structure(body.replace("\n", "\r\n"), "ru") == extract_structure(body, "ru")


def test_tab_indented_nested_items_are_nested():
    body = "Come agisce:\n- Primo:\n\t- I principi attivi.\n- Secondo:\n   -\tLa pelle."
    assert extract_structure(body, "it").mechanisms == (
        Mechanism("Primo", "I principi attivi."), Mechanism("Secondo", "La pelle."))


def test_a_setext_page_shows_its_treatments_and_its_heading_once_indexed(tmp_path):
    from indexer.build.builder import build_index
    from kb.config import Settings
    from web import create_app

    page = tmp_path / "content" / "toxins"
    page.mkdir(parents=True)
    (page / "ru.md").write_text("---\ntitle: Токсины\nlang: ru\npage_id: toxins\n---\n"
                                + SETEXT["ru"][0], "utf-8")
    settings = Settings(index_dir=tmp_path / "index", content_roots=(tmp_path / "content",))
    build_index(settings)
    html = create_app({"SETTINGS": settings, "TESTING": True}).test_client().get(
        "/ru/toxins").get_data(as_text=True)
    assert '<h2 id="treatments-heading">' in html and "<li>Диспорт</li>" in html
    assert "<h2>Процедуры</h2>" in html and "=====" not in html
