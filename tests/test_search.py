"""indexer.search.knowledgebase: what a search gives, on a real index of the repository's data/."""
from __future__ import annotations

import re

import pytest

from core_support import search_ids
from indexer.analysis import WORD_PATTERN, fold, stop_words
from indexer.documents import section_texts
from indexer.search.results import MAX_QUERY_LENGTH, QueryError, SearchRequest

BOTULINUM = ("botulinum-treatment/ru", "botulinum-treatment/gr", "botulinum-treatment/it")


def search(kb, text, **options):
    return kb.search(SearchRequest(text, **options))


def page_text(kb, entry_id: str) -> str:
    entry = kb.entry(entry_id)
    return "\n".join(section_texts(entry).values())


# -- phrases ----------------------------------------------------------------------------------
def test_a_quoted_phrase_finds_the_page_holding_it(data_kb):
    results = search(data_kb, '"нейромышечная блокада"')
    assert [h.id for h in results.hits][:1] == ["botulinum-treatment/ru"]


def test_a_quoted_phrase_matches_only_pages_holding_the_words_together(data_kb):
    for hit in search(data_kb, '"нейромышечная блокада"').hits:
        assert re.search(r"нейромышечн\w*\s+блокад", page_text(data_kb, hit.id), re.IGNORECASE), hit.id


def test_a_quoted_phrase_with_stop_words_matches_as_written(data_kb):
    """«Утиные» губы: guillemets in the page, a stop-word-free phrase in the query."""
    assert search_ids(data_kb, '"утиные губы"')[:1] == ["articles/fillers-myths.ru"]
    assert search_ids(data_kb, "«утиные губы»")[:1] == ["articles/fillers-myths.ru"]


def test_a_phrase_whose_words_occur_nowhere_finds_nothing(data_kb):
    results = search(data_kb, '"зябликоптер квазарофлексия"')
    assert results.total == 0 and results.hits == ()


def test_a_quoted_phrase_found_nowhere_falls_back_to_its_words(data_kb):
    """Both words are on botulinum-treatment/ru, never in this order: search.py says that then
    "its words still count" — so the page is found, and only pages with its words, or reached
    through a learned bridge of them or a concept they name in part, are."""
    results = search(data_kb, '"блокада нейромышечная"', explain=True)
    ids = [h.id for h in results.hits]
    assert "botulinum-treatment/ru" in ids
    for hit in results.hits:
        text = page_text(data_kb, hit.id).lower()
        kinds = {c.kind for c in hit.explanation.contributions}
        assert "блокад" in text or "нейромышечн" in text or kinds <= {"bridge", "soft concept"}, (hit.id, kinds)


# -- sections ---------------------------------------------------------------------------------
@pytest.mark.parametrize("query, first", [
    ("мигрень", {"botulinum-treatment/ru"}),
    ("мигрени", {"botulinum-treatment/ru"}),
    ("emicrania", {"botulinum-treatment/it"}),
    ("migraine", set(BOTULINUM)),  # a staff query in English: the concept's name
])
def test_field_indications_finds_the_pages_listing_the_condition(data_kb, query, first):
    results = search(data_kb, query, field="indications", limit=50)
    assert results.hits
    assert results.hits[0].id in first
    for hit in results.hits:
        assert hit.page_id == "botulinum-treatment", hit.id
        assert "indications" in hit.sections


def test_field_indications_leaves_out_pages_that_mention_it_elsewhere(data_kb):
    """The seed article speaks of migraines in its text; it has no indications section."""
    assert "articles/botulotoxin.ru" in search_ids(data_kb, "мигрень")
    assert "articles/botulotoxin.ru" not in search_ids(data_kb, "мигрень", field="indications")


def test_field_mechanisms_restricts_to_pages_explaining_that_mechanism(data_kb):
    """Acetylcholine release is explained on the botulinum pages only (in three languages)."""
    results = search(data_kb, "ацетилхолин", field="mechanisms", limit=50)
    assert results.hits and results.hits[0].id == "botulinum-treatment/ru"
    assert {h.id for h in results.hits} <= set(BOTULINUM)
    for hit in results.hits:
        assert "mechanisms" in hit.sections


def test_field_mechanisms_finds_nothing_for_a_word_absent_from_mechanisms(data_kb):
    assert search(data_kb, "мигрень", field="mechanisms").total == 0


@pytest.mark.parametrize("query", ["потливость", "sudorazione"])
def test_field_treatments_finds_a_concept_the_section_names_in_other_words(data_kb, query):
    """The botulinum pages list "treatment of hyperhidrosis" among their treatments: the everyday
    word is a term of the same concept, which the index records per section."""
    results = search(data_kb, query, field="treatments", limit=50)
    assert {h.id for h in results.hits} == set(BOTULINUM)
    assert all("treatments" in h.sections for h in results.hits)


def test_field_title_searches_titles(data_kb):
    results = search(data_kb, "мезотерапия", field="title")
    assert results.hits[0].id == "mesotherapy/ru"
    assert all("title" in h.sections for h in results.hits)


