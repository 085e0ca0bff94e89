"""CPU per request: the load mix's URLs (benchmarks.load.url_mix) answered by the real Flask app
(Flask's test client: no sockets, no HTTP server) in one process; the thread CPU time of each
request (time.thread_time: what the request itself costs, far less sensitive to the neighbours'
load than wall time), by kind of URL (search pages, suggestions, entry pages, the home page).

    python -m benchmarks.requestcpu [--sizes data,10000] [--rounds 15] [--checkouts /work/wt-main0,.]
    python -m benchmarks.requestcpu --sizes 10000 --profile search   # cProfile of this checkout

With several checkouts, each answers the same URLs over the same index in its own process
(CHECKOUT/.venv/bin/python), round after round alternately, so that a neighbour's load falls on
both sides. Per kind: the median over rounds of the kind's mean CPU per request, and the ratio to
the first checkout. Bounded: rounds x URLs requests per checkout; nothing listens on a port.
JSON in benchmarks/results/requestcpu-latest.json.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import PROJECT, RESULTS, log, machine, median, ratio, table
from .load import index_for, url_mix

WORKER = Path(__file__).with_name("requestcpu_worker.py")
KINDS = ("search", "suggest", "entry", "home", "all")


def kind_of(path: str) -> str:
    if "/search?" in path:
        return "search"
    if path.startswith("/api/suggest"):
        return "suggest"
    if path.rstrip("/").count("/") == 1:
        return "home"
    return "entry"


def _interpreter(checkout: Path) -> str:
    venv = checkout / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def start(checkout: Path, index: Path, urls: list[str], querylog: str,
          profile_out: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("KB_INDEX", None)
    cmd = [_interpreter(checkout), "-P", str(WORKER), str(checkout), str(index), querylog, json.dumps(urls)]
    proc = subprocess.Popen([*cmd, *([profile_out] if profile_out else [])], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=str(checkout))
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError(f"{checkout}: the worker did not start ({line!r})")
    return proc


def one_round(proc: subprocess.Popen) -> dict:
    proc.stdin.write("round\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def finish(proc: subprocess.Popen) -> None:
    try:
        proc.stdin.write("quit\n")
        proc.stdin.close()
    except BrokenPipeError:
        pass
    proc.wait(timeout=60)


def per_kind(urls: list[str], rounds: list[dict], key: str = "cpu_ms") -> dict:
    """Median over rounds of each kind's mean per request (and of all URLs: 'all')."""
    out = {}
    for kind in KINDS:
        picked = [i for i, u in enumerate(urls) if kind == "all" or kind_of(u) == kind]
        if picked:
            out[kind] = round(median([statistics.fmean(r[key][i] for i in picked) for r in rounds]), 3)
    return out


def compare(size: str, checkouts: list[Path], rounds: int, querylog_dir: Path) -> dict:
    index = index_for(size)
    urls = url_mix(size)
    procs = [start(c, index, urls, str(querylog_dir / f"queries-{n}.sqlite3"))
             for n, c in enumerate(checkouts)]
    samples = [[] for _ in checkouts]
    try:
        for _ in range(rounds):
            for n, proc in enumerate(procs):
                samples[n].append(one_round(proc))
    finally:
        for proc in procs:
            finish(proc)
    result = {"content": size, "urls": len(urls), "rounds": rounds, "checkouts": []}
    for checkout, rs in zip(checkouts, samples):
        per_url = {u: round(median([r["cpu_ms"][i] for r in rs]), 3) for i, u in enumerate(urls)}
        result["checkouts"].append({
            "checkout": str(checkout), "commit": _commit(checkout),
            "cpu_ms": per_kind(urls, rs), "wall_ms": per_kind(urls, rs, "wall_ms"),
            "process_ms_per_request": round(median([r["process_ms"] for r in rs]) / len(urls), 3),
            "cpu_ms_per_url": per_url})
    return result


def _commit(checkout: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout,
                          capture_output=True, text=True).stdout.strip()


def render(results: list[dict]) -> str:
    rows = []
    for r in results:
        first = r["checkouts"][0]
        for c in r["checkouts"]:
            rows.append([r["content"], f"{Path(c['checkout']).name} {c['commit']}",
                         *(c["cpu_ms"].get(k) for k in KINDS), c["process_ms_per_request"],
                         ratio(c["cpu_ms"]["all"], first["cpu_ms"]["all"])])
    return table(rows, ["content", "checkout", *(f"{k} CPU ms" for k in KINDS),
                        "process CPU ms/req", "all x first"])


def profile(size: str, kind: str, rounds: int, top: int = 60) -> str:
    index = index_for(size)
    urls = [u for u in url_mix(size) if kind == "all" or kind_of(u) == kind]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "profile.prof")
        proc = start(PROJECT, index, urls, os.path.join(tmp, "queries.sqlite3"), out)
        for _ in range(rounds):
            one_round(proc)
        finish(proc)
        buf = io.StringIO()
        stats = pstats.Stats(out, stream=buf)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top // 2)
    text = buf.getvalue().replace(str(PROJECT) + "/", "")
    (RESULTS / "profiles").mkdir(parents=True, exist_ok=True)
    (RESULTS / "profiles" / f"requests-{kind}-{size}.txt").write_text(text, "utf-8")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="CPU per request of the load mix, per kind of URL.")
    ap.add_argument("--sizes", default="data,10000")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--checkouts", default=".", help="comma-separated checkouts (the first is the reference)")
    ap.add_argument("--profile", choices=KINDS, default=None, help="cProfile one kind in this checkout")
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.profile:
        for size in sizes:
            print(profile(size, args.profile, args.rounds))
        return 0
    checkouts = [Path(c).resolve() for c in args.checkouts.split(",") if c.strip()]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for size in sizes:
            log(f"CPU per request at {size}: {len(checkouts)} checkout(s), {args.rounds} rounds")
            results.append(compare(size, checkouts, args.rounds, Path(tmp)))
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(),
              "load_average_before": load_before, "load_average_after": os.getloadavg(),
              "requestcpu": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "requestcpu-latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    print(render(results))
    print(f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
