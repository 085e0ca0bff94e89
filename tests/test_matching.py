"""indexer.engine's matching: query trees evaluated over postings arrays, against Whoosh's own
matchers on a real index of data/ (the same documents must match, and a term must score as
Whoosh's PL2 scores it)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from whoosh import scoring
from whoosh.searching import Searcher

from core_support import require_shared
from indexer import store
from indexer.engine import SearchIndex, SegmentCache, SlowPaths, to_whoosh
from indexer.engine import queries as Q
from indexer.search.query import parse_query
from indexer.schema import section_field
from indexer.ranking import DEFAULT
from kb.languages import normalize_lang


def dev_queries() -> list[dict]:
    corpus = require_shared()
    rows = []
    for name in ("queries-a.jsonl", "queries-b.jsonl"):
        rows += [json.loads(line) for line in (corpus / "dev" / name).read_text("utf-8").splitlines() if line.strip()]
    return rows


def plan_for(kb, text: str, lang: str | None, section: str | None = None):
    return kb.query_builder().build(parse_query(text), lang, section)


def stem(kb, word: str) -> str:
    return kb.analysis.word_terms(word, "ru", mode="query")[0]


def term_leaves(query):
    if isinstance(query, Q.Term):
        yield query
    for sub in getattr(query, "subqueries", ()) or ():
        yield from term_leaves(sub)


def whoosh_searcher(kb) -> Searcher:
    """Whoosh's own searcher over the index, scoring with Whoosh's own PL2."""
    return store.open_generation(kb.generation).searcher(weighting=scoring.PL2(c=DEFAULT.pl2_c))


def whoosh_scores(searcher, query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(to_whoosh(query), limit=None)}


def whoosh_docs(searcher, query) -> list[int]:
    return sorted(searcher.docs_for_query(to_whoosh(query)))


def fresh_snapshot(kb, cache: SegmentCache):
    return SearchIndex(kb.generation, cache, SlowPaths(strict=True), DEFAULT.pl2_c).snapshot()


@pytest.fixture()
def scorer(data_kb):
    return fresh_snapshot(data_kb, SegmentCache())


def test_every_dev_query_matches_the_documents_whoosh_matches(data_kb, scorer):
    searcher = whoosh_searcher(data_kb)
    for row in dev_queries():
        for section in (None, "indications"):
            plan = plan_for(data_kb, row["query"], normalize_lang(row["lang"]) if row.get("lang") else None, section)
            if plan.query is None:
                continue
            expected = whoosh_docs(searcher, plan.query)
            assert scorer.evaluate(plan.query).ids.tolist() == expected, (row["query"], section)


def test_a_term_scores_every_document_as_whoosh_pl2_does(data_kb, scorer):
    searcher = whoosh_searcher(data_kb)
    checked = 0
    for row in dev_queries()[:40]:
        plan = plan_for(data_kb, row["query"], normalize_lang(row["lang"]) if row.get("lang") else None)
        for term in term_leaves(plan.query):
            expected = whoosh_scores(searcher, term)
            got = scorer.evaluate(term)
            assert got.ids.tolist() == sorted(expected), term
            assert np.allclose(got.scores, [expected[d] for d in got.ids.tolist()], rtol=1e-9), term
            checked += bool(expected)
    assert checked > 100


def test_a_phrase_matches_only_its_words_in_order_and_next_to_each_other(data_kb, scorer):
    field = section_field("body", "ru")
    in_order = scorer.evaluate(Q.Phrase(field, ["гиалуронов", "кислот"]))
    reversed_ = scorer.evaluate(Q.Phrase(field, ["кислот", "гиалуронов"]))
    both_words = scorer.evaluate(Q.And([Q.Term(field, "гиалуронов"), Q.Term(field, "кислот")]))
    searcher = whoosh_searcher(data_kb)
    assert len(in_order) > 0
    assert in_order.ids.tolist() == whoosh_docs(searcher, Q.Phrase(field, ["гиалуронов", "кислот"]))
    assert reversed_.ids.tolist() == whoosh_docs(searcher, Q.Phrase(field, ["кислот", "гиалуронов"]))
    assert set(in_order.ids.tolist()) <= set(both_words.ids.tolist())


def test_a_disjunction_max_scores_a_document_by_its_own_best_clause_plus_the_tiebreak(data_kb, scorer):
    title, body = section_field("title", "ru"), section_field("body", "ru")
    word = stem(data_kb, "мезотерапия")
    a, b = Q.Term(title, word), Q.Term(body, word)
    sa, sb = scorer.evaluate(a), scorer.evaluate(b)
    assert len(sa) and len(sb)
    combined = scorer.evaluate(Q.DisjunctionMax([a, b], tiebreak=0.1))
    own_a = dict(zip(sa.ids.tolist(), sa.scores.tolist()))
    own_b = dict(zip(sb.ids.tolist(), sb.scores.tolist()))
    assert combined.ids.tolist() == sorted(set(own_a) | set(own_b))
    for doc, score in zip(combined.ids.tolist(), combined.scores.tolist()):
        clauses = [s for s in (own_a.get(doc), own_b.get(doc)) if s is not None]
        best = max(clauses)
        assert score == pytest.approx(best + 0.1 * (sum(clauses) - best))


def test_or_adds_and_and_maybe_keeps_only_the_required_documents(data_kb, scorer):
    body = section_field("body", "ru")
    a, b = Q.Term(body, stem(data_kb, "кислота")), Q.Term(body, stem(data_kb, "морщины"))
    sa, sb = scorer.evaluate(a), scorer.evaluate(b)
    assert len(sa) and len(sb) and set(sa.ids.tolist()) != set(sb.ids.tolist())
    own_a = dict(zip(sa.ids.tolist(), sa.scores.tolist()))
    own_b = dict(zip(sb.ids.tolist(), sb.scores.tolist()))
    union = scorer.evaluate(Q.Or([a, b]))
    for doc, score in zip(union.ids.tolist(), union.scores.tolist()):
        assert score == pytest.approx(own_a.get(doc, 0) + own_b.get(doc, 0))
    maybe = scorer.evaluate(Q.AndMaybe(a, b))
    assert maybe.ids.tolist() == sa.ids.tolist()
    for doc, score in zip(maybe.ids.tolist(), maybe.scores.tolist()):
        assert score == pytest.approx(own_a[doc] + own_b.get(doc, 0))


def test_the_segment_cache_stays_within_its_byte_budget(data_kb):
    cache = SegmentCache(max_bytes=20_000)
    scorer = fresh_snapshot(data_kb, cache)
    for row in dev_queries():
        plan = plan_for(data_kb, row["query"], None)
        scorer.evaluate(plan.query)
        assert cache.size_bytes <= 20_000
    assert cache.size_bytes > 0


def test_cached_postings_give_the_same_matches_as_fresh_ones(data_kb):
    cache = SegmentCache()
    plan = plan_for(data_kb, "ботокс от потливости подмышек", "ru")
    first = fresh_snapshot(data_kb, cache).evaluate(plan.query)
    assert cache.size_bytes > 0
    again = fresh_snapshot(data_kb, cache).evaluate(plan.query)
    assert first.ids.tolist() == again.ids.tolist()
    assert np.array_equal(first.scores, again.scores)
