"""Search over the index: the one API the CLI and the web pages call."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Iterator

import numpy as np
from whoosh import query as Q

from kb.languages import LANGUAGES, detect_language, id_spellings
from kb.model import Entry

from . import manifest, store
from .analysis import Analysis, fold
from .catalogue import pack_catalogue, unpack_catalogue
from .explain import explain_hits
from .matching import TRACE, ArrayScorer
from .postings import DEFAULT_CACHE_BYTES, PostingCache
from .readercache import ArrayPL2, doc_langs
from .sidecar import Sidecar
from .rerank import BRIDGED_REASON, NO_LANG_CODE, OTHER_LANGUAGE_FACTOR, concept_coverage, lang_code as _lang_code, rerank
from .bridges import Bridges, foreign_coverage
from .bridges.store import FILENAME as BRIDGES_FILE
from .concepts import ConceptMatcher
from .documents import entry_from_data, section_texts
from .query import QueryBuilder, parse_query, word_languages
from .results import (CatalogueItem, Hit, MAX_QUERY_LENGTH, QueryError, SearchRequest,
                      SearchResults, Suggestion, Translation, lang_param, validate)
from .snippets import make_snippet
from .spelling import correct, is_known
from .schema import SECTIONS, section_field

IndexMissing = store.IndexMissing
RERANK_DEPTH = 200
TRANSLATION_CACHE = 50_000  # page_ids whose versions a searcher keeps
SUGGESTION_CACHE = 20_000  # (prefix, lang, limit) whose suggestions a searcher keeps
# Ranking model: divergence from randomness (PL2). Measured beside BM25F (B 0.75, K1 1.2) on the
# same index: RuMedDaNet MRR@10 0.832 vs 0.824, clinic queries 0.974 vs 0.972.
PL2_C = 7.0


class KnowledgeBase:
    """An open index. Thread-safe: the threads share one searcher (its files read with positioned
    reads, each thread at its own position: store.SharedReadStorage), so its segment readers and
    their caches are held once, not once per thread; every call notices a newer generation (full
    rebuild) or commit (incremental update) and moves to it."""

    def __init__(self, index_dir: Path, postings_cache_mb: int = DEFAULT_CACHE_BYTES >> 20):
        self.index_dir = Path(index_dir)
        self.analysis = Analysis()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._gen: Path | None = None
        self._ix = None
        # rewritten in place by an update (a concept edit's re-tag; bridges relearned)
        self._matcher = Sidecar(store.CONCEPTS, ConceptMatcher.load)
        self._bridges = Sidecar(BRIDGES_FILE, lambda path: Bridges.load(path.parent))
        self._catalogue: dict[str, tuple[list[bytes], int]] = {}  # lang -> packed items
        self._shared = None  # (generation, searcher) that every thread uses
        self._postings = PostingCache(postings_cache_mb << 20)  # decoded postings, shared by the threads
        self._open()

    @classmethod
    def open(cls, index_dir: Path, postings_cache_mb: int = DEFAULT_CACHE_BYTES >> 20) -> "KnowledgeBase":
        return cls(index_dir, postings_cache_mb)

    # -- lifecycle -------------------------------------------------------------------------
    def _open(self) -> None:
        gen = manifest.generation_to_serve(self.index_dir, keep=self._gen)
        if gen == self._gen and self._ix is not None:
            return  # CURRENT names a generation still being copied here: keep serving this one
        ix = store.open_shared(gen)
        if not store.is_current_version(gen):
            raise store.IndexOutdated(self.index_dir)
        with self._lock:
            self._gen, self._ix = gen, ix
            self._catalogue = {}

    def _searcher(self):
        if manifest.named_generation(self.index_dir) != getattr(self._gen, "name", None):
            for attempt in range(3):
                try:
                    self._open()
                    break
                except FileNotFoundError:
                    if attempt == 2:
                        raise
        shared = self._shared
        if shared is not None and shared[0] == self._gen and shared[1].up_to_date():
            return shared[1]
        with self._lock:
            shared = self._shared
            if shared is not None and shared[0] == self._gen:
                if shared[1].up_to_date():
                    return shared[1]
                # a new commit: open afresh (Searcher.refresh reuses segment readers and misses
                # the deletions an update made)
                self._catalogue = {}
            # the searcher replaced is not closed: another thread may be searching with it; its
            # files close when no thread holds it any more
            searcher = self._ix.searcher(weighting=self._weighting())
            self._shared = (self._gen, searcher)
        return searcher

    @staticmethod
    def _weighting():
        # field lengths read once per reader instead of once per document
        return ArrayPL2(c=PL2_C)

    def status(self) -> tuple[str, dict[str, int]]:
        """The generation served and its live entries per language (for a load balancer)."""
        codes = np.bincount(_lang_codes(self._searcher()), minlength=NO_LANG_CODE + 1)
        return self._gen.name, {lang: int(codes[i]) for i, lang in enumerate(LANGUAGES)}

    def close(self) -> None:
        with self._lock:
            shared, self._shared = self._shared, None
        if shared is not None:
            shared[1].close()

    # -- search ----------------------------------------------------------------------------
    def query_builder(self) -> QueryBuilder:
        """Queries built with the serving generation's concepts and learned bridges."""
        return QueryBuilder(self.analysis, self._matcher.get(self._gen), self._bridges.get(self._gen))

    def search(self, request: SearchRequest) -> SearchResults:
        request = validate(request)
        searcher = self._searcher()
        parsed = parse_query(request.text)
        query_lang, method = self._query_language(request, parsed, searcher)
        builder = self.query_builder()
        plan = builder.build(parsed, query_lang, request.field)
        filter_q = Q.Term("lang", request.in_lang) if request.in_lang else None
        memo: dict = {}  # each term's matches, shared by the queries of this search
        if request.explain:  # every query node's matches kept for the explanations
            memo[TRACE] = {}
        ranked, total, factors = self._run(searcher, plan, filter_q, query_lang, request, memo)
        if total == 0 and parsed.phrases:  # the phrase is nowhere: its words still count
            parsed = parsed.as_words()
            plan = builder.build(parsed, query_lang, request.field)
            ranked, total, factors = self._run(searcher, plan, filter_q, query_lang, request, memo)
        suggestion, fuzzy, corrected = None, False, parsed
        corrections = self._corrections(searcher, parsed, plan, query_lang, builder)
        if corrections:
            corrected = parsed.__class__(tuple(corrections.get(w, w) for w in parsed.words), parsed.phrases)
            suggestion = _apply_corrections(request.text, corrections)
            # an unknown word matches nothing: searching its correction instead loses nothing
            fuzzy_plan = builder.build(corrected, query_lang, request.field)
            fuzzy_ranked, fuzzy_total, fuzzy_factors = self._run(searcher, fuzzy_plan, filter_q,
                                                                 query_lang, request, memo)
            if fuzzy_total:
                plan, ranked, total, factors, fuzzy = fuzzy_plan, fuzzy_ranked, fuzzy_total, fuzzy_factors, True
        start = (request.page - 1) * request.limit
        seen: dict[str, dict] = {}  # by language: each surface word's match, shared by the hits
        shown = ranked[start:start + request.limit]
        hits = tuple(self._hit(searcher, docnum, score, plan, query_lang, seen) for docnum, score in shown)
        if request.explain:
            explained = explain_hits(plan, memo[TRACE], [d for d, _ in shown], [s for _, s in shown],
                                     factors, tuple(corrections.items()) if fuzzy else (), builder.matcher)
            hits = tuple(replace(h, explanation=e) for h, e in zip(hits, explained))
        searched = corrected if fuzzy else parsed
        facets = (self._facets(searcher, plan.query, builder, searched, query_lang, request, memo)
                  if request.facets else {})
        return SearchResults(request, query_lang, method, total, hits, suggestion, fuzzy,
                             plan.concepts, facets)

    def _query_language(self, request, parsed, searcher):
        if request.lang:
            return request.lang, "given"
        text = " ".join((*parsed.phrases, *parsed.words))
        detected = detect_language(text)
        if detected.lang:
            return detected.lang, detected.method
        # Latin script with no telling words: Italian if the Italian vocabulary (any section's)
        # knows its words
        reader = searcher.reader()
        for word in parsed.words:
            terms = self.analysis.word_terms(word, "it", mode="query")
            if any(reader.doc_frequency(section_field(s, "it"), t) for s in SECTIONS for t in terms):
                return "it", "index"
        return None, "none"

    def _run(self, searcher, plan, filter_q, query_lang, request, memo: dict):
        query = plan.query
        if query is None:
            return [], 0, {}
        depth = max(RERANK_DEPTH, request.page * request.limit)
        # Every match scored at once over postings arrays (matching.py), counted by language
        # (the facets), the top ones kept in the order a top-N search gives (score, then docnum).
        matches = self._scorer(searcher).evaluate(query, memo)
        codes = _lang_codes(searcher)
        ids, scores = matches.ids, matches.scores
        if filter_q is not None:
            keep = codes[ids] == _lang_code(request.in_lang)
            ids, scores = ids[keep], scores[keep]
        total = len(ids)
        by_code = np.bincount(codes[ids], minlength=len(LANGUAGES) + 1).tolist()
        top = [(float(scores[i]), int(ids[i])) for i in _top(ids, scores, depth)]
        factor = 1.0 if request.in_lang or query_lang is None else OTHER_LANGUAGE_FACTOR
        covers, exempt = {}, {}
        if factor != 1.0:
            docnums = [d for _, d in top]
            covers = concept_coverage(self._scorer(searcher), plan.concepts, docnums)
            # a page reached through a strong bridge of a word the query's language does not
            # have, with no version in the query's language: the page that exists only there
            exempt = dict.fromkeys(foreign_coverage(searcher, self._scorer(searcher), plan.foreign,
                                                    docnums, query_lang), BRIDGED_REASON)
        ranked, factors = rerank(top, codes, query_lang, factor, covers, exempt)  # rerank.py
        self._local.matched = (query, by_code) if filter_q is None else None
        return ranked, total, factors

    def _scorer(self, searcher) -> ArrayScorer:
        """The searcher's array scorer (one per searcher: it holds the searcher's segments)."""
        scorer = searcher.__dict__.get("_kb_scorer")
        if scorer is None:
            scorer = searcher.__dict__["_kb_scorer"] = ArrayScorer(
                searcher, PL2_C, self._postings, namespace=str(self._gen))
        return scorer

    def _corrections(self, searcher, parsed, plan, query_lang, builder) -> dict[str, str]:
        reader = searcher.reader()
        corrections = {}
        for word in parsed.words:
            terms = plan.word_terms.get(word)
            if not terms or is_known(self._scorer(searcher), terms):  # postings cached there
                continue  # a stop word, or a word the index knows
            if plan.concepts and builder.names_concept(word, plan):
                continue
            if word in plan.foreign:
                continue  # a word of another language, not a typo: its bridges find it
            fixed = correct(reader, word, word_languages(word, query_lang)
                            if query_lang is None else _langs_for(word, query_lang), self.analysis)
            if fixed:
                corrections[word] = fixed
        return corrections

    def _hit(self, searcher, docnum, score, plan, query_lang, seen: dict[str, dict]) -> Hit:
        stored = searcher.stored_fields(docnum)
        data = json.loads(stored["data"])
        entry = entry_from_data(data)
        snippet, sections = make_snippet(section_texts(entry), entry.lang,
                                         plan.highlight.get(entry.lang, set()), self.analysis,
                                         seen.setdefault(entry.lang, {}))
        return Hit(
            id=entry.id, page_id=entry.page_id, lang=entry.lang, lang_written=entry.lang_written,
            title=entry.title, kind=entry.kind, score=score, snippet=snippet, sections=sections,
            translations=tuple(self._translations(searcher, entry.page_id, entry.id)),
            other_language=query_lang is not None and entry.lang != query_lang,
        )

    def _facets(self, searcher, query, builder, parsed, query_lang, request, memo: dict) -> dict:
        if query is None:
            return {"lang": {}, "section": {}}
        # counted by language from the matches the search found (no search per language)
        codes = _lang_codes(searcher)
        scorer = self._scorer(searcher)
        last_query, by_code = getattr(self._local, "matched", None) or (None, None)
        if last_query is not query:
            by_code = np.bincount(codes[scorer.evaluate(query, memo).ids], minlength=len(LANGUAGES) + 1).tolist()
        self._local.matched = None
        langs = {lang: by_code[i] for i, lang in enumerate(LANGUAGES) if by_code[i]}
        sections = {}
        wanted = _lang_code(request.in_lang) if request.in_lang else None
        for section in ("treatments", "mechanisms", "indications"):
            plan = builder.build(parsed, query_lang, section)
            if plan.query is not None:
                ids = scorer.evaluate(plan.query, memo).ids
                count = int(np.count_nonzero(codes[ids] == wanted)) if wanted is not None else len(ids)
                if count:
                    sections[section] = count
        return {"lang": langs, "section": sections}

    # -- entries ---------------------------------------------------------------------------
    def entry(self, entry_id: str) -> Entry | None:
        try:
            entry_id.encode("utf-8")
        except UnicodeEncodeError:  # ids are UTF-8 text: a lone surrogate names no entry
            return None
        searcher = self._searcher()
        for candidate in id_spellings(entry_id):
            stored = searcher.document(id=candidate)
            if stored:
                return entry_from_data(json.loads(stored["data"]))
        return None

    def translations(self, entry_id: str) -> list[Translation]:
        entry = self.entry(entry_id)
        if entry is None or not entry.page_id:
            return []
        return self._translations(self._searcher(), entry.page_id, entry.id)

    def _translations(self, searcher, page_id, own_id) -> list[Translation]:
        if not page_id:
            return []
        # kept with the searcher (a commit opens a new one): a page's versions are read once
        cache = searcher.__dict__.setdefault("_kb_translations", {})
        versions = cache.get(page_id)
        if versions is None:
            versions = [Translation(d["id"], d["lang"], d.get("written", d["lang"]), d.get("title", ""))
                        for d in searcher.documents(page_id=page_id)]
            versions.sort(key=lambda t: LANGUAGES.index(t.lang))
            if len(cache) >= TRANSLATION_CACHE:
                cache.clear()
            cache[page_id] = versions
        return [t for t in versions if t.id != own_id]

    def catalogue(self, lang: str) -> list[CatalogueItem]:
        return list(self.iter_catalogue(lang))

    def iter_catalogue(self, lang: str) -> Iterator[CatalogueItem]:
        """A language's entries as its home page lists them (by group, articles last, then by
        title), one at a time: the home page streams them instead of holding them all. Kept
        between calls, until the index changes, compressed (catalogue.pack_catalogue)."""
        lang = lang_param("lang", lang)
        searcher = self._searcher()
        packed = self._catalogue.get(lang)
        if packed is None:
            packed = self._catalogue[lang] = pack_catalogue(searcher, lang)
        return unpack_catalogue(packed, lang)

    def suggest(self, prefix: str, lang: str | None = None, limit: int = 8) -> list[Suggestion]:
        """Entries whose title or treatments contain words starting with what has been typed."""
        if len(prefix) > MAX_QUERY_LENGTH:
            raise QueryError("q", f"is longer than {MAX_QUERY_LENGTH} characters")
        lang = lang_param("lang", lang) if lang else None
        words = [fold(w) for w in parse_query(prefix).words]
        if not words or len(words[-1]) < 2:
            return []
        searcher = self._searcher()
        # kept with the searcher (a commit opens a new one): as-you-type prefixes come back
        cache = searcher.__dict__.setdefault("_kb_suggestions", {})
        key = (tuple(words), lang, limit)
        if key not in cache:
            if len(cache) >= SUGGESTION_CACHE:
                cache.clear()
            cache[key] = tuple(self._suggest(searcher, words, lang, limit))
        return list(cache[key])

    def _suggest(self, searcher, words: list[str], lang: str | None, limit: int) -> list[Suggestion]:
        expansions = list(islice(searcher.reader().expand_prefix("heads", words[-1]), 50))
        if not expansions:
            return []
        last = Q.Or([Q.Term("heads", e.decode("utf-8") if isinstance(e, bytes) else e) for e in expansions])
        query = Q.And([Q.Term("heads", w) for w in words[:-1]] + [last]) if len(words) > 1 else last
        out = []
        for hit in searcher.search(query, limit=max(limit * 3, 20)):
            data = json.loads(hit["data"])
            heads = [data["title"], *data["structure"]["treatments"]]
            text = next((h for h in heads if _starts_word(h, words[-1])), data["title"])
            out.append(Suggestion(data["id"], data["title"], data["lang"], data["lang_written"], text))
        out.sort(key=lambda s: s.lang != lang)
        return out[:limit]


