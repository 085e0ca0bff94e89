"""indexer.engine: every search takes the fast paths (no slow fall-back through SlowPaths), and
what it reads is kept in the one segment cache.

The fast paths read Whoosh 3's segment files through private names; a Whoosh release without
them would still answer right, only slower, so these tests open the index in strict mode (a slow
path raises) and run the dev queries, and an updated index of data/ (a segment with deletions)."""
from __future__ import annotations

import json
import shutil

import pytest

from core_support import DATA, require_shared
from indexer.build.builder import build_index
from indexer.engine import SegmentCache, SlowPaths, SlowPathTaken
from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
from kb.config import Settings
from kb.languages import normalize_lang


def dev_queries() -> list[dict]:
    corpus = require_shared()
    rows = []
    for name in ("queries-a.jsonl", "queries-b.jsonl"):
        rows += [json.loads(line) for line in (corpus / "dev" / name).read_text("utf-8").splitlines() if line.strip()]
    return rows


def every_kind_of_search(kb: KnowledgeBase, text: str, lang: str | None) -> None:
    """One query asked every way the CLI and the web pages ask it."""
    kb.search(SearchRequest(text, lang=lang))
    kb.search(SearchRequest(text, lang=lang, facets=True, explain=True))
    kb.search(SearchRequest(text, lang=lang, in_lang="it", page=2, limit=5))
    results = kb.search(SearchRequest(text, field="indications"))
    for hit in results.hits[:2]:
        kb.entry(hit.id)
        kb.translations(hit.id)
    kb.suggest(text[:3], lang)


def test_the_dev_queries_take_no_slow_path(eval_index):
    kb = KnowledgeBase.open(eval_index, strict=True)
    try:
        for row in dev_queries():
            every_kind_of_search(kb, row["query"], normalize_lang(row["lang"]) if row.get("lang") else None)
        for lang in ("ru", "el", "it"):
            kb.catalogue(lang)
        kb.status()
        assert kb.slow_paths.total == 0, kb.slow_paths.counts
    finally:
        kb.close()


def test_an_updated_index_of_data_with_deletions_takes_no_slow_path(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(DATA, root)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(root,))
    build_index(settings)
    page = root / "pages/mesotherapy/ru.md"
    page.write_text(page.read_text("utf-8") + "\n\nНовая методика: квазарофлексия.\n", "utf-8")
    (root / "pages/mesotherapy/it.md").unlink()
    report = build_index(settings)
    assert not report.rebuilt and report.updated == 1 and report.removed == 1
    kb = KnowledgeBase.open(settings.index_dir, strict=True)
    try:
        segments = kb.snapshot().segments
        assert len(segments) > 1 and any(s.deleted for s in segments) and kb.snapshot().doc_count > 10
        for text in ("квазарофлексия", "мезотерапия", "mesoterapia", '"гиалуроновой кислоты"', "ботокс",
                     "мезатерапия", "laser", "ακμή"):
            every_kind_of_search(kb, text, None)
        assert kb.search(SearchRequest("квазарофлексия")).hits[0].id == "mesotherapy/ru"
        assert kb.search(SearchRequest("mesoterapia", in_lang="it")).total == 0
        assert kb.slow_paths.total == 0, kb.slow_paths.counts
    finally:
        kb.close()


def test_postings_read_without_whoosh3s_block_reader_raise_in_strict_mode(data_index, monkeypatch):
    """What a Whoosh release without the private block reader would do: strict mode says so."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    monkeypatch.delattr(W3LeafMatcher, "_read_data")
    kb = KnowledgeBase.open(data_index, strict=True)
    try:
        with pytest.raises(SlowPathTaken, match="postings"):
            kb.search(SearchRequest("мезотерапия"))
    finally:
        kb.close()


def test_a_slow_path_outside_strict_mode_is_counted_by_name():
    slow = SlowPaths()
    slow.take("postings", "no _read_data")
    slow.take("postings")
    slow.take("field lengths")
    assert slow.counts == {"postings": 2, "field lengths": 1} and slow.total == 3
    with pytest.raises(SlowPathTaken, match="field lengths"):
        SlowPaths(strict=True).take("field lengths", "a length column of 4 bytes")


def test_the_segment_cache_keeps_what_a_search_read_within_its_budget(data_index):
    kb = KnowledgeBase.open(Settings(index_dir=data_index, postings_cache_mb=1))
    try:
        kb.search(SearchRequest("мезотерапия", facets=True))
        assert isinstance(kb.cache, SegmentCache) and len(kb.cache) > 0
        assert 0 < kb.cache.size_bytes <= 1 << 20
        before = len(kb.cache)
        kb.search(SearchRequest("мезотерапия", facets=True))  # read from the cache: nothing new
        assert len(kb.cache) == before
    finally:
        kb.close()