# -- languages --------------------------------------------------------------------------------
@pytest.mark.parametrize("in_lang, canonical", [("ru", "ru"), ("it", "it"), ("gr", "el"), ("el", "el")])
def test_in_lang_returns_only_that_language(data_kb, in_lang, canonical):
    results = search(data_kb, "Botox", in_lang=in_lang, limit=50)
    assert results.hits
    assert {h.lang for h in results.hits} == {canonical}
    assert not any(h.other_language for h in results.hits)


def test_results_come_from_all_languages(data_kb):
    langs = {h.lang for h in search(data_kb, "ботулинический токсин", limit=50).hits}
    assert langs == {"ru", "el", "it"}


@pytest.mark.parametrize("query, lang", [
    ("ботулинический токсин", "ru"),
    ("βοτουλινική τοξίνη", "el"),
    ("tossina botulinica", "it"),
    ("Botox", "it"),
    ("Botox", "gr"),
])
def test_the_query_language_comes_first(data_kb, query, lang):
    results = search(data_kb, query, lang=lang, limit=50)
    assert results.query_lang == ("el" if lang == "gr" else lang)
    first_other = next(i for i, h in enumerate(results.hits) if h.other_language)
    assert first_other > 0
    own = [i for i, h in enumerate(results.hits) if not h.other_language]
    position = {h.id: i for i, h in enumerate(results.hits)}
    own_page = next(h for h in results.hits if not h.other_language and h.page_id == "botulinum-treatment")
    for translation in own_page.translations:  # the page in the query's language beats its translations
        if translation.id in position:
            assert position[own_page.id] < position[translation.id]
    assert own[0] == 0


def test_other_language_marks_exactly_the_hits_in_another_language(data_kb):
    results = search(data_kb, "ботокс", limit=50)
    assert results.query_lang == "ru"
    for hit in results.hits:
        assert hit.other_language == (hit.lang != "ru")


@pytest.mark.parametrize("query", ["μεσοθεραπεία", "μεσοθεραπεία προσώπου", "ΜΕΣΟΘΕΡΑΠΕΙΑ"])
def test_a_greek_query_reaches_a_page_that_exists_only_in_other_languages(data_kb, query):
    results = search(data_kb, query)
    assert results.query_lang == "el"
    top = {h.id: h for h in results.hits[:2]}
    assert set(top) == {"mesotherapy/ru", "mesotherapy/it"}
    assert all(h.other_language for h in top.values())


def test_the_query_language_is_detected_from_the_script(data_kb):
    assert search(data_kb, "мигрень").query_lang == "ru"
    assert search(data_kb, "ημικρανία").query_lang == "el"
    assert search(data_kb, "le rughe").query_lang == "it"


def test_a_brand_name_alone_is_searched_in_every_language(data_kb):
    results = search(data_kb, "Botox", limit=50)
    assert {h.lang for h in results.hits} == {"ru", "el", "it"}


# -- typos ------------------------------------------------------------------------------------
def test_a_typo_is_corrected_and_its_correction_searched(data_kb):
    results = search(data_kb, "trattamento iperidorsi")
    assert results.suggestion == "trattamento iperidrosi"
    assert results.fuzzy
    assert results.hits[0].id == "botulinum-treatment/it"


@pytest.mark.parametrize("query, first", [
    ("мезотерапя", "mesotherapy/ru"),
    ("мизотерапия", "mesotherapy/ru"),
    ("гипергидрос", "botulinum-treatment/ru"),
])
def test_a_russian_typo_still_finds_the_page(data_kb, query, first):
    assert search(data_kb, query).hits[0].id == first


def test_a_known_word_gets_no_suggestion(data_kb):
    results = search(data_kb, "trattamento iperidrosi")
    assert results.suggestion is None and not results.fuzzy


# -- snippets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["мигренями", "гипергидрозом", "ημικρανίες", "rughe", "ботокса"])
def test_a_snippet_marks_the_pages_own_words_not_stems(data_kb, query):
    results = search(data_kb, query)
    assert results.hits
    for hit in results.hits:
        text = page_text(data_kb, hit.id)
        for segment in hit.snippet:
            if segment.highlighted:
                assert re.fullmatch(WORD_PATTERN, segment.text), segment.text
                assert re.search(rf"(?<!\w){re.escape(segment.text)}(?!\w)", text), (hit.id, segment.text)


def test_a_snippet_marks_the_form_written_on_the_page(data_kb):
    hit = next(h for h in search(data_kb, "мигренями").hits if h.id == "botulinum-treatment/ru")
    marked = [s.text.lower() for s in hit.snippet if s.highlighted]
    forms = [m for m in marked if m.startswith("мигрен")]
    assert forms and "мигрен" not in forms  # "мигрени", "мигренные": the page's words, not the stem