def _top(ids: np.ndarray, scores: np.ndarray, depth: int) -> np.ndarray:
    """Indexes of the ``depth`` best matches, best first; equal scores by document number."""
    if len(ids) > depth:
        kth = np.partition(scores, len(scores) - depth)[len(scores) - depth]
        chosen = np.flatnonzero(scores >= kth)
    else:
        chosen = np.arange(len(ids))
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return chosen[order[:depth]]


def _lang_codes(searcher) -> np.ndarray:
    """Every document's language as an index of LANGUAGES (readercache.doc_langs), as an array."""
    codes = searcher.__dict__.get("_kb_lang_codes")
    if codes is None:
        codes = searcher.__dict__["_kb_lang_codes"] = np.frombuffer(doc_langs(searcher), np.uint8)
    return codes


def _langs_for(word: str, query_lang: str) -> tuple[str, ...]:
    langs = word_languages(word, query_lang)
    return (query_lang,) if query_lang in langs else langs


def _apply_corrections(text: str, corrections: dict[str, str]) -> str:
    import re

    def fix(match):
        return corrections.get(match.group(), match.group())

    return re.sub(r"(?:\w|[\u0300-\u036f])+", fix, text)


def _starts_word(text: str, prefix: str) -> bool:
    return any(fold(w).startswith(prefix) for w in text.split())
