"""indexer.analysis: the forms a person types meet the forms the pages are written in."""
from __future__ import annotations

import pickle

import pytest

from indexer.analysis import Analysis, fold, stop_words
from indexer.schema import build_schema, section_field


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return Analysis()


def meet(analysis: Analysis, a: str, b: str, lang: str) -> bool:
    """Two single words meet when their terms share one (Russian gives alternatives)."""
    return bool(set(analysis.word_terms(a, lang)) & set(analysis.word_terms(b, lang)))


def same(analysis: Analysis, a: str, b: str, lang: str, mode: str = "index") -> bool:
    return analysis.positions(a, lang, mode) == analysis.positions(b, lang, mode)


# -- case -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, lower, upper", [
    ("ru", "ботокс", "БОТОКС"),
    ("ru", "мигрень", "Мигрень"),
    ("el", "θεραπεία", "ΘΕΡΑΠΕΊΑ"),
    ("it", "emicrania", "EMICRANIA"),
    ("it", "tossina botulinica", "Tossina Botulinica"),
])
def test_case_is_folded(analysis, lang, lower, upper):
    assert same(analysis, lower, upper, lang)


# -- Greek ------------------------------------------------------------------------------------
def test_greek_tonos_is_folded(analysis):
    assert same(analysis, "θεραπεία", "θεραπεια", "el")
    assert same(analysis, "μεσοθεραπεία προσώπου", "μεσοθεραπεια προσωπου", "el")


def test_greek_dialytika_is_folded(analysis):
    assert same(analysis, "νευρομυϊκή", "νευρομυική", "el")
    assert same(analysis, "πρωτεΐνη", "πρωτεινη", "el")


@pytest.mark.parametrize("form", ["ΥΠΕΡΙΔΡΩΤΙΚΟΤΗΤΑΣ", "υπεριδρωτικοτητασ", "Υπεριδρωτικότητας"])
def test_greek_final_sigma_capitals_and_tonos_meet(analysis, form):
    assert same(analysis, form, "υπεριδρωτικότητας", "el")


def test_a_non_final_sigma_written_at_the_end_is_a_final_sigma():
    assert fold("υπεριδρωτικοτητασ") == fold("υπεριδρωτικότητας") == "υπεριδρωτικοτητασ"


@pytest.mark.parametrize("a, b", [
    ("ημικρανία", "ημικρανίας"),
    ("ρυτίδα", "ρυτίδες"),
    ("θεραπεία", "θεραπείες"),
])
def test_greek_inflections_meet(analysis, a, b):
    assert meet(analysis, a, b, "el")


@pytest.mark.parametrize("word", ["ιστός", "ιστό", "ιστών", "ιστούς", "μυς", "μυών"])
def test_no_greek_word_is_stemmed_to_nothing(analysis, word):
    # Snowball Greek reduces ιστός (tissue) and its forms to an empty stem, which would match
    # every other word it empties
    (term,) = analysis.word_terms(word, "el")
    assert len(term) >= 2


def test_the_forms_of_a_greek_word_snowball_empties_still_meet(analysis):
    assert meet(analysis, "ιστός", "ιστών", "el")
    assert not meet(analysis, "ιστός", "όταν", "el")


# -- Russian ----------------------------------------------------------------------------------
def test_yo_is_e(analysis):
    assert same(analysis, "ёлка", "елка", "ru")
    assert same(analysis, "Её", "ее", "ru")
    assert fold("ЁЖ") == "еж"


@pytest.mark.parametrize("a, b", [
    ("мигреней", "мигрени"),
    ("мигрени", "мигрень"),
    ("мигреней", "мигрень"),
    ("уколов", "уколы"),
    ("гипергидроза", "гипергидроз"),
    ("ботокса", "ботокс"),
    ("морщин", "морщины"),
])
def test_russian_inflected_forms_meet(analysis, a, b):
    assert meet(analysis, a, b, "ru")


def test_cyrillic_short_i_is_not_folded_to_i(analysis):
    assert fold("йод") == "йод"
    assert fold("ЙОД") == "йод"
    assert fold("й") != fold("и")
    assert not meet(analysis, "йод", "иод", "ru")


def test_a_decomposed_short_i_is_composed_again():
    assert fold("и\u0306од") == "йод"


# -- Italian ----------------------------------------------------------------------------------
@pytest.mark.parametrize("elided", ["dell'acetilcolina", "L’acetilcolina", "l'acetilcolina", "DELL’ACETILCOLINA"])
def test_italian_elisions_are_split_off(analysis, elided):
    assert same(analysis, elided, "acetilcolina", "it")


@pytest.mark.parametrize("accented, plain", [("perché", "perche"), ("luminosità", "luminosita"),
                                             ("è", "e"), ("più", "piu")])
def test_italian_accents_are_folded(analysis, accented, plain):
    assert same(analysis, accented, plain, "it")


@pytest.mark.parametrize("a, b", [("ruga", "rughe"), ("macchia", "macchie"), ("trattamento", "trattamenti")])
def test_italian_singular_and_plural_meet(analysis, a, b):
    assert meet(analysis, a, b, "it")