def test_a_snippet_marks_no_lone_stop_word(data_kb):
    """A stop word is marked only inside a marked phrase, never alone ("di", "οι", "с")."""
    for query in ("botox per le rughe", "уколы от потливости", "PRP", "ботокс"):
        for hit in search(data_kb, query).hits:
            segments = hit.snippet
            for i, segment in enumerate(segments):
                if not segment.highlighted or fold(segment.text) not in stop_words(hit.lang):
                    continue
                before = i >= 2 and segments[i - 2].highlighted and not segments[i - 1].text.strip()
                after = i + 2 < len(segments) and segments[i + 2].highlighted and not segments[i + 1].text.strip()
                assert before or after, (query, hit.id, segment.text, hit.snippet_text)


def test_a_hit_carries_its_matched_sections_and_translations(data_kb):
    hit = next(h for h in search(data_kb, "гипергидроз").hits if h.id == "botulinum-treatment/ru")
    assert "treatments" in hit.sections
    assert set(hit.sections) <= {"title", "treatments", "mechanisms", "indications", "body"}
    assert {t.id for t in hit.translations} == {"botulinum-treatment/gr", "botulinum-treatment/it"}
    greek = next(t for t in hit.translations if t.lang == "el")
    assert greek.lang_written == "gr" and greek.title


def test_a_hit_in_json_has_the_documented_fields(data_kb):
    data = search(data_kb, "мезотерапия").hits[0].to_dict()
    assert {"id", "page_id", "lang", "title", "score", "snippet", "sections", "translations"} <= set(data)
    assert "<mark>" in data["snippet"]


# -- counting ---------------------------------------------------------------------------------
def test_paging_splits_the_results_without_overlap(data_kb):
    everything = search_ids(data_kb, "лечение", limit=100)
    assert len(everything) > 4
    first = search_ids(data_kb, "лечение", limit=3, page=1)
    second = search_ids(data_kb, "лечение", limit=3, page=2)
    assert first == everything[:3] and second == everything[3:6]


def test_a_page_beyond_the_results_is_empty(data_kb):
    results = search(data_kb, "мезотерапия", page=50)
    assert results.hits == () and results.total >= 1


def test_facet_counts_never_exceed_the_results(data_kb):
    for query in ("ботокс", "мезотерапия", "Botox", "acido ialuronico"):
        results = search(data_kb, query, facets=True)
        assert sum(results.facets["lang"].values()) == results.total, query
        for section, count in results.facets["section"].items():
            assert count <= results.total, (query, section, count, results.total)


# -- bad parameters ---------------------------------------------------------------------------
@pytest.mark.parametrize("options, param", [
    ({"field": "nope"}, "field"),
    ({"lang": "xx"}, "lang"),
    ({"in_lang": "xx"}, "in"),
    ({"page": 0}, "page"),
    ({"page": 1001}, "page"),
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
])
def test_a_bad_parameter_raises_query_error_naming_it(data_kb, options, param):
    with pytest.raises(QueryError) as info:
        search(data_kb, "мигрень", **options)
    assert info.value.param == param
    assert str(info.value).startswith(f"{param}: ")


@pytest.mark.parametrize("text", ["", "   ", "\t\n", '""', "« »"])
def test_an_empty_query_raises_query_error_naming_q(data_kb, text):
    with pytest.raises(QueryError) as info:
        search(data_kb, text)
    assert info.value.param == "q"


def test_a_too_long_query_raises_query_error_naming_q(data_kb):
    with pytest.raises(QueryError) as info:
        search(data_kb, "мигрень " * (MAX_QUERY_LENGTH // 8 + 1))
    assert info.value.param == "q"
    assert str(MAX_QUERY_LENGTH) in info.value.message


def test_a_query_of_the_longest_length_is_accepted(data_kb):
    text = ("мигрень " * MAX_QUERY_LENGTH)[:MAX_QUERY_LENGTH]
    assert search(data_kb, text).total >= 1


# -- Whoosh syntax is text --------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "botox*", "бото*", "ботокс?", "title:ботокс", "title:x", "(мигрень", "мигрень)", "мигрень~2",
    "botox^3", "a TO b", "[a TO z]", "ботокс AND NOT мигрень", "мигрень OR", "id:botulinum-treatment/ru",
    "lang:ru", "{мигрень}", "мигрень\\", "'мигрень", '"мигрень', "%s %d", "<script>",
])
def test_whoosh_syntax_is_searched_as_text(data_kb, text):
    results = search(data_kb, text)
    assert results.total >= 0


def test_a_star_is_not_a_wildcard(data_kb):
    assert search_ids(data_kb, "мезотерап*") == search_ids(data_kb, "мезотерап")
    assert search_ids(data_kb, "botox*") == search_ids(data_kb, "botox")


def test_a_field_prefix_does_not_reach_a_field(data_kb):
    """"id:x" is two words, never a query on the id field."""
    assert "botulinum-treatment/ru" not in search_ids(data_kb, "lang:ru", in_lang="it")
    assert search_ids(data_kb, "title:мезотерапия") == search_ids(data_kb, "title мезотерапия")


@pytest.mark.parametrize("text", ["*", "?", "(", ")", "*?()", "+-", "~", "^"])
def test_syntax_with_no_word_is_an_empty_query(data_kb, text):
    with pytest.raises(QueryError) as info:
        search(data_kb, text)
    assert info.value.param == "q"
