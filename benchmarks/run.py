"""Run the benchmarks on demand: a table on stdout, JSON in benchmarks/results/.

    python -m benchmarks.run [--sizes 1000,10000] [--runs 5] [--quick] [--only index,search,...]

Modules: ``index`` (benchmarks.indexing), ``search`` (benchmarks.searching), ``cold``
(benchmarks.coldstart), ``analysis`` (benchmarks.analysis), ``peers`` (benchmarks.peers).
Generated corpora and indexes are kept in $KB_BENCH_DIR (default /tmp/kb-bench) and reused:
a size's index is rebuilt by ``index`` and used by the others (built first when missing).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import analysis as analysis_bench
from . import coldstart, indexing, peers, searching
from .common import RESULTS, log, machine, ratio, table

MODULES = ("index", "reindex", "search", "cold", "analysis", "peers")


def run(sizes: list[int], runs: int, modules: tuple[str, ...], build_runs: int | None,
        name: str = "latest") -> dict:
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "runs": runs,
              "sizes": {}}
    if "analysis" in modules:
        log("analysis")
        report["analysis"] = analysis_bench.measure(pages=100 if runs < 3 else 300, runs=max(1, min(runs, 3)))
    for size in sizes:
        entry: dict = {}
        report["sizes"][str(size)] = entry
        index = indexing.index_dir(size)
        log(f"corpus of {size}")
        started = time.perf_counter()
        indexing.corpus_dir(size)
        entry["corpus_seconds"] = round(time.perf_counter() - started, 1)
        if "index" in modules:
            n = build_runs or (min(runs, 3) if size <= 1000 else 1)
            entry["index"] = indexing.measure(size, n)
        elif not (index / "CURRENT").exists():
            log(f"no index of {size} yet: building it")
            indexing.build(size)
        if "reindex" in modules and "index" not in modules:  # on the index already there
            log(f"indexing {size}: one changed file")
            entry["index"] = indexing.measure_reindex(size)
        if "search" in modules:
            log(f"search at {size}")
            entry["search"] = searching.measure(index, runs)
        if "cold" in modules:
            log(f"cold start at {size}")
            entry["cold"] = coldstart.measure(index, runs)
        if "peers" in modules:
            entry["peers"] = peers.measure(indexing.corpus_dir(size), searching.QUERY_MIX, runs, size=size)
        save(report, partial=True, name=name)
    return report


def save(report: dict, partial: bool = False, name: str = "latest") -> Path:
    """``<name>.json`` and a dated copy in benchmarks/results/ (``partial-<name>.json`` while running)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if partial:
        (RESULTS / f"partial-{name}.json").write_text(text, "utf-8")
        return RESULTS / f"partial-{name}.json"
    (RESULTS / f"{name}.json").write_text(text, "utf-8")
    prefix = "" if name == "latest" else f"{name}-"
    dated = RESULTS / f"{prefix}{time.strftime('%Y-%m-%d-%H%M%S')}.json"
    dated.write_text(text, "utf-8")
    (RESULTS / f"partial-{name}.json").unlink(missing_ok=True)
    return dated


