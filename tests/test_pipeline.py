"""indexer.search.pipeline and indexer.ranking: a search is its stages, each giving a value, and every
weight comes from the Ranking the knowledge base was opened with."""
from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from indexer.search.pipeline import Evaluated, Parsed, Planned, Ranked
from indexer.ranking import DEFAULT
from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase


def by_hand(kb: KnowledgeBase, request: SearchRequest):
    """The stages one after another, as KnowledgeBase.search runs them for a query that needs
    no second plan (a known word, no phrase)."""
    p = kb.pipeline
    parsed = p.parse(request)
    planned = p.plan(parsed)
    evaluated = p.evaluate(planned)
    ranked = p.rerank(evaluated)
    corrected = p.correct(planned)
    return parsed, planned, evaluated, ranked, p.page(ranked, corrected, False)


def test_the_stages_one_after_another_give_what_search_gives(data_kb):
    request = SearchRequest("ботокс от потливости", facets=True)
    parsed, planned, evaluated, ranked, results = by_hand(data_kb, request)
    assert (type(parsed), type(planned), type(evaluated), type(ranked)) == (Parsed, Planned, Evaluated, Ranked)
    expected = data_kb.search(request)
    assert [(h.id, h.score) for h in results.hits] == [(h.id, h.score) for h in expected.hits]
    assert results.facets == expected.facets and results.total == expected.total == evaluated.total


def test_evaluated_counts_every_match_by_language_as_the_facets_show(data_kb):
    _, _, evaluated, _, results = by_hand(data_kb, SearchRequest("laser", facets=True))
    langs = {lang: n for lang, n in zip(("ru", "el", "it"), evaluated.by_lang) if n}
    assert langs == results.facets["lang"] and sum(langs.values()) == evaluated.total > 0


def test_a_typo_is_corrected_at_its_own_stage(data_kb):
    p = data_kb.pipeline
    planned = p.plan(p.parse(SearchRequest("мезатерапия")))
    corrected = p.correct(planned)
    assert corrected.corrections == {"мезатерапия": "мезотерапия"}
    assert p.evaluate(corrected.planned).total > p.evaluate(planned).total


def test_the_ranking_is_frozen():
    with pytest.raises(FrozenInstanceError):
        DEFAULT.pl2_c = 1.0


def test_the_other_language_factor_comes_from_the_ranking_given(data_index):
    request = SearchRequest("ботокс", lang="ru", explain=True)
    default = KnowledgeBase.open(data_index)
    even = KnowledgeBase.open(data_index, ranking=replace(DEFAULT, other_language_factor=1.0))
    try:
        weighed = [f.value for h in default.search(request).hits for f in h.explanation.factors]
        assert DEFAULT.other_language_factor in weighed
        assert not [f for h in even.search(request).hits for f in h.explanation.factors]
    finally:
        default.close()
        even.close()


def test_the_section_boosts_come_from_the_ranking_given(data_index):
    request = SearchRequest("мезотерапия", lang="ru")
    boosts = dict(DEFAULT.section_boosts, title=2.0)
    default = KnowledgeBase.open(data_index)
    titled = KnowledgeBase.open(data_index, ranking=replace(DEFAULT, section_boosts=boosts))
    try:
        first, second = default.search(request).hits[0], titled.search(request).hits[0]
        assert first.id == second.id and second.score > first.score
    finally:
        default.close()
        titled.close()
