"""Cold start: `kb search` end to end as a fresh process (median of several runs), and one run
under ``python -X importtime`` to see which imports dominate."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .common import kb_command, median, run_with_rusage

COLD_QUERIES = ("ботокс", "rughe", "ακμή")


def measure(index: Path, runs: int) -> dict:
    env = dict(os.environ)
    out = {}
    for query in COLD_QUERIES:
        walls, rss = [], []
        for _ in range(runs):
            r = run_with_rusage([*kb_command(), "search", query, "--index", str(index)], env=env)
            if r["returncode"] != 0:
                raise RuntimeError(f"kb search failed: {r['stderr'][-1000:]}")
            walls.append(r["seconds"])
            rss.append(r["maxrss_mib"])
        out[query] = {"seconds": round(median(walls), 3), "maxrss_mib": median(rss)}
    out["median_seconds"] = round(median([v["seconds"] for v in out.values()]), 3)
    # the interpreter alone, for scale
    walls = [run_with_rusage([sys.executable, "-c", "pass"])["seconds"] for _ in range(runs)]
    out["python_startup_seconds"] = round(median(walls), 3)
    out["imports"] = importtime(index)
    return out


def importtime(index: Path, top: int = 12) -> dict:
    """`kb search` under -X importtime: total import time and the heaviest top-level imports."""
    script = ("import sys; from cli import main; "
              f"sys.argv = ['kb', 'search', {COLD_QUERIES[0]!r}, '--index', {str(index)!r}]; main()")
    r = run_with_rusage([sys.executable, "-X", "importtime", "-c", script])
    rows = []
    for line in r["stderr"].splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    top_level = [(c, name) for c, depth, name in rows if depth <= 1]
    heaviest = sorted(rows, reverse=True)[:top]
    return {
        "total_ms": round(sum(c for c, _ in top_level) / 1000, 1),
        "top_level_ms": {name: round(c / 1000, 1) for c, name in sorted(top_level, reverse=True)[:top]},
        "heaviest_ms": {name: round(c / 1000, 1) for c, _, name in heaviest},
        "loaded": sorted({name.split(".")[0] for _, _, name in rows}),
    }