# -- names ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Botox", "PRP", "Clostridium"])
def test_latin_names_pass_through_every_language_alike(analysis, name):
    terms = {lang: analysis.positions(name, lang) for lang in ("ru", "el", "it")}
    assert terms["ru"] == terms["el"] == terms["it"] == [(name.lower(),)]


def test_a_latin_name_inside_russian_text_is_kept_as_written(analysis):
    positions = analysis.positions("бактерия Clostridium botulinum", "ru")
    assert positions[1:] == [("clostridium",), ("botulinum",)]


# -- stop words -------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, text, stop", [
    ("ru", "лечение от мигрени", "от"),
    ("el", "θεραπεία της ημικρανίας", "της"),
    ("it", "botox per le rughe", "per"),
])
def test_stop_words_are_dropped_from_queries(analysis, lang, text, stop):
    query = analysis.positions(text, lang, mode="query")
    index = analysis.positions(text, lang, mode="index")
    assert len(query) == len(index) - (2 if lang == "it" else 1)  # "per le"
    assert fold(stop) in stop_words(lang)
    assert not any(set(p) & set(analysis.word_terms(stop, lang, mode="index")) for p in query)


@pytest.mark.parametrize("lang, text", [
    ("ru", "лечение от мигрени"),
    ("el", "θεραπεία της ημικρανίας"),
    ("it", "botox per le rughe"),
])
def test_stop_words_are_kept_in_phrases_and_in_the_index(analysis, lang, text):
    words = len(text.split())
    assert len(analysis.positions(text, lang, mode="phrase")) == words
    assert len(analysis.positions(text, lang, mode="index")) == words
    assert analysis.positions(text, lang, mode="phrase") == analysis.positions(text, lang, mode="index")


def test_positions_stay_consecutive_with_alternatives(analysis):
    """Alternatives (lemma and stem) share one position: a phrase still lines up word by word."""
    positions = analysis.positions("много уколов ботокса", "ru")
    assert len(positions) == 3
    assert "укол" in positions[1]


# -- pickling ---------------------------------------------------------------------------------
def test_the_schema_pickles_and_unpickles_with_working_analyzers(analysis):
    schema = build_schema(analysis)
    restored = pickle.loads(pickle.dumps(schema))
    for lang, text in (("ru", "Лечение мигреней уколами"), ("el", "ΘΕΡΑΠΕΊΑ ημικρανίας"),
                       ("it", "dell'acetilcolina e le rughe")):
        field = section_field("body", lang)
        before = [t.text for t in schema[field].analyzer(text)]
        after = [t.text for t in restored[field].analyzer(text)]
        assert after == before and after


def test_the_pickled_schema_holds_no_cache_and_no_model():
    fresh = Analysis()
    empty = pickle.dumps(build_schema(fresh))
    used = Analysis()
    schema = build_schema(used)
    for lang, text in (("ru", "ботулинический токсин мигрени гипергидроз уколы морщины " * 5),
                       ("el", "θεραπεία υπεριδρωτικότητας ημικρανία"), ("it", "dell'acetilcolina rughe")):
        list(schema[section_field("body", lang)].analyzer(text))
        used.word_terms("мигреней", "ru")
    pickled = pickle.dumps(schema)
    assert len(pickled) == len(empty)
    assert b"pymorphy" not in pickled
    assert "мигрен".encode() not in pickled


# -- indexing word by word (the pooled build) ---------------------------------------------------
_ODD_TEXTS = {
    "it": "Dell'acetilcolina, l’acido po' po'' d'un'altra quell'anno: L'ACIDO ialuronico 3,5 mg\nun'azione",
    "ru": "Ботокс-терапия: уколов, людей, ЁЛКА ёлка гипергидроза 3,5 мг\nи т. д.",
    "el": "Η θεραπεία ΣΚΛΗΡΟΘΕΡΑΠΕΊΑ ιστός ιστών, χημικό peeling 3,5 mg\nκαι",
}


def _page_texts():
    from core_support import DATA

    from kb.loader import discover, parse_entry, read_source_status
    from indexer.documents import section_texts

    sources, _ = discover([DATA])
    for source in sources:
        data, _ = read_source_status(source, 10**7)
        entry, _ = parse_entry(source, data.decode("utf-8"))
        for text in section_texts(entry).values():
            yield entry.lang, text
    for lang, text in _ODD_TEXTS.items():
        yield lang, text


def test_a_text_indexed_word_by_word_gives_the_analyzers_tokens(analysis):
    checked = 0
    for lang, text in _page_texts():
        assert analysis.analyzers[lang].items[0].expression.pattern == \
            analysis.word_analyzers[lang].items[0].expression.pattern
        expected = [(t.pos, t.text) for t in analysis.analyzers[lang](text, positions=True, mode="index")]
        words = analysis.split_words(text, lang)
        got = [(pos, t) for pos, word in enumerate(words) for t in analysis.index_tokens(word, lang)]
        assert got == expected
        surface = [t.text for t in analysis.word_analyzers[lang](text)]
        assert [t for word in words for t in analysis.surface_tokens(word, lang)] == surface
        checked += 1
    assert checked > 100
