"""Searching, warm: one KnowledgeBase reused, a fixed query mix, latency percentiles of
- the whole search path (KnowledgeBase.search: analysis, concepts, search, counting, reranking,
  snippets, translations), without facets (CLI, `kb eval`) and with facets (the web pages);
- the first time each query of the mix runs on a freshly opened KnowledgeBase (the postings it
  needs not yet decoded and cached);
- the engine call alone: matching and scoring every match of the query the search path builds
  (indexer.engine's Snapshot.evaluate), and beside it Whoosh's own matchers on the same query,
  top 10 (``searcher.search``, what the search path ran before the engine's array matching)."""
from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path

from .common import summary_ms


@dataclass(frozen=True)
class MixQuery:
    kind: str
    text: str
    lang: str | None = None  # None: detected, as a person typing it gets
    field: str | None = None
    in_lang: str | None = None


QUERY_MIX = (
    MixQuery("one word", "мезотерапия"),
    MixQuery("one word", "ακμή"),
    MixQuery("one word", "cicatrici"),
    MixQuery("several words", "лечение морщин вокруг глаз"),
    MixQuery("several words", "αποτρίχωση με laser στο πρόσωπο"),
    MixQuery("several words", "filler acido ialuronico per le labbra"),
    MixQuery("phrase", '"гиалуроновой кислоты"'),
    MixQuery("phrase", '"χημικό peeling"'),
    MixQuery("phrase", '"tossina botulinica"'),
    MixQuery("field", "выпадение волос", field="indications"),
    MixQuery("field", "κολλαγόνο", field="mechanisms"),
    MixQuery("field", "cellulite", field="indications"),
    MixQuery("typo", "мезатерапия"),
    MixQuery("typo", "σκληροθεραπιa"),
    MixQuery("typo", "microneedlign"),
    MixQuery("concept", "ботокс"),
    MixQuery("concept", "rughe"),
    MixQuery("concept", "botox"),
    MixQuery("other language", "ботокс", in_lang="it"),
    MixQuery("other language", "laser", lang=None),
    MixQuery("other language", "cryolipolysis", lang="it"),
)


def request_for(q: MixQuery, facets: bool = False):
    from indexer.search.results import SearchRequest

    return SearchRequest(q.text, lang=q.lang, field=q.field, in_lang=q.in_lang, limit=10,
                         facets=facets)


def engine_query(kb, q: MixQuery):
    """(snapshot, query tree, filter) exactly as KnowledgeBase.search builds them."""
    from indexer.search.results import validate

    request = validate(request_for(q))
    parsed = kb.pipeline.parse(request)
    return parsed.snapshot, kb.pipeline.plan(parsed).plan.query, request.in_lang


def whoosh_searcher(kb):
    """Whoosh's own searcher over the served generation, scoring with Whoosh's own PL2."""
    from whoosh import scoring

    from indexer import store

    return store.open_generation(kb.generation).searcher(weighting=scoring.PL2(c=kb.ranking.pl2_c))


