"""Load: the real server (`kb serve`) on 127.0.0.1 under the real load generator `wrk` (Debian
package), cycling through a mix of search pages in the three languages, as-you-type suggestions
and entry pages. At each size, one process (waitress, 8 threads: `--workers 1`) beside the
pre-fork server (gunicorn, `--workers N`, default one per core), one after the other in the same
run: throughput and p50/p95/p99 latency, errors, the side-by-side ratio, and the serving memory
(every process of the server: RSS and PSS from /proc, per worker and in total).

    python -m benchmarks.load [--sizes data,10000] [--workers 1,2] [--duration 20] [--connections 16]
                              [--checkouts /work/wt-main0,.]

--checkouts runs each checkout's own server (CHECKOUT/.venv/bin/python, its packages) over the
same index, one after the other at each size: side by side in one run. Beside the latency, the
server's CPU time (user + system of all its processes, from /proc, while wrk runs) per request.

Targets (issue 11, 2 cores): workers >= 1.6x the requests/s of one process, p99 <= 100 ms at
data/ and <= 200 ms at 10,000 entries, 0 errors.

Bounded: each run lasts --duration seconds (wrk -d), the server is stopped after it, and every
request goes to 127.0.0.1 only. Results: a table on stdout, JSON in
benchmarks/results/load-latest.json (and a dated copy).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from . import corpus, indexing
from .common import PROJECT, RESULTS, kb_command, log, machine, table, workdir
from .searching import QUERY_MIX

HOST = "127.0.0.1"  # loopback only
SITE = {"ru": "ru", "el": "gr", "it": "it"}

LUA = r"""
local paths = {%(paths)s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("KB-RESULT {\"requests\": %%d, \"duration_us\": %%d, \"bytes\": %%d, " ..
    "\"connect_errors\": %%d, \"read_errors\": %%d, \"write_errors\": %%d, \"status_errors\": %%d, " ..
    "\"timeouts\": %%d, \"p50_us\": %%d, \"p95_us\": %%d, \"p99_us\": %%d, \"max_us\": %%d, \"mean_us\": %%d}\n",
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


def url_mix(size: str) -> list[str]:
    """Search pages (each mix query, on the page of its language), suggestions, entry pages."""
    paths = []
    for q in QUERY_MIX:
        lang = q.lang or _script_lang(q.text)
        params = {"q": q.text}
        if q.field:
            params["field"] = q.field
        if q.in_lang:
            params["in"] = q.in_lang
        paths.append(f"/{SITE[lang]}/search?{urllib.parse.urlencode(params)}")
    for prefix, lang in (("бот", "ru"), ("μεσο", "gr"), ("fil", "it"), ("лаз", "ru")):
        paths.append(f"/api/suggest?{urllib.parse.urlencode({'q': prefix, 'lang': lang})}")
    if size == "data":
        entries = [("botulinum-treatment", "ru"), ("chemical-peels", "gr"), ("dermal-fillers", "it"),
                   ("microneedling", "ru")]
    else:
        n = int(size)
        entries = [corpus.entry_path(i) for i in (0, n // 3 + 1, n // 2 + 2, n - 1)]
    for page_id, lang in entries:
        paths.append(f"/{lang}/{page_id}")
    paths.append("/ru/")
    return paths


def _script_lang(text: str) -> str:
    from kb.languages import detect_language

    return detect_language(text).lang or "it"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kb serve exited with {proc.returncode}: {proc.stderr.read().decode()[-1500:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/ru/", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError("kb serve did not answer in time")


def _memory(pid: int) -> dict:
    """RSS, PSS (shared pages split between the processes sharing them) and peak RSS, in MiB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":", 1)
                out[key.lower() + "_mib"] = round(int(value.split()[0]) / 1024, 1)
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss_mib"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def server_memory(pid: int) -> dict:
    """The server's processes: the master (or the one process) and its workers, and the totals."""
    processes = [pid, *_children(pid)]
    each = {p: _memory(p) for p in processes}
    workers = [each[p] for p in processes[1:]]
    total = lambda key: round(sum(m.get(key, 0) for m in each.values()), 1)
    return {"processes": len(processes), "master": each[pid], "workers": workers,
            "total_rss_mib": total("vmrss_mib"), "total_pss_mib": total("pss_mib"),
            "total_peak_rss_mib": total("vmhwm_mib")}


def index_for(size: str) -> Path:
    if size == "data":
        index = workdir() / "index-data"
        subprocess.run([*kb_command(), "index", str(PROJECT / "data"), "--index", str(index)],
                       check=False, capture_output=True)
        return index
    index = indexing.index_dir(int(size))
    if not (index / "CURRENT").exists():
        log(f"no index of {size} yet: building it")
        indexing.build(int(size))
    return index


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (/proc/PID/stat), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _interpreter(checkout: Path) -> str:
    venv = checkout / ".venv" / "bin" / "python"
    return str(venv) if checkout != PROJECT and venv.exists() else sys.executable


def run_one(size: str, duration: int, connections: int, wrk_threads: int, workers: int,
            server_threads: int | None = None, checkout: Path = PROJECT) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    index = index_for(size)
    paths = url_mix(size)
    port = _free_port()
    env = dict(os.environ)
    env.pop("KB_INDEX", None)
    # `kb serve` through the interpreter from the project directory: the project's own packages
    # come first on sys.path whatever state the editable install's finder is in
    server = subprocess.Popen([_interpreter(checkout), "-c", "import sys; from cli import main; sys.argv[0] = 'kb'; main()",
                               "serve", "--host", HOST, "--port", str(port), "--workers", str(workers),
                               *(["--threads", str(server_threads)] if server_threads else []),
                               "--index", str(index)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                              cwd=str(checkout), start_new_session=True)
    try:
        _wait_ready(port, server)
        statuses = {}
        # every URL answers, and warms what it needs: a few passes on fresh connections, so that
        # each worker process (they take connections as they come) has seen each URL
        for path in paths * (1 if workers == 1 else 3 * workers):
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=60) as r:
                    statuses[path] = max(statuses.get(path, 0), r.status)
            except urllib.error.HTTPError as exc:
                statuses[path] = exc.code
        bad = {p: s for p, s in statuses.items() if s >= 400}
        if bad:
            raise RuntimeError(f"URLs of the mix fail: {bad}")
        before = server_memory(server.pid)
        pids = [server.pid, *_children(server.pid)]
        cpu_before = _cpu_seconds(pids)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
        try:
            cmd = ["wrk", f"-t{wrk_threads}", f"-c{connections}", f"-d{duration}s", "--latency",
                   "--timeout", "10s", "-s", script.name, f"http://{HOST}:{port}"]
            log(f"load at {size}: {' '.join(cmd[:-1])} http://{HOST}:{port}")
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
        finally:
            os.unlink(script.name)
        cpu = _cpu_seconds(pids) - cpu_before
        after = server_memory(server.pid)
        found = re.search(r"KB-RESULT (\{.*\})", done.stdout)
        if not found:
            raise RuntimeError(f"wrk gave no result: {done.stdout[-1000:]} {done.stderr[-1000:]}")
        r = json.loads(found.group(1))
        seconds = r["duration_us"] / 1e6
        errors = sum(r[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
        return {
            "checkout": str(checkout), "commit": _commit(checkout),
            "cpu_ms_per_request": round(cpu * 1000 / max(1, r["requests"]), 2),
            "content": size, "urls": len(paths), "duration_s": round(seconds, 1),
            "connections": connections, "wrk_threads": wrk_threads, "workers": workers,
            "server_threads": server_threads or (8 if workers == 1 else 4),
            "requests": r["requests"], "requests_per_s": round(r["requests"] / seconds, 1),
            "p50_ms": r["p50_us"] / 1000, "p95_ms": r["p95_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "max_ms": r["max_us"] / 1000, "errors": errors, "error_detail": {k: r[k] for k in (
                "connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")},
            "server_memory_before": before, "server_memory_after": after,
            "wrk_output": done.stdout.split("KB-RESULT")[0][-1500:],
        }
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """Stop the server we started (its own process group), politely first."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def _commit(checkout: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True,
                          text=True).stdout.strip()


def render(results: list[dict]) -> str:
    base = {(r["checkout"], r["content"]): r["requests_per_s"] for r in results if r["workers"] == 1}
    rows = []
    for r in results:
        mem = r["server_memory_after"]
        workers = mem["workers"] or [mem["master"]]
        one = base.get((r["checkout"], r["content"]))
        rows.append([f"{Path(r['checkout']).name} {r['commit']}", r["content"],
                     "waitress" if r["workers"] == 1 else "gunicorn", r["workers"],
                     r["server_threads"], r["requests"], r["requests_per_s"],
                     round(r["requests_per_s"] / one, 2) if one else None, r["cpu_ms_per_request"],
                     r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"],
                     max(m.get("vmrss_mib", 0) for m in workers), max(m.get("pss_mib", 0) for m in workers),
                     mem["total_rss_mib"], mem["total_pss_mib"]])
    return table(rows, ["checkout", "content", "server", "workers", "threads each", "requests", "req/s",
                        "x one process", "CPU ms/req", "p50 ms", "p95 ms", "p99 ms", "errors",
                        "RSS per worker MiB", "PSS per worker MiB", "total RSS MiB", "total PSS MiB"])


def verdict(results: list[dict]) -> list[str]:
    """Each size against the targets of issue 11."""
    lines = []
    for r in results:
        if r["workers"] == 1:
            continue
        one = next((o for o in results if o["content"] == r["content"] and o["workers"] == 1
                    and o["checkout"] == r["checkout"]), None)
        ratio = r["requests_per_s"] / one["requests_per_s"] if one else None
        p99_target = 100 if r["content"] == "data" else 200
        lines.append(f"{Path(r['checkout']).name} {r['content']}: {r['workers']} workers {ratio:.2f}x one process (target >= 1.6), "
                     f"p99 {r['p99_ms']:.0f} ms (target <= {p99_target}), errors {r['errors']}"
                     if ratio else f"{r['content']}: no one-process run to compare")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Load benchmark: kb serve under wrk, loopback only.")
    ap.add_argument("--sizes", default="data,10000", help="'data' (the default content) and/or entry counts")
    ap.add_argument("--duration", type=int, default=20, help="seconds of load per size (wrk -d)")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--workers", default=f"1,{_cores()}",
                    help="server processes to compare, one run each (1 = one waitress process)")
    ap.add_argument("--server-threads", type=int, default=None,
                    help="threads per process (kb serve --threads; default 8 for one, 4 per worker)")
    ap.add_argument("--checkouts", default=".",
                    help="comma-separated checkouts whose servers run one after the other (each its .venv)")
    args = ap.parse_args(argv)
    checkouts = [Path(c).resolve() for c in args.checkouts.split(",") if c.strip()]
    load_before, results = os.getloadavg(), []
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        for checkout in checkouts:
            for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
                results.append(run_one(size, args.duration, args.connections, args.threads, workers,
                                       args.server_threads, checkout))
                results[-1]["load_average_after"] = os.getloadavg()
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(),
              "load_average_before": load_before, "load": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (RESULTS / "load-latest.json").write_text(text, "utf-8")
    (RESULTS / f"load-{time.strftime('%Y-%m-%d-%H%M%S')}.json").write_text(text, "utf-8")
    print(render(results))
    for line in verdict(results):
        print(line)
    print(f"load average {load_before[0]:.1f} before, " +
          ", ".join(f"{r['load_average_after'][0]:.1f}" for r in results) + " after each run")
    return 0


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
