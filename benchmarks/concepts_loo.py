"""Leave one concept group out: how much of crosslingual and everyday-word search the learned
bridges carry without each curated group.

    python -m benchmarks.concepts_loo [--queries FILE ...]

For every data/concepts/*.toml in turn, data/ is indexed with the other groups only (a fresh
index in a temporary folder) and the dev queries are evaluated; also with all groups and with
none. Prints MRR@10 overall, crosslingual and consumer, and saves the table as JSON in
benchmarks/results/.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from indexer.build.builder import build_index
from indexer.search.evaluation import evaluate, read_labelled
from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
from kb.config import Settings
from kb.languages import normalize_lang

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpus" / "dev"
KINDS = ("crosslingual", "consumer")


def score(concepts_dir: Path, queries, work: Path) -> dict:
    index_dir = work / f"index-{concepts_dir.name}"
    settings = Settings(content_roots=(ROOT / "data",), index_dir=index_dir, concepts_dir=concepts_dir)
    build_index(settings)
    kb = KnowledgeBase.open(index_dir)
    rankings = {}
    for q in queries:
        lang = normalize_lang(q.lang) if q.lang else None
        rankings[q.id] = [h.id for h in kb.search(SearchRequest(q.query, lang=lang, limit=10)).hits]
    kb.close()
    shutil.rmtree(index_dir, ignore_errors=True)
    scores = evaluate(queries, rankings)
    row = {"overall": scores["overall"]["mrr@10"]}
    row.update({k: scores["by_kind"].get(k, {}).get("mrr@10", 0.0) for k in KINDS})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", nargs="*", type=Path, default=sorted(DEV.glob("queries-*.jsonl")))
    args = parser.parse_args()
    queries = [q for path in args.queries for q in read_labelled(path)]
    groups = sorted((ROOT / "data" / "concepts").glob("*.toml"))
    rows = {}
    with tempfile.TemporaryDirectory(prefix="kb-loo-") as tmp:
        work = Path(tmp)
        for name, kept in [("(all groups)", groups), ("(none)", [])] + \
                [(f"without {g.stem}", [x for x in groups if x != g]) for g in groups]:
            folder = work / f"concepts-{len(rows)}"
            folder.mkdir()
            for path in kept:
                shutil.copy(path, folder / path.name)
            started = time.perf_counter()
            rows[name] = score(folder, queries, work)
            rows[name]["seconds"] = round(time.perf_counter() - started, 1)
            r = rows[name]
            print(f"{name:<24} overall {r['overall']:.3f}  crosslingual {r['crosslingual']:.3f}  "
                  f"consumer {r['consumer']:.3f}", flush=True)
    worst = min((r["crosslingual"], n) for n, r in rows.items() if n.startswith("without"))
    print(f"lowest crosslingual with a group left out: {worst[0]:.3f} ({worst[1]})")
    out = ROOT / "benchmarks" / "results" / f"concepts-loo-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
