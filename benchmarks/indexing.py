"""Indexing: a full build of N generated entries (`kb index --full` as a fresh process), entries/s,
size on disk and peak memory; then one changed file re-indexed (`kb index`, incremental).

    python -m benchmarks.indexing [--entries 10000] [--workers 1,2] [--runs 3]

compares full builds with each KB_BUILD_WORKERS value in one run (builds alternate between the
values, so a neighbour's load falls on both sides): median entries/s per value and the ratio to
the first value; JSON in benchmarks/results/build-workers-<entries>.json (and a dated copy)."""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import time
from pathlib import Path

from . import corpus
from .common import RESULTS, dir_size, kb_command, log, machine, median, ratio, run_with_rusage, table, workdir


def corpus_dir(size: int, seed: int = 1) -> Path:
    return corpus.generate(workdir() / f"corpus-{size}", size, seed)


def index_dir(size: int) -> Path:
    return workdir() / f"index-{size}"


def _env(workers: int | None = None) -> dict:
    env = dict(os.environ)
    env.pop("KB_INDEX", None)
    env.pop("KB_CONTENT", None)
    if workers is not None:
        env["KB_BUILD_WORKERS"] = str(workers)
    return env


def build(size: int, index: Path | None = None, workers: int | None = None) -> dict:
    """One full build into ``index`` (default: the size's index, kept for the other benchmarks),
    with ``workers`` analysing processes (default: KB_BUILD_WORKERS as set, else the cores)."""
    content = corpus_dir(size)
    index = index or index_dir(size)
    shutil.rmtree(index, ignore_errors=True)
    result = run_with_rusage([*kb_command(), "index", str(content), "--index", str(index), "--full"],
                             env=_env(workers))
    if result["returncode"] not in (0, 3):
        raise RuntimeError(f"kb index failed: {result['stderr'][-2000:]}")
    reported = re.search(r"in ([\d.]+) s", result["stdout"])
    return {"seconds": result["seconds"], "build_seconds": float(reported.group(1)) if reported else None,
            "maxrss_mib": result["maxrss_mib"], "size_mib": live_size_mib(index)}


def reindex_one(size: int, rounds: int = 3) -> dict:
    """Change one file (append a sentence) and bring the index up to date, ``rounds`` times."""
    content = corpus_dir(size)
    index = index_dir(size)
    page_id, lang = corpus.entry_path(size // 2)
    path = content / page_id / f"{lang}.md"
    original = path.read_text("utf-8")
    walls, inner = [], []
    try:
        for n in range(rounds):
            path.write_text(original + f"\nДобавлено {n}. Aggiunto {n}. Προστέθηκε {n}.\n", "utf-8")
            result = run_with_rusage([*kb_command(), "index", str(content), "--index", str(index)],
                                     env=_env())
            if result["returncode"] not in (0, 3) or "1 updated" not in result["stdout"]:
                raise RuntimeError(f"re-index did not update one file: {result['stdout']} {result['stderr'][-500:]}")
            walls.append(result["seconds"])
            reported = re.search(r"in ([\d.]+) s", result["stdout"])
            inner.append(float(reported.group(1)) if reported else None)
    finally:
        path.write_text(original, "utf-8")
        run_with_rusage([*kb_command(), "index", str(content), "--index", str(index)], env=_env())
    return {"process_seconds": median(walls), "update_seconds": median(inner), "rounds": rounds}


def measure(size: int, runs: int) -> dict:
    builds = []
    for n in range(runs):
        log(f"indexing {size}: full build {n + 1}/{runs}")
        builds.append(build(size))
    seconds = median([b["seconds"] for b in builds])
    log(f"indexing {size}: one changed file")
    re_one = reindex_one(size)
    return {
        "entries": size,
        "runs": runs,
        "full_build_seconds": round(seconds, 2),
        "entries_per_second": round(size / seconds, 1),
        "index_size_mib": builds[-1]["size_mib"],
        "peak_memory_mib": median([b["maxrss_mib"] for b in builds]),
        "reindex_one_process_seconds": round(re_one["process_seconds"], 3),
        "reindex_one_update_seconds": re_one["update_seconds"],
        "builds": builds,
    }


def live_size_mib(index: Path) -> float:
    """Size on disk of the live generation (the one CURRENT names; the previous one is kept)."""
    try:
        gen = index / (index / "CURRENT").read_text("utf-8").strip()
    except OSError:
        gen = index
    return round(dir_size(gen) / 2**20, 1)


def measure_reindex(size: int) -> dict:
    """One changed file re-indexed, on the size's existing index (no full build)."""
    re_ = reindex_one(size)
    return {"entries": size, "index_size_mib": live_size_mib(index_dir(size)),
            "reindex_one_process_seconds": round(re_["process_seconds"], 3),
            "reindex_one_update_seconds": re_["update_seconds"]}


def compare_workers(size: int, workers: list[int], runs: int) -> dict:
    """Full builds of ``size`` entries with each number of workers, alternating, ``runs`` each."""
    builds: dict[int, list[dict]] = {w: [] for w in workers}
    for n in range(runs):
        for w in workers:
            log(f"indexing {size}: full build with {w} worker(s), {n + 1}/{runs}")
            builds[w].append(build(size, workdir() / f"index-{size}-workers", workers=w))
    first = workers[0]
    out = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "entries": size,
           "runs": runs, "workers": {}}
    for w in workers:
        seconds = median([b["seconds"] for b in builds[w]])
        out["workers"][str(w)] = {
            "full_build_seconds": round(seconds, 2), "entries_per_second": round(size / seconds, 1),
            "peak_memory_mib": median([b["maxrss_mib"] for b in builds[w]]),
            "speedup": ratio(median([b["seconds"] for b in builds[first]]), seconds), "builds": builds[w]}
    return out


def render_workers(result: dict) -> str:
    rows = [[w, r["full_build_seconds"], r["entries_per_second"], r["speedup"], r["peak_memory_mib"]]
            for w, r in result["workers"].items()]
    return (f"{result['date']}, {result['entries']} entries, median of {result['runs']} full builds each "
            f"({result['machine'].get('nproc')} cores)\n"
            + table(rows, ["workers", "s", "entries/s", f"x vs {next(iter(result['workers']))}", "peak MiB"]))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Full builds with different numbers of build workers.")
    ap.add_argument("--entries", type=int, default=10000, help="generated entries (default 10000)")
    ap.add_argument("--workers", default="1,2", help="comma-separated KB_BUILD_WORKERS values (default 1,2)")
    ap.add_argument("--runs", type=int, default=3, help="full builds per value; medians are reported")
    args = ap.parse_args(argv)
    result = compare_workers(args.entries, [int(w) for w in args.workers.split(",")], args.runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    (RESULTS / f"build-workers-{args.entries}.json").write_text(text, "utf-8")
    (RESULTS / f"build-workers-{args.entries}-{time.strftime('%Y-%m-%d-%H%M%S')}.json").write_text(text, "utf-8")
    print(render_workers(result))


if __name__ == "__main__":
    main()
