"""A search as a pipeline of stages, each returning a value:

    parse    the request validated, the words and phrases, the query's language   -> Parsed
    plan     the query tree and what it came from (query.py)                       -> Planned
    evaluate every match scored over postings arrays (engine/), counted by language -> Evaluated
    rerank   the top matches reweighed by language (rerank.py)                     -> Ranked
    correct  unknown words corrected from the index's vocabulary (spelling.py)     -> Corrected
    page     the page of hits: snippets, translations, explanations, facets         -> SearchResults

``run`` strings them together: a phrase found nowhere is planned again as its words; a query
with corrections is evaluated again corrected, and kept when that finds anything.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

import numpy as np

from kb.languages import LANGUAGES

from indexer.analysis import Analysis
from indexer.bridges import foreign_coverage
from indexer.documents import entry_from_data, section_texts
from indexer.engine import TRACE, Snapshot
from indexer.search.explain import explain_hits
from indexer.search.facets import facets
from indexer.search.language import query_language
from indexer.search.opening import ServedIndex
from indexer.search.query import ParsedQuery, QueryBuilder, QueryPlan, parse_query
from indexer.ranking import Ranking
from indexer.search.rerank import BRIDGED_REASON, LanguageFactor, concept_coverage, lang_code, rerank, top
from indexer.search.results import Hit, SearchRequest, SearchResults, validate
from indexer.search.snippets import make_snippet, split_words
from indexer.search.spelling import apply_corrections, corrections
from indexer.search.translations import translations


@dataclass(frozen=True)
class Parsed:
    request: SearchRequest  # validated
    query: ParsedQuery
    query_lang: str | None
    lang_method: str
    snapshot: Snapshot  # the commit this search reads, every stage the same
    builder: QueryBuilder
    memo: dict  # each term's matches, shared by the evaluations of this search (and the trace)


@dataclass(frozen=True)
class Planned:
    parsed: Parsed
    query: ParsedQuery  # the words planned (the request's, as words, or corrected)
    plan: QueryPlan


@dataclass(frozen=True)
class Evaluated:
    planned: Planned
    ids: np.ndarray  # the matching documents (in the requested language only, if one is asked)
    scores: np.ndarray
    by_lang: list[int] | None  # every match counted by language code (None: nothing evaluated)

    @property
    def total(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Ranked:
    evaluated: Evaluated
    ranked: list[tuple[int, float]]  # (docnum, score), best first, the rerank depth of them
    factors: dict[int, LanguageFactor]  # the other-language factor each page received

    @property
    def planned(self) -> Planned:
        return self.evaluated.planned

    @property
    def total(self) -> int:
        return self.evaluated.total


@dataclass(frozen=True)
class Corrected:
    corrections: dict[str, str]  # word -> its correction
    suggestion: str | None  # the query as typed, corrected ("did you mean")
    planned: Planned | None  # the corrected query's plan (None: nothing to correct)


class Pipeline:
    def __init__(self, served: ServedIndex, analysis: Analysis, ranking: Ranking):
        self.served = served
        self.analysis = analysis
        self.ranking = ranking

    def query_builder(self) -> QueryBuilder:
        """Queries built with the serving generation's concepts and learned bridges."""
        return QueryBuilder(self.analysis, self.served.matcher(), self.served.bridges(), self.ranking)

    def run(self, request: SearchRequest) -> SearchResults:
        parsed = self.parse(request)
        ranked = self.rerank(self.evaluate(self.plan(parsed)))
        if ranked.total == 0 and parsed.query.phrases:  # the phrase is nowhere: its words still count
            ranked = self.rerank(self.evaluate(self.plan(parsed, parsed.query.as_words())))
        corrected = self.correct(ranked.planned)
        fuzzy = False
        if corrected.planned is not None:
            # an unknown word matches nothing: searching its correction instead loses nothing
            again = self.rerank(self.evaluate(corrected.planned))
            if again.total:
                ranked, fuzzy = again, True
        return self.page(ranked, corrected, fuzzy)

    # -- the stages --------------------------------------------------------------------------
    def parse(self, request: SearchRequest) -> Parsed:
        request = validate(request)
        snapshot = self.served.snapshot()
        query = parse_query(request.text)
        query_lang, method = query_language(request, query, snapshot, self.analysis)
        memo: dict = {}
        if request.explain:  # every query node's matches kept for the explanations
            memo[TRACE] = {}
        return Parsed(request, query, query_lang, method, snapshot, self.query_builder(), memo)

    def plan(self, parsed: Parsed, query: ParsedQuery | None = None) -> Planned:
        query = parsed.query if query is None else query
        return Planned(parsed, query, parsed.builder.build(query, parsed.query_lang, parsed.request.field))

    def evaluate(self, planned: Planned) -> Evaluated:
        parsed = planned.parsed
        if planned.plan.query is None:
            return Evaluated(planned, np.empty(0, np.int64), np.empty(0), None)
        matches = parsed.snapshot.evaluate(planned.plan.query, parsed.memo)
        codes = lang_codes(parsed.snapshot)
        ids, scores = matches.ids, matches.scores
        by_lang = np.bincount(codes[ids], minlength=len(LANGUAGES) + 1).tolist()
        if parsed.request.in_lang:
            keep = codes[ids] == lang_code(parsed.request.in_lang)
            ids, scores = ids[keep], scores[keep]
        return Evaluated(planned, ids, scores, by_lang)

    def rerank(self, evaluated: Evaluated) -> Ranked:
        parsed, plan = evaluated.planned.parsed, evaluated.planned.plan
        if plan.query is None:
            return Ranked(evaluated, [], {})
        request, query_lang, snapshot = parsed.request, parsed.query_lang, parsed.snapshot
        depth = max(self.ranking.rerank_depth, request.page * request.limit)
        ids, scores = evaluated.ids, evaluated.scores
        best = [(float(scores[i]), int(ids[i])) for i in top(ids, scores, depth)]
        factor = 1.0 if request.in_lang or query_lang is None else self.ranking.other_language_factor
        covers, exempt = {}, {}
        if factor != 1.0:
            docnums = [d for _, d in best]
            covers = concept_coverage(snapshot, plan.concepts, docnums)
            # a page reached through a strong bridge of a word the query's language does not
            # have, with no version in the query's language: the page that exists only there
            exempt = dict.fromkeys(foreign_coverage(snapshot, plan.foreign, docnums, query_lang),
                                   BRIDGED_REASON)
        ranked, factors = rerank(best, lang_codes(snapshot), query_lang, factor, covers, exempt)
        return Ranked(evaluated, ranked, factors)

    def correct(self, planned: Planned) -> Corrected:
        parsed = planned.parsed
        found = corrections(parsed.snapshot, planned, self.analysis)
        if not found:
            return Corrected({}, None, None)
        query = planned.query
        fixed = ParsedQuery(tuple(found.get(w, w) for w in query.words), query.phrases)
        return Corrected(found, apply_corrections(parsed.request.text, found), self.plan(parsed, fixed))

    def page(self, ranked: Ranked, corrected: Corrected, fuzzy: bool) -> SearchResults:
        planned = ranked.planned
        parsed, plan = planned.parsed, planned.plan
        request, snapshot = parsed.request, parsed.snapshot
        start = (request.page - 1) * request.limit
        seen: dict[str, dict] = {}  # by language: each surface word's match, shared by the hits
        shown = ranked.ranked[start:start + request.limit]
        hits = tuple(self._hit(snapshot, docnum, score, plan, parsed.query_lang, seen) for docnum, score in shown)
        if request.explain:
            explained = explain_hits(plan, parsed.memo[TRACE], [d for d, _ in shown], [s for _, s in shown],
                                     ranked.factors, tuple(corrected.corrections.items()) if fuzzy else (),
                                     parsed.builder.matcher)
            hits = tuple(replace(h, explanation=e) for h, e in zip(hits, explained))
        counts = {}
        if request.facets:
            wanted = lang_code(request.in_lang) if request.in_lang else None
            counts = facets(snapshot, planned, ranked.evaluated.by_lang, lang_codes(snapshot), wanted,
                            parsed.memo)
        return SearchResults(request, parsed.query_lang, parsed.lang_method, ranked.total, hits,
                             corrected.suggestion, fuzzy, plan.concepts, counts)

    def _hit(self, snapshot, docnum, score, plan, query_lang, seen: dict[str, dict]) -> Hit:
        entry, texts, words = shown_entry(snapshot, docnum)
        snippet, sections = make_snippet(texts, entry.lang, plan.highlight.get(entry.lang, set()),
                                         self.analysis, seen.setdefault(entry.lang, {}), words)
        return Hit(
            id=entry.id, page_id=entry.page_id, lang=entry.lang, lang_written=entry.lang_written,
            title=entry.title, kind=entry.kind, score=score, snippet=snippet, sections=sections,
            translations=tuple(translations(snapshot, entry.page_id, entry.id)),
            other_language=query_lang is not None and entry.lang != query_lang,
        )


def shown_entry(snapshot, docnum: int) -> tuple:
    """A document's entry, its section texts and their words (snippets.split_words), read once
    per snapshot and kept in the segment cache (none of it depends on the query)."""
    key = (snapshot.key, "shown", docnum)
    found = snapshot.cache.get(key)
    if found is None:
        data = snapshot.stored(docnum)["data"]
        entry = entry_from_data(json.loads(data))
        texts = section_texts(entry)
        found = (entry, texts, split_words(texts, entry.lang))
        snapshot.cache.put(key, found, 6 * len(data))  # the entry, its texts and words
    return found


def lang_codes(snapshot) -> np.ndarray:
    """Every document's language as an index of LANGUAGES (rerank.NO_LANG_CODE for none)."""
    return snapshot.codes("lang", LANGUAGES)
