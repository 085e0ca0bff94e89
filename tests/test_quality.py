"""Search quality: the project's acceptance bar on labelled queries (shared/corpus).

Scored as `kb eval` scores (indexer.search.evaluation over KnowledgeBase.search, top 10, the query's
language given). The figures are printed (pytest -s, or in the failure message) to compare runs.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from core_support import require_shared
from indexer.build.builder import build_index
from indexer.search.evaluation import evaluate, read_labelled
from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
from kb.config import Settings
from kb.languages import normalize_lang

DEV_MRR = 0.95  # overall MRR@10 on dev/queries-a + queries-b
KIND_MRR = 0.85  # every kind's MRR@10 there
RUMED_MRR = 0.83  # MRR@10 on real/rumeddanet-train


def rankings(kb: KnowledgeBase, queries) -> dict[str, list[str]]:
    out = {}
    for q in queries:
        lang = normalize_lang(q.lang) if q.lang else None
        out[q.id] = [hit.id for hit in kb.search(SearchRequest(q.query, lang=lang, limit=10)).hits]
    return out


_worker_kb: KnowledgeBase | None = None


def _open_worker(index_dir: str) -> None:
    global _worker_kb
    _worker_kb = KnowledgeBase.open(Path(index_dir))


def _rank_chunk(queries) -> dict[str, list[str]]:
    return rankings(_worker_kb, queries)


def parallel_rankings(index_dir: Path, queries) -> dict[str, list[str]]:
    """Rankings computed by one process per core (searching is CPU-bound Python)."""
    workers = min(4, os.cpu_count() or 1)
    if workers < 2:
        _open_worker(str(index_dir))
        return _rank_chunk(queries)
    chunks = [queries[i::workers * 4] for i in range(workers * 4)]
    context = multiprocessing.get_context("fork")
    out: dict[str, list[str]] = {}
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_open_worker,
                             initargs=(str(index_dir),)) as pool:
        for part in pool.map(_rank_chunk, chunks):
            out.update(part)
    return out


def describe(scores: dict) -> str:
    rows = [f"overall {scores['overall']['mrr@10']:.3f} (n={scores['overall']['n']}, "
            f"Recall@5 {scores['overall']['recall@5']:.3f}, nDCG@10 {scores['overall']['ndcg@10']:.3f})"]
    for group in ("by_kind", "by_lang"):
        rows += [f"  {name}: {m['mrr@10']:.3f} (n={m['n']})" for name, m in scores[group].items()]
    return "\n".join(rows)


@pytest.fixture(scope="module")
def dev_scores(eval_kb):
    corpus = require_shared()
    queries = read_labelled(corpus / "dev" / "queries-a.jsonl") + read_labelled(corpus / "dev" / "queries-b.jsonl")
    scores = evaluate(queries, rankings(eval_kb, queries))
    print("\ndev queries MRR@10:\n" + describe(scores))
    return scores


@pytest.fixture(scope="module")
def rumed_scores(tmp_path_factory):
    corpus = require_shared()
    base = corpus / "real" / "rumeddanet-train"
    index_dir = tmp_path_factory.mktemp("rumed") / "index"
    report = build_index(Settings(index_dir=index_dir, content_roots=(base / "docs",)))
    assert not report.skipped, [str(p) for p in report.skipped]
    queries = read_labelled(base / "queries-train.jsonl")
    scores = evaluate(queries, parallel_rankings(index_dir, queries))
    print("\nrumeddanet-train MRR@10:\n" + describe(scores))
    return scores


def test_the_eval_root_holds_every_labelled_entry(eval_kb):
    corpus = require_shared()
    queries = read_labelled(corpus / "dev" / "queries-a.jsonl") + read_labelled(corpus / "dev" / "queries-b.jsonl")
    missing = {r for q in queries for r in q.relevant if eval_kb.entry(r) is None}
    assert not missing


def test_dev_queries_overall_mrr_reaches_the_bar(dev_scores):
    assert dev_scores["overall"]["mrr@10"] >= DEV_MRR, describe(dev_scores)


def test_dev_queries_every_kind_reaches_the_bar(dev_scores):
    low = {kind: round(m["mrr@10"], 3) for kind, m in dev_scores["by_kind"].items() if m["mrr@10"] < KIND_MRR}
    assert not low, describe(dev_scores)


def test_rumeddanet_train_mrr_reaches_the_bar(rumed_scores):
    assert rumed_scores["overall"]["mrr@10"] >= RUMED_MRR, describe(rumed_scores)
