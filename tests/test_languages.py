"""kb.languages: language codes (gr is el), and telling a text's language."""
from __future__ import annotations

import pytest

from kb.languages import UnknownLanguage, detect_language, normalize_lang, same_language


@pytest.mark.parametrize("code, canonical", [
    ("ru", "ru"), ("el", "el"), ("gr", "el"), ("it", "it"), ("GR", "el"), (" Ru ", "ru"),
])
def test_normalize_lang_gives_the_canonical_code(code, canonical):
    assert normalize_lang(code) == canonical


def test_gr_and_el_are_the_same_language():
    assert same_language("gr", "el")
    assert same_language("el", "gr")
    assert same_language("GR", "el")


def test_different_languages_are_not_the_same():
    assert not same_language("ru", "el")
    assert not same_language("gr", "it")


def test_an_unknown_code_is_not_the_same_language_as_anything():
    assert not same_language("xx", "xx")
    assert not same_language("en", "it")


@pytest.mark.parametrize("code", ["xx", "en", "greek", "", "g r"])
def test_an_unknown_code_raises_unknown_language_naming_the_code(code):
    with pytest.raises(UnknownLanguage) as info:
        normalize_lang(code)
    assert info.value.code == code
    assert repr(code) in str(info.value)


def test_unknown_language_is_a_value_error():
    with pytest.raises(ValueError):
        normalize_lang("de")


def test_cyrillic_text_is_russian_by_script():
    found = detect_language("Лечение гипергидроза ботулиническим токсином")
    assert (found.lang, found.method) == ("ru", "script")


def test_greek_text_is_greek_by_script():
    found = detect_language("Θεραπεία της υπεριδρωτικότητας")
    assert (found.lang, found.method) == ("el", "script")


def test_greek_capitals_without_tonos_are_greek():
    assert detect_language("ΜΕΣΟΘΕΡΑΠΕΙΑ ΓΙΑ ΚΥΤΤΑΡΙΤΙΔΑ").lang == "el"


def test_a_cyrillic_text_with_latin_brand_names_is_still_russian():
    assert detect_language("Botox или Dysport от морщин").lang == "ru"


@pytest.mark.parametrize("text", [
    "botox per le rughe",
    "trattamento della pelle",
    "cosa è la mesoterapia",
    "Perché si fa la scleroterapia",
])
def test_latin_text_with_italian_words_is_italian(text):
    found = detect_language(text)
    assert (found.lang, found.method) == ("it", "words")


@pytest.mark.parametrize("text", ["Botox", "PRP", "Botox Dysport", "BarbieTox"])
def test_a_brand_name_alone_has_no_language(text):
    found = detect_language(text)
    assert found.lang is None
    assert found.method == "none"


@pytest.mark.parametrize("text", ["", "   ", "123 456", "!!! ???"])
def test_text_without_letters_has_no_language(text):
    assert detect_language(text).lang is None
