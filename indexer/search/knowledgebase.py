"""Search over the index: the one API the CLI and the web pages call.

``KnowledgeBase`` is a facade over the modules that do the work: opening.py (which generation
and commit is served, followed as the index changes), pipeline.py (a search: parse → plan →
evaluate → rerank → page), suggestions.py, catalogue.py, translations.py; the engine (engine/)
is the one door to Whoosh, ranking.py holds every weight.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import numpy as np

from kb.config import Settings
from kb.languages import LANGUAGES, id_spellings
from kb.model import Entry

from indexer import store
from indexer.analysis import Analysis
from indexer.search.catalogue import Catalogue
from indexer.documents import entry_from_data
from indexer.engine import SegmentCache, SlowPaths, Snapshot
from indexer.search.opening import ServedIndex
from indexer.search.pipeline import Pipeline, lang_codes
from indexer.search.query import QueryBuilder
from indexer.ranking import DEFAULT as DEFAULT_RANKING, Ranking
from indexer.search.rerank import NO_LANG_CODE
from indexer.search.results import CatalogueItem, SearchRequest, SearchResults, Suggestion, Translation, lang_param
from indexer.search.suggestions import suggest
from indexer.search.translations import translations

IndexMissing = store.IndexMissing


class KnowledgeBase:
    """An open index. Thread-safe: the threads share one snapshot of the served generation (its
    segment readers held once, what is read from them kept in one segment cache of
    ``settings.postings_cache_mb``); every call notices a newer generation (full rebuild) or
    commit (incremental update) and moves to it. ``strict``: a slow path of the engine raises
    (engine/slowpaths.py)."""

    def __init__(self, settings: Settings, ranking: Ranking = DEFAULT_RANKING, strict: bool = False):
        self.settings = settings
        self.index_dir = Path(settings.index_dir)
        self.analysis = Analysis()
        self.ranking = ranking  # every weight and factor (indexer/ranking.py)
        self.cache = SegmentCache(settings.postings_cache_mb << 20)  # shared by threads and generations
        self.served = ServedIndex(self.index_dir, self.cache, ranking.pl2_c, strict)
        self.pipeline = Pipeline(self.served, self.analysis, ranking)
        self._catalogue = Catalogue()

    @classmethod
    def open(cls, source: Settings | Path | str, ranking: Ranking = DEFAULT_RANKING,
             strict: bool = False) -> "KnowledgeBase":
        """The index of ``source``: the settings' index directory (and its cache size), or an
        index directory with the default settings."""
        settings = source if isinstance(source, Settings) else Settings(index_dir=Path(source))
        return cls(settings, ranking, strict)

    # -- the served index ------------------------------------------------------------------
    @property
    def generation(self) -> Path:
        """The generation served."""
        return self.served.generation

    @property
    def slow_paths(self) -> SlowPaths:
        return self.served.slow_paths

    def snapshot(self) -> Snapshot:
        """The serving generation's latest commit."""
        return self.served.snapshot()

    def status(self) -> tuple[str, dict[str, int]]:
        """The generation served and its live entries per language (for a load balancer)."""
        codes = np.bincount(lang_codes(self.snapshot()), minlength=NO_LANG_CODE + 1)
        return self.generation.name, {lang: int(codes[i]) for i, lang in enumerate(LANGUAGES)}

    def close(self) -> None:
        self.served.close()

    # -- search ----------------------------------------------------------------------------
    def query_builder(self) -> QueryBuilder:
        """Queries built with the serving generation's concepts and learned bridges."""
        return self.pipeline.query_builder()

    def search(self, request: SearchRequest) -> SearchResults:
        return self.pipeline.run(request)

    def suggest(self, prefix: str, lang: str | None = None, limit: int = 8) -> list[Suggestion]:
        """Entries whose title or treatments contain words starting with what has been typed."""
        return suggest(self.snapshot(), prefix, lang, limit)

    # -- entries ---------------------------------------------------------------------------
    def entry(self, entry_id: str) -> Entry | None:
        try:
            entry_id.encode("utf-8")
        except UnicodeEncodeError:  # ids are UTF-8 text: a lone surrogate names no entry
            return None
        snapshot = self.snapshot()
        for candidate in id_spellings(entry_id):
            stored = snapshot.document(id=candidate)
            if stored:
                return entry_from_data(json.loads(stored["data"]))
        return None

    def translations(self, entry_id: str) -> list[Translation]:
        entry = self.entry(entry_id)
        if entry is None or not entry.page_id:
            return []
        return translations(self.snapshot(), entry.page_id, entry.id)

    def catalogue(self, lang: str) -> list[CatalogueItem]:
        return list(self.iter_catalogue(lang))

    def iter_catalogue(self, lang: str) -> Iterator[CatalogueItem]:
        """A language's entries as its home page lists them (by group, articles last, then by
        title), one at a time: the home page streams them instead of holding them all. Kept
        between calls, until the index changes, compressed (catalogue.pack_catalogue)."""
        lang = lang_param("lang", lang)
        return self._catalogue.items(self.snapshot(), lang)