def _timed(fn, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def measure(index: Path, runs: int, rounds: int = 3, budget_s: float = 600) -> dict:
    """``runs`` passes over the mix, each query ``rounds`` times per pass, after one warm-up.

    Bounded: when the warm-up shows that the passes would take more than ``budget_s``, fewer
    rounds (at least one) and passes (at least two) are made; the JSON says how many."""
    from indexer.search.knowledgebase import KnowledgeBase

    opened = time.perf_counter()
    kb = KnowledgeBase.open(index)
    open_seconds = time.perf_counter() - opened
    first = time.perf_counter()
    kb.search(request_for(QUERY_MIX[0]))
    first_seconds = time.perf_counter() - first
    warm = time.perf_counter()
    first_time = []
    for q in QUERY_MIX:  # warm-up: caches, the lazily loaded morphology
        first_time += _timed(lambda: kb.search(request_for(q)), 1)
        kb.search(request_for(q, facets=True))
    one_pass = (time.perf_counter() - warm) * 1.3  # search + facets + engine, once each
    while rounds > 1 and runs * rounds * one_pass > budget_s:
        rounds -= 1
    while runs > 2 and runs * rounds * one_pass > budget_s:
        runs -= 1
    from whoosh.query import Term

    from indexer.engine import to_whoosh

    whoosh = whoosh_searcher(kb)
    samples = {"search": [], "search_facets": [], "engine": [], "whoosh_matcher": []}
    by_kind: dict[str, list[float]] = {}
    totals = {}
    gc.collect()
    for _ in range(runs):
        for q in QUERY_MIX:
            s = _timed(lambda: kb.search(request_for(q)), rounds)
            samples["search"] += s
            by_kind.setdefault(q.kind, []).extend(s)
            samples["search_facets"] += _timed(lambda: kb.search(request_for(q, facets=True)), rounds)
            snapshot, query, in_lang = engine_query(kb, q)
            if query is not None:
                samples["engine"] += _timed(lambda: snapshot.evaluate(query), rounds)
                whoosh_query = to_whoosh(query)
                filter_q = Term("lang", in_lang) if in_lang else None
                samples["whoosh_matcher"] += _timed(lambda: whoosh.search(whoosh_query, limit=10, filter=filter_q), 1)
    for q in QUERY_MIX:
        r = kb.search(request_for(q))
        totals[f"{q.kind}: {q.text}"] = {"total": r.total, "fuzzy": r.fuzzy, "top": r.hits[0].id if r.hits else None}
    result = {name: summary_ms(values) for name, values in samples.items()}
    result["search_first"] = summary_ms(first_time)
    result["by_kind_search"] = {k: summary_ms(v) for k, v in by_kind.items()}
    result["passes"], result["rounds"] = runs, rounds
    result["open_seconds"] = round(open_seconds, 3)
    result["first_query_seconds"] = round(first_seconds, 3)
    result["queries"] = totals
    kb.close()
    return result


def profile(index: Path, out: Path, rounds: int = 3) -> str:
    """cProfile of the search path over the mix; the top of it by cumulative time."""
    import cProfile
    import io
    import pstats

    from indexer.search.knowledgebase import KnowledgeBase

    kb = KnowledgeBase.open(index)
    for q in QUERY_MIX:
        kb.search(request_for(q, facets=True))
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for q in QUERY_MIX:
            kb.search(request_for(q, facets=True))
    prof.disable()
    prof.dump_stats(str(out))
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(30)
    return text.getvalue()


# -- side by side with another checkout --------------------------------------------------------
# The search path timed through the public API only (KnowledgeBase.open, search, SearchRequest),
# so that the same code times this checkout and a baseline checkout with its own interpreter.
_TIMER = r"""
import gc, json, sys, time
from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
index, rounds, mix = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
kb = KnowledgeBase.open(index)
requests = [SearchRequest(q["text"], lang=q["lang"], field=q["field"], in_lang=q["in_lang"], limit=10)
            for q in mix]
facets = [SearchRequest(r.text, lang=r.lang, field=r.field, in_lang=r.in_lang, limit=10, facets=True)
          for r in requests]
for r in requests + facets:
    kb.search(r)
gc.collect()
out = {"search": [], "search_facets": []}
for _ in range(rounds):
    for plain, faceted in zip(requests, facets):
        for name, r in (("search", plain), ("search_facets", faceted)):
            started = time.perf_counter()
            kb.search(r)
            out[name].append(time.perf_counter() - started)
print(json.dumps(out))
"""


def side_by_side(index: Path, baseline: Path, passes: int = 4, rounds: int = 3) -> dict:
    """The search path over the mix in this checkout and in ``baseline`` (its .venv), passes
    alternating (so that a change of load weighs on both alike): medians and their ratio."""
    import json
    import subprocess

    from .common import PROJECT

    mix = json.dumps([{"text": q.text, "lang": q.lang, "field": q.field, "in_lang": q.in_lang}
                      for q in QUERY_MIX])
    samples: dict[str, dict[str, list[float]]] = {"this": {}, "baseline": {}}
    for _ in range(passes):
        for name, checkout in (("this", PROJECT), ("baseline", Path(baseline))):
            python = checkout / ".venv" / "bin" / "python"
            done = subprocess.run([str(python), "-c", _TIMER, str(index), str(rounds), mix], cwd=checkout,
                                  env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout)},
                                  capture_output=True, text=True, check=True)
            for figure, values in json.loads(done.stdout).items():
                samples[name].setdefault(figure, []).extend(values)
    result = {}
    for figure in ("search", "search_facets"):
        this, base = summary_ms(samples["this"][figure]), summary_ms(samples["baseline"][figure])
        result[figure] = {"this": this, "baseline": base,
                          "p50_ratio": round(this["p50_ms"] / base["p50_ms"], 3),
                          "p95_ratio": round(this["p95_ms"] / base["p95_ms"], 3)}
    return result


def main(argv=None) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m benchmarks.searching",
                                     description="The search path over the query mix, warm.")
    parser.add_argument("--index", type=Path, required=True, help="an index directory (kb index)")
    parser.add_argument("--baseline", type=Path, help="another checkout (with its .venv): side by side")
    parser.add_argument("--passes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="each query's searches per pass")
    args = parser.parse_args(argv)
    if args.baseline:
        result = side_by_side(args.index, args.baseline, args.passes, args.rounds)
        for figure, row in result.items():
            print(f"{figure:14} p50 {row['this']['p50_ms']:8.2f} ms vs {row['baseline']['p50_ms']:8.2f} ms "
                  f"(x{row['p50_ratio']}), p95 {row['this']['p95_ms']:8.2f} vs {row['baseline']['p95_ms']:8.2f} "
                  f"(x{row['p95_ratio']}), n {row['this']['n']}")
    else:
        result = measure(args.index, args.passes, args.rounds)
        print(json.dumps({k: v for k, v in result.items() if k != "queries"}, indent=2))


if __name__ == "__main__":
    main()
