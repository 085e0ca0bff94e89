"""Search latency with explanations off and on, beside a baseline checkout, in one run.

    python -m benchmarks.explain --index DIR [--index DIR ...] [--baseline CHECKOUT]
                                 [--passes 5] [--rounds 20]

Each configuration (the baseline checkout, explanations off; this checkout, off; this checkout,
on) runs in its own fresh process over the query mix of benchmarks/searching.py (warm: every
query once first, then ``rounds`` times each), one process per configuration per pass, the
configurations' order rotated every pass so that a busy moment of the machine is shared out.
Prints the search path's p50 and p95 per configuration and index, in wall time and in the
thread's CPU time (what the search itself costs when other processes share the cores), and p50
ratios against the first configuration.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from .common import PROJECT, percentile

WORKER = r"""
import json, sys, time
from dataclasses import replace
from indexer.search.knowledgebase import KnowledgeBase
from benchmarks.searching import QUERY_MIX, request_for
index, rounds, explain = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "on"
kb = KnowledgeBase.open(index)
requests = [request_for(q) for q in QUERY_MIX]
if explain:
    requests = [replace(r, explain=True) for r in requests]
for r in requests:
    kb.search(r)
wall, cpu = [], []
for _ in range(rounds):
    for r in requests:
        start, start_cpu = time.perf_counter(), time.thread_time()
        kb.search(r)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
print(json.dumps({"wall": wall, "cpu": cpu}))
"""


def python_of(checkout: Path) -> str:
    own = checkout / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def run_worker(checkout: Path, index: Path, rounds: int, mode: str) -> dict[str, list[float]]:
    out = subprocess.run([python_of(checkout), "-c", WORKER, str(index), str(rounds), mode],
                         cwd=checkout, env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"},
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", action="append", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, help="a checkout without explanations (explain off only)")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    configs = ([("baseline, off", args.baseline, "off")] if args.baseline else []) + [
        ("this, explain off", PROJECT, "off"), ("this, explain on", PROJECT, "on")]
    for index in args.index:
        samples = {name: {"wall": [], "cpu": []} for name, _, _ in configs}
        for p in range(args.passes):
            for name, checkout, mode in configs[p % len(configs):] + configs[:p % len(configs)]:
                for clock, times in run_worker(checkout, index, args.rounds, mode).items():
                    samples[name][clock] += times
        print(f"\n{index}  ({args.passes} passes × {args.rounds} rounds × the query mix)")
        print(f"{'':<20}{'wall p50':>10}{'p95':>8}{'ratio':>7}{'cpu p50':>10}{'p95':>8}{'ratio':>7}{'n':>7}")
        first = {clock: percentile(samples[configs[0][0]][clock], 50) for clock in ("wall", "cpu")}
        for name, _, _ in configs:
            row = f"{name:<20}"
            for clock in ("wall", "cpu"):
                ms = [s * 1000 for s in samples[name][clock]]
                p50 = percentile(ms, 50)
                row += f"{p50:>10.3f}{percentile(ms, 95):>8.3f}{p50 / (first[clock] * 1000):>7.3f}"
            print(row + f"{len(samples[name]['wall']):>7}")


if __name__ == "__main__":
    main()
