"""kb.text (folding, scripts) and kb.languages' one gr/el id rule."""
from __future__ import annotations

import pytest

from kb.languages import UnknownLanguage, canonical_id, id_spellings, normalize_lang
from kb.text import fold, is_cyrillic, is_greek, script_counts, strip_marks


@pytest.mark.parametrize("word, folded", [
    ("ЁЛКА", "елка"), ("Йод", "йод"), ("ΆΓΧΟΣ", "αγχοσ"), ("Ϊδρυμα", "ιδρυμα"), ("Perché", "perche"),
])
def test_fold_lowers_and_drops_accents_but_keeps_the_short_i(word, folded):
    assert fold(word) == folded


def test_strip_marks_drops_every_combining_mark_and_nothing_else():
    assert strip_marks("йёάϊè ABC") == "иеαιe ABC"


def test_scripts_are_counted_per_letter():
    assert script_counts("Ботокс и Botox, μπότοξ 42") == {"cyrillic": 7, "greek": 6, "latin": 5}


def test_a_word_is_cyrillic_or_greek_if_any_letter_is():
    assert (is_cyrillic("PRP-терапия"), is_greek("PRP-θεραπεία"), is_cyrillic("Botox")) == (
        True, True, False)


@pytest.mark.parametrize("entry_id, canonical", [
    ("botulinum-treatment/gr", "botulinum-treatment/el"), ("a/el", "a/el"),
    ("articles/x.gr", "articles/x.el"), ("articles/x.ru", "articles/x.ru"),
])
def test_greek_ids_compare_with_el(entry_id, canonical):
    assert canonical_id(entry_id) == canonical


def test_a_greek_page_id_has_both_spellings():
    assert id_spellings("a/gr") == ["a/gr", "a/el"] and id_spellings("a/ru") == ["a/ru"]


def test_the_language_error_names_every_accepted_code():
    with pytest.raises(UnknownLanguage, match=r"expected one of: ru, el or gr, it"):
        normalize_lang("de")
