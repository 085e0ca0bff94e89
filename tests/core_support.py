"""Paths and helpers of the search-core tests (a module of its own: ``conftest`` is ambiguous
when several test directories have one)."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
from kb.config import PROJECT_DIR

DATA = PROJECT_DIR / "data"
SEED_PAGES = DATA / "pages" / "botulinum-treatment"  # the seeds, byte-identical, renamed
SEED_ARTICLE = DATA / "articles" / "botulotoxin.ru.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the checkout, also in CI
CORPUS = SHARED / "corpus"


def require_shared() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS}): it sits beside the checkout")
    return CORPUS


def search_ids(kb: KnowledgeBase, text: str, **options) -> list[str]:
    return [hit.id for hit in kb.search(SearchRequest(text, **options)).hits]
