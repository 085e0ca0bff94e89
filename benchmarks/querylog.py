"""The query log's cost: search latency with the log on and off, side by side in one run.

Two real servers (`kb serve`) over the same index of data/, one with KB_QUERY_LOG=off, one
writing a log under a temporary directory; the same search page and API requests go to each in
turn over one keep-alive connection per server (interleaved, so both see the same machine
noise). Also the cost of one ``Recorder.search`` call in this process.

    python -m benchmarks.querylog [--rounds 20]

Results: a table on stdout, JSON in benchmarks/results/querylog-latest.json.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from .common import RESULTS, kb_command, log, machine, summary_ms, table
from .load import HOST, _free_port, _stop, _wait_ready, index_for
from .searching import QUERY_MIX


def start(index: Path, query_log: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["KB_QUERY_LOG"] = query_log
    proc = subprocess.Popen([*kb_command(), "serve", "--port", str(port), "--index", str(index)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    _wait_ready(port, proc)
    return proc, port


def paths() -> list[str]:
    out = []
    for q in QUERY_MIX:
        out += [f"/ru/search?q={quote(q.text)}", f"/api/search?q={quote(q.text)}"]
    return out


def timed_get(conn: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    assert response.status == 200, (path, response.status)
    return time.perf_counter() - started


def recorder_call_us(directory: Path, calls: int = 20_000) -> float:
    from querylog import Recorder

    recorder = Recorder(directory / "calls.sqlite3", max_pending=calls + 1)
    started = time.perf_counter()
    for n in range(calls):
        recorder.search(f"лечение морщин вокруг глаз {n % 300}", "ru", n % 5)
    elapsed = time.perf_counter() - started
    recorder.close()
    return elapsed / calls * 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    index = index_for("data")
    with tempfile.TemporaryDirectory(prefix="kb-querylog-bench-") as tmp:
        servers = {"off": start(index, "off"), "on": start(index, str(Path(tmp) / "q.sqlite3"))}
        try:
            conns = {k: http.client.HTTPConnection(HOST, port, timeout=60)
                     for k, (_, port) in servers.items()}
            samples: dict[str, list[float]] = {"off": [], "on": []}
            for path in paths():  # warm-up: caches, morphology
                for key in conns:
                    timed_get(conns[key], path)
            log(f"{args.rounds} rounds of {len(paths())} requests to each server")
            for n in range(args.rounds):
                order = ("off", "on") if n % 2 == 0 else ("on", "off")
                for path in paths():
                    for key in order:
                        samples[key].append(timed_get(conns[key], path))
            call_us = recorder_call_us(Path(tmp))
        finally:
            for proc, _ in servers.values():
                _stop(proc)
    result = {"machine": machine(), "rounds": args.rounds,
              "off": summary_ms(samples["off"]), "on": summary_ms(samples["on"]),
              "recorder_search_call_us": round(call_us, 2)}
    result["p50_ratio_on_off"] = round(result["on"]["p50_ms"] / result["off"]["p50_ms"], 3)
    result["mean_ratio_on_off"] = round(statistics.fmean(samples["on"]) /
                                        statistics.fmean(samples["off"]), 3)
    rows = [[key, result[key]["n"], result[key]["p50_ms"], result[key]["p95_ms"],
             result[key]["p99_ms"]] for key in ("off", "on")]
    print(table(rows, ["query log", "requests", "p50 ms", "p95 ms", "p99 ms"]))
    print(f"on/off: p50 x{result['p50_ratio_on_off']}, mean x{result['mean_ratio_on_off']}; "
          f"one Recorder.search call {result['recorder_search_call_us']} µs")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "querylog-latest.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
