"""Explanations (SearchRequest.explain): what each result matched, read from the ranking's own
arrays, on a real index of the repository's data/."""
from __future__ import annotations

import pytest

from indexer.search.results import SearchRequest

QUERIES = [
    ("ботокс мигрень", {}),
    ("μπότοξ", {}),
    ("rughe", {}),
    ("гипергидрос", {}),  # a typo
    ('"нейромышечная блокада"', {}),  # a phrase
    ("laser", {"lang": "it", "field": "treatments"}),
    ("botox", {"in_lang": "el"}),
    ("пилинг кожи лица", {"page": 2, "limit": 3}),
    ("μεσοθεραπεία", {}),
]


def explained(kb, text, **options):
    return kb.search(SearchRequest(text, explain=True, **options))


@pytest.mark.parametrize("text, options", QUERIES)
def test_an_explanations_parts_sum_to_the_results_score(data_kb, text, options):
    results = explained(data_kb, text, **options)
    assert results.hits, text
    for hit in results.hits:
        e = hit.explanation
        assert e.total == hit.score
        assert sum(c.score for c in e.contributions) == pytest.approx(hit.score, rel=1e-9, abs=1e-12)
        factor = 1.0
        for f in e.factors:
            factor *= f.value
        assert e.raw * factor == pytest.approx(hit.score, rel=1e-9)


@pytest.mark.parametrize("text, options", QUERIES)
def test_asking_for_explanations_changes_no_ranking_or_score(data_kb, text, options):
    plain = data_kb.search(SearchRequest(text, **options))
    with_them = explained(data_kb, text, **options)
    assert [(h.id, h.score) for h in with_them.hits] == [(h.id, h.score) for h in plain.hits]
    assert with_them.total == plain.total and all(h.explanation is None for h in plain.hits)


def test_a_result_in_another_language_shows_the_other_language_factor(data_kb):
    hits = {h.id: h for h in explained(data_kb, "μπότοξ").hits}
    italian = hits["botulinum-treatment/it"]
    assert italian.other_language
    assert [(f.name, f.value) for f in italian.explanation.factors] == [("other-language", 0.6)]
    assert not hits["botulinum-treatment/gr"].explanation.factors


def test_a_page_only_in_another_language_shows_the_factor_was_not_applied(data_kb):
    """mesotherapy has no Greek page: its Russian one carries the query's concept unweakened."""
    hits = {h.id: h for h in explained(data_kb, "μεσοθεραπεία").hits}
    (factor,) = hits["mesotherapy/ru"].explanation.factors
    assert factor.value == 1.0 and factor.reason.startswith("not applied")


def test_a_typo_query_shows_the_correction_it_searched(data_kb):
    results = explained(data_kb, "гипергидрос")
    assert results.fuzzy
    top = results.hits[0].explanation
    assert top.corrections == (("гипергидрос", "гипергидроза"),)
    assert any(c.kind == "word" and c.source == "гипергидроза" for c in top.contributions)


def test_a_concept_query_shows_the_concept_and_its_share(data_kb):
    top = explained(data_kb, "ботокс мигрень").hits[0]
    assert top.id == "botulinum-treatment/ru"
    concepts = {c.term: c for c in top.explanation.contributions if c.kind == "concept"}
    assert {"botulinum-toxin", "migraine"} <= set(concepts)
    assert all(c.field == "any section" and c.lang is None and c.score > 0 for c in concepts.values())
    assert concepts["migraine"].source == "мигрень" and concepts["botulinum-toxin"].source == "ботокс"


def test_a_words_best_section_counts_whole_and_its_others_a_tenth(data_kb):
    top = explained(data_kb, "ботокс мигрень").hits[0]
    migraine = {c.field: c for c in top.explanation.contributions
                if c.kind == "word" and c.source == "мигрень"}
    assert migraine["treatments"].term == "мигрен" and migraine["treatments"].weight == pytest.approx(1.2)
    assert migraine["indications"].weight == pytest.approx(1.2 * 0.1)


def test_a_phrase_query_shows_the_phrase_and_its_section(data_kb):
    top = explained(data_kb, '"нейромышечная блокада"').hits[0]
    (phrase,) = [c for c in top.explanation.contributions if c.kind == "phrase"]
    assert phrase.term == "нейромышечн блокад" and phrase.source == "нейромышечная блокада"
    assert phrase.field == "mechanisms" and phrase.lang == "ru"


def test_an_explanation_as_json_gives_each_parts_share(data_kb):
    data = explained(data_kb, "rughe", limit=1).hits[0].to_dict()["explanation"]
    assert {"total", "raw", "contributions", "factors", "corrections"} <= set(data)
    assert sum(c["share"] for c in data["contributions"]) == pytest.approx(1.0, abs=1e-3)
    assert {"kind", "term", "field", "lang", "source", "weight", "score", "share"} == set(data["contributions"][0])


def test_a_clause_marked_with_its_own_kind_is_reported_under_it(data_index, monkeypatch):
    """QueryPlan.mark, as learned bridges use it: one Term among a word's alternatives marked
    "bridge" is reported as a bridge contribution, the word's other terms as the word's."""
    from indexer.search.query import QueryBuilder
    from indexer.search.knowledgebase import KnowledgeBase

    class MarkingBuilder(QueryBuilder):  # the real builder, one of its Terms marked afterwards
        def build(self, parsed, query_lang, section):
            plan = super().build(parsed, query_lang, section)
            for node in _leaves(plan.query):
                if getattr(node, "fieldname", "") == "body_ru" and node.text == "мезотерап":
                    plan.mark(node, "bridge", "мезотерапия → мезотерап")
            return plan

    monkeypatch.setattr("indexer.search.pipeline.QueryBuilder", MarkingBuilder)
    kb = KnowledgeBase.open(data_index)
    top = kb.search(SearchRequest("мезотерапия", explain=True)).hits[0]
    kb.close()
    kinds = {(c.kind, c.field) for c in top.explanation.contributions}
    assert ("bridge", "body") in kinds and ("word", "treatments") in kinds
    assert sum(c.score for c in top.explanation.contributions) == pytest.approx(top.score, rel=1e-9)


def _leaves(node):
    subs = getattr(node, "subqueries", None)
    if subs is None and hasattr(node, "a"):
        subs = (node.a, node.b)
    if not subs:
        yield node
        return
    for sub in subs:
        yield from _leaves(sub)
