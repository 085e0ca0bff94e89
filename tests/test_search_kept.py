"""What a snapshot keeps for every search (a term's scored matches, a shown entry's texts and
words) and the facets computed from the search's own query tree change no answer: on a real
index of data/ on disk, the same results and counts as computed afresh."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.search.knowledgebase import KnowledgeBase
from indexer.search.results import SearchRequest

QUERIES = ("мезотерапия", "ακμή", "cicatrici", "лечение морщин вокруг глаз", '"tossina botulinica"',
           "ботокс", "rughe", "microneedlign", "laser")


def _answer(kb, request):
    found = kb.search(request)
    return found.total, [(h.id, h.score, h.snippet, h.sections, h.translations) for h in found.hits], found.facets


def test_searches_give_the_same_results_on_a_fresh_knowledge_base_and_a_used_one(data_index):
    used = KnowledgeBase.open(data_index)
    try:
        for query in reversed(QUERIES):  # every term's matches kept by other searches first
            used.search(SearchRequest(query, facets=True))
        for query in QUERIES:
            fresh = KnowledgeBase.open(data_index)
            try:
                expected = _answer(fresh, SearchRequest(query, facets=True))
            finally:
                fresh.close()
            assert _answer(used, SearchRequest(query, facets=True)) == expected, query
    finally:
        used.close()


@pytest.mark.parametrize("in_lang", [None, "it", "ru"])
def test_a_section_facet_counts_what_the_search_restricted_to_that_section_finds(data_kb, in_lang):
    counted = 0
    # not the phrase: found nowhere in a section, the restricted search falls back to its words
    for query in (q for q in QUERIES if '"' not in q):
        facets = data_kb.search(SearchRequest(query, in_lang=in_lang, facets=True)).facets
        for section in ("treatments", "mechanisms", "indications"):
            total = data_kb.search(SearchRequest(query, field=section, in_lang=in_lang)).total
            if total == 0:  # a count of none is left out
                assert section not in facets["section"], (query, section)
            else:
                assert facets["section"][section] == total, (query, section)
                counted += 1
    assert counted  # the queries do find something in the sections


def test_a_kept_terms_matches_cannot_be_changed_by_a_search(data_kb):
    snapshot = data_kb.served.snapshot()
    matches = snapshot.scorer.scored("treatments_ru", "мезотерап")
    assert len(matches) and matches is snapshot.scorer.scored("treatments_ru", "мезотерап")
    with pytest.raises(ValueError):
        matches.scores[0] = np.inf