def render(report: dict) -> str:
    """The figures as tables: the product (Whoosh) and the peers with ratios from the same run."""
    m = report["machine"]
    lines = [f"{report['date']} — {m.get('nproc')} cores, {m.get('memory_gib')} GiB, {m.get('cpu', '?')}, "
             f"Python {m['python']}, whoosh3 {m['packages'].get('whoosh3')}, tantivy "
             f"{m['packages'].get('tantivy')}, SQLite {m['packages'].get('sqlite')}; medians of "
             f"{report['runs']} runs", ""]
    rows = []
    for size, e in report["sizes"].items():
        n = int(size)
        ix, se, co = e.get("index"), e.get("search"), e.get("cold")
        pe = (e.get("peers") or {}).get("engines", {})
        f5, ta, wh = pe.get("fts5", {}), pe.get("tantivy", {}), pe.get("whoosh", {})

        def add(what, value, unit, whoosh_engine=None, fts=None, tan=None, better="lower"):
            rows.append([f"{n:,}", what, value, unit, whoosh_engine, fts, tan,
                         _ratio(value, fts, better), _ratio(value, tan, better)])

        if ix:
            if "entries_per_second" in ix:
                add("full build", ix["entries_per_second"], "entries/s", wh.get("entries_per_s"),
                    f5.get("entries_per_s"), ta.get("entries_per_s"), better="higher")
            add("re-index one changed file (process)", ix["reindex_one_process_seconds"], "s")
            add("re-index one changed file (update)", ix["reindex_one_update_seconds"], "s")
            add("index size", ix["index_size_mib"], "MiB", wh.get("size_mib"), f5.get("size_mib"), ta.get("size_mib"))
            if "peak_memory_mib" in ix:
                add("build peak memory", ix["peak_memory_mib"], "MiB")
        if se:
            for name, label in (("search", "search path"), ("search_facets", "search path + facets"),
                                ("search_first", "search path, first run of each query"),
                                ("engine", "engine call (array scorer, every match)"),
                                ("whoosh_matcher", "Whoosh's matchers, same query, top 10")):
                s = se.get(name)
                if not s:
                    continue
                add(f"{label} p50", s["p50_ms"], "ms", wh.get("query", {}).get("p50_ms"),
                    f5.get("query", {}).get("p50_ms"), ta.get("query", {}).get("p50_ms"))
                add(f"{label} p95", s["p95_ms"], "ms", wh.get("query", {}).get("p95_ms"),
                    f5.get("query", {}).get("p95_ms"), ta.get("query", {}).get("p95_ms"))
                add(f"{label} p99", s["p99_ms"], "ms", wh.get("query", {}).get("p99_ms"),
                    f5.get("query", {}).get("p99_ms"), ta.get("query", {}).get("p99_ms"))
        if co:
            add("`kb search` cold, end to end", co["median_seconds"], "s", wh.get("cold_query_seconds"),
                f5.get("cold_query_seconds"), ta.get("cold_query_seconds"))
            first = next(iter(v for k, v in co.items() if isinstance(v, dict) and "maxrss_mib" in v), {})
            add("`kb search` cold, peak memory", first.get("maxrss_mib"), "MiB", wh.get("cold_query_maxrss_mib"),
                f5.get("cold_query_maxrss_mib"), ta.get("cold_query_maxrss_mib"))
        if e.get("peers"):
            add("analysis of the corpus (tokens for the peers)", e["peers"]["analysis_entries_per_s"], "entries/s")
    headers = ["entries", "figure", "kb (Whoosh)", "unit", "Whoosh engine*", "FTS5*", "tantivy*",
               "kb / FTS5", "kb / tantivy"]
    lines.append(table(rows, headers))
    lines.append("")
    lines.append("* the engines alone fed the same pre-analyzed tokens (benchmarks/peers.py); a ratio "
                 "is kb's figure over the peer's (for entries/s: how many times slower kb is).")
    engine_rows = []
    for size, e in report["sizes"].items():
        pe = (e.get("peers") or {}).get("engines", {})
        if not pe:
            continue
        wh = pe["whoosh"]
        for name, v in pe.items():
            engine_rows.append([f"{int(size):,}", name, v["entries_per_s"], v["size_mib"], v["query"]["p50_ms"],
                                v["query"]["p95_ms"], v["query"]["p99_ms"], v["cold_query_seconds"],
                                ratio(wh["query"]["p95_ms"], v["query"]["p95_ms"]),
                                ratio(v["entries_per_s"], wh["entries_per_s"])])
    if engine_rows:
        lines += ["", "Engines on the same tokens (ratios: Whoosh's p95 over the engine's; the engine's "
                      "entries/s over Whoosh's):", ""]
        lines.append(table(engine_rows, ["entries", "engine", "build entries/s", "size MiB", "p50 ms", "p95 ms",
                                         "p99 ms", "cold query s", "Whoosh p95 ÷", "build ×"]))
        for size, e in report["sizes"].items():
            if e.get("peers"):
                lines.append(f"hit counts identical across engines at {size}: {e['peers']['hit_counts_identical']}")
    if report.get("analysis"):
        lines += ["", "Analysis (words/s, one core):", ""]
        lines.append(table([[lang, v["cold_words_per_s"], v["warm_words_per_s"]]
                            for lang, v in report["analysis"].items()],
                           ["lang", "cold cache", "warm cache"]))
    for size, e in report["sizes"].items():
        co = e.get("cold")
        if co:
            imp = co["imports"]
            heavy = ", ".join(f"{k} {v}" for k, v in list(imp["top_level_ms"].items())[:6])
            lines.append(f"\n`kb search` at {size}: imports {imp['total_ms']} ms ({heavy}); python alone "
                         f"{co['python_startup_seconds']} s")
        se = e.get("search")
        if se:
            kinds = ", ".join(f"{k} {v['p50_ms']}/{v['p95_ms']}" for k, v in se["by_kind_search"].items())
            lines.append(f"search path at {size} by kind, p50/p95 ms: {kinds}")
    return "\n".join(lines)


def merge(old: dict, new: dict) -> dict:
    """``old`` with the figures of ``new`` put in (by size and module); dated by ``new``."""
    merged = dict(old)
    merged["date"], merged["machine"] = new["date"], new["machine"]
    merged.setdefault("updates", []).append({"date": new["date"], "runs": new["runs"],
                                             "sizes": {k: sorted(v) for k, v in new["sizes"].items()}})
    if "analysis" in new:
        merged["analysis"] = new["analysis"]
    sizes = merged.setdefault("sizes", {})
    for size, figures in new["sizes"].items():
        sizes.setdefault(size, {}).update(figures)
    return merged


def _ratio(value, peer, better):
    if value is None or peer is None:
        return None
    return ratio(peer, value) if better == "higher" else ratio(value, peer)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Run the knowledge base's benchmarks.")
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated entry counts (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=5, help="passes per measurement; medians are reported")
    ap.add_argument("--build-runs", type=int, default=None,
                    help="full builds per size (default: min(runs, 3) up to 1,000 entries, 1 above)")
    ap.add_argument("--quick", action="store_true", help="1,000 entries, 2 runs: a smoke run")
    ap.add_argument("--only", default=",".join(MODULES), help=f"modules to run, of {', '.join(MODULES)}")
    ap.add_argument("--render", type=Path, help="print the tables of a saved JSON result and exit")
    ap.add_argument("--update", action="store_true",
                    help="keep the figures already in the results file and replace only those measured now")
    ap.add_argument("--name", default="latest",
                    help="results file name in benchmarks/results/ (default latest: latest.json)")
    args = ap.parse_args(argv)
    if args.render:
        print(render(json.loads(args.render.read_text("utf-8"))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    runs = args.runs
    if args.quick:
        sizes, runs = [1000], 2
    modules = tuple(m.strip() for m in args.only.split(",") if m.strip())
    unknown = set(modules) - set(MODULES)
    if unknown:
        ap.error(f"unknown modules: {', '.join(sorted(unknown))}")
    report = run(sizes, runs, modules, args.build_runs, args.name)
    if args.update and (RESULTS / f"{args.name}.json").exists():
        report = merge(json.loads((RESULTS / f"{args.name}.json").read_text("utf-8")), report)
    path = save(report, name=args.name)
    print(render(report))
    log(f"saved {RESULTS / (args.name + '.json')} and {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
