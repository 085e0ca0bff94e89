"""Shared fixtures of the search-core specification tests: real content, real indexes on disk.

- ``data_index``: an index of the repository's ``data/`` built once per session;
- ``data_kb``: a KnowledgeBase opened on it;
- ``eval_root``: the evaluation content root that ``shared/corpus/README.md`` describes (seed
  pages 000, 002, 003, the seed article as ``articles/botulotoxin.ru.txt``, the dev pages and
  articles), built once per session; skipped when ``../shared`` is absent.

The tests/web and tests/browser conftests define their own fixtures; the names here are distinct.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core_support import DATA, require_shared
from indexer.build.builder import build_index
from indexer.search.knowledgebase import KnowledgeBase
from kb.config import Settings


@pytest.fixture(scope="session")
def data_index(tmp_path_factory) -> Path:
    """The index directory of the repository's data/ (built once; tests must not change it)."""
    return _built_index(tmp_path_factory.mktemp("data-index") / "index", DATA)


@pytest.fixture(scope="session")
def data_kb(data_index) -> KnowledgeBase:
    kb = KnowledgeBase.open(data_index)
    yield kb
    kb.close()


@pytest.fixture(scope="session")
def eval_root(tmp_path_factory) -> Path:
    """seeds/000,002,003 + seeds/001 as articles/botulotoxin.ru.txt + the dev pages and articles."""
    corpus = require_shared()
    root = tmp_path_factory.mktemp("eval") / "root"
    root.mkdir()
    for prefix in ("000_", "002_", "003_"):
        for seed in (corpus / "seeds").glob(prefix + "*"):
            shutil.copyfile(seed, root / seed.name)
    (root / "articles").mkdir()
    seed_article = next((corpus / "seeds").glob("001_*"))
    shutil.copyfile(seed_article, root / "articles" / "botulotoxin.ru.txt")
    for item in sorted((corpus / "dev").iterdir()):
        if item.is_dir():
            shutil.copytree(item, root / item.name, dirs_exist_ok=True)
    for path in root.rglob("*"):  # the shared files are read-only; the copies need not be
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


@pytest.fixture(scope="session")
def eval_index(eval_root, tmp_path_factory) -> Path:
    return _built_index(tmp_path_factory.mktemp("eval-index") / "index", eval_root)


@pytest.fixture(scope="session")
def eval_kb(eval_index) -> KnowledgeBase:
    kb = KnowledgeBase.open(eval_index)
    yield kb
    kb.close()


def _built_index(index_dir: Path, root: Path) -> Path:
    """An index of one content root, every file of which must load."""
    report = build_index(Settings(index_dir=index_dir, content_roots=(root,)))
    assert not report.skipped, [str(p) for p in report.skipped]
    return index_dir
