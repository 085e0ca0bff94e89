"""Indexing: a full build of N generated entries (`kb index --full` as a fresh process), entries/s,
size on disk and peak memory; then one changed file re-indexed (`kb index`, incremental).

    python -m benchmarks.indexing [--entries 10000] [--workers 1,2] [--runs 3] [--baseline CHECKOUT]

compares full builds with each KB_BUILD_WORKERS value in one run (builds alternate between the
values, so a neighbour's load falls on both sides): median entries/s per value and the ratio to
the first value; with ``--baseline``, the same builds by another checkout's kb (its own .venv)
alternate with this one's, and the ratio is this checkout's speed over the baseline's at the
same number of workers. Each build also reports the CPU seconds of the `kb index` process
itself ("parent") and of its worker processes, and the load average when it ended (the machine
is shared: CPU seconds are steadier than wall time). JSON in
benchmarks/results/build-workers-<entries>.json (and a dated copy)."""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
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


# `kb` run in a Python that reports, as it exits, its own CPU seconds and its waited-for
# children's (the build workers)
_CPU_WRAPPER = """import atexit, json, resource, sys
def _cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write("KB-CPU " + json.dumps([own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime]) + "\\n")
atexit.register(_cpu)
sys.argv[0] = "kb"
from cli import main
sys.exit(main())
"""


def build(size: int, index: Path | None = None, workers: int | None = None, checkout: Path | None = None) -> dict:
    """One full build into ``index`` (default: the size's index, kept for the other benchmarks),
    with ``workers`` analysing processes (default: KB_BUILD_WORKERS as set, else the cores), by
    this checkout's kb or by ``checkout``'s (its .venv's Python)."""
    content = corpus_dir(size)
    index = index or index_dir(size)
    shutil.rmtree(index, ignore_errors=True)
    python = str(Path(checkout) / ".venv" / "bin" / "python") if checkout else sys.executable
    result = run_with_rusage([python, "-c", _CPU_WRAPPER, "index", str(content), "--index", str(index), "--full"],
                             env=_env(workers), cwd=str(checkout) if checkout else None)
    if result["returncode"] not in (0, 3):
        raise RuntimeError(f"kb index failed: {result['stderr'][-2000:]}")
    reported = re.search(r"in ([\d.]+) s", result["stdout"])
    cpu = re.search(r"KB-CPU \[([\d.]+), ([\d.]+)\]", result["stderr"])
    return {"seconds": result["seconds"], "build_seconds": float(reported.group(1)) if reported else None,
            "parent_cpu_seconds": round(float(cpu.group(1)), 1) if cpu else None,
            "workers_cpu_seconds": round(float(cpu.group(2)), 1) if cpu else None,
            "load_average": round(os.getloadavg()[0], 2),
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


def compare_workers(size: int, workers: list[int], runs: int, baseline: Path | None = None) -> dict:
    """Full builds of ``size`` entries with each number of workers, alternating, ``runs`` each
    (and by the baseline checkout's kb beside each, when given)."""
    sides = [("this", None)] + ([("baseline", Path(baseline))] if baseline else [])
    builds: dict[tuple[str, int], list[dict]] = {(side, w): [] for side, _ in sides for w in workers}
    for n in range(runs):
        for w in workers:
            for side, checkout in sides:
                log(f"indexing {size}: full build ({side}) with {w} worker(s), {n + 1}/{runs}")
                builds[(side, w)].append(build(size, workdir() / f"index-{size}-workers-{side}", w, checkout))
    first = workers[0]
    out = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "entries": size,
           "runs": runs, "baseline": str(baseline) if baseline else None, "workers": {}}
    for side, _ in sides:
        for w in workers:
            done = builds[(side, w)]
            seconds = median([b["seconds"] for b in done])
            row = {
                "full_build_seconds": round(seconds, 2), "entries_per_second": round(size / seconds, 1),
                "parent_cpu_seconds": median([b["parent_cpu_seconds"] or 0 for b in done]),
                "workers_cpu_seconds": median([b["workers_cpu_seconds"] or 0 for b in done]),
                "peak_memory_mib": median([b["maxrss_mib"] for b in done]),
                "speedup": ratio(median([b["seconds"] for b in builds[(side, first)]]), seconds),
                "builds": done}
            if baseline and side == "this":
                row["x_baseline"] = ratio(median([b["seconds"] for b in builds[("baseline", w)]]), seconds)
            out["workers"][str(w) if side == "this" else f"{w} (baseline)"] = row
    return out


def render_workers(result: dict) -> str:
    rows = [[w, r["full_build_seconds"], r["entries_per_second"], r["speedup"], r.get("x_baseline", ""),
             r.get("parent_cpu_seconds"), r.get("workers_cpu_seconds"), r["peak_memory_mib"],
             " / ".join(str(b.get("load_average")) for b in r["builds"])]
            for w, r in result["workers"].items()]
    first = next(iter(result["workers"]))
    return (f"{result['date']}, {result['entries']} entries, median of {result['runs']} full builds each "
            f"({result['machine'].get('nproc')} cores)" +
            (f", baseline {result['baseline']}" if result.get("baseline") else "") + "\n"
            + table(rows, ["workers", "s", "entries/s", f"x vs {first}", "x baseline", "parent CPU s",
                           "workers CPU s", "peak MiB", "load at end"]))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Full builds with different numbers of build workers.")
    ap.add_argument("--entries", type=int, default=10000, help="generated entries (default 10000)")
    ap.add_argument("--workers", default="1,2", help="comma-separated KB_BUILD_WORKERS values (default 1,2)")
    ap.add_argument("--runs", type=int, default=3, help="full builds per value; medians are reported")
    ap.add_argument("--baseline", type=Path, help="another checkout (with its .venv) whose builds alternate with these")
    args = ap.parse_args(argv)
    result = compare_workers(args.entries, [int(w) for w in args.workers.split(",")], args.runs, args.baseline)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    (RESULTS / f"build-workers-{args.entries}.json").write_text(text, "utf-8")
    (RESULTS / f"build-workers-{args.entries}-{time.strftime('%Y-%m-%d-%H%M%S')}.json").write_text(text, "utf-8")
    print(render_workers(result))


if __name__ == "__main__":
    main()
