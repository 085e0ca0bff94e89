"""The real server under load: `kb serve` on loopback, driven by wrk with a Lua script that
mixes searches (pages and API, three languages, filters, typos), as-you-type suggestions and
entry pages, from concurrent connections.

Held: zero non-2xx/3xx responses and zero socket errors in every run; p99 latency printed;
memory flat: the server's RSS after the third run within +15% of its RSS after the first.
Default: three 4-second runs, after 2-second warm-up runs until the RSS settles; KB_FULL=1: three
60-second runs (KB_LOAD_SECONDS=n overrides both).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from urllib.parse import quote

import pytest

from faultkit import FULL, REPORT, STATS, Server, server_rss_kib

SECONDS = int(os.environ.get("KB_LOAD_SECONDS") or (60 if FULL else 4))
RUNS = 3
WARM_SECONDS, WARM_RUNS, WARM_SETTLED = 2, 5, 1.05
CONNECTIONS, THREADS = 16, 2

SEARCHES = ["ботокс", "ботулинический токсин", "лазерная эпиляция", "пилинг лица", "гипергидроз",
            "морщины вокруг глаз", "ботокс", "μπότοξ", "αποτρίχωση λέιζερ", "χημικό πίλινγκ", "ρυτίδες",
            "tossina botulinica", "epilazione laser", "peeling chimico", "rughe", "botox", "PRP",
            "ботакс", "λειζερ", "trattamento viso", '"ботулинический токсин"']
PREFIXES = ["бо", "бот", "лаз", "пил", "мез", "μπ", "λέι", "πίλ", "bo", "las", "toss", "fil", "pe"]

LUA = """
local paths = {%s}
local counter = 1
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end
init = function(args)
  math.randomseed(id * 7919)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def request_mix(index_dir) -> list[str]:
    """About half searches, a quarter suggestions, a quarter entry pages; every one a 200."""
    from indexer.search.knowledgebase import KnowledgeBase
    from kb.config import Settings
    from web import create_app
    from web.urls import entry_url

    kb = KnowledgeBase.open(index_dir)
    try:
        entries = [item for lang in ("ru", "el", "it") for item in kb.catalogue(lang)]
    finally:
        kb.close()
    app = create_app({"SETTINGS": Settings(index_dir=index_dir)})
    with app.test_request_context():
        pages = [entry_url(item.id, item.lang, item.lang_written) for item in entries]
    searches = []
    for i, text in enumerate(SEARCHES):
        q = quote(text)
        lang = ("ru", "gr", "it")[i % 3]
        searches += [f"/{lang}/search?q={q}", f"/api/search?q={q}",
                     f"/{lang}/search?q={q}&in={lang}", f"/api/search?q={q}&facets=false&limit=5"]
        searches.append(f"/{lang}/search?q={q}&field=treatments" if i % 2 else f"/{lang}/search?q={q}&page=2")
    suggestions = [f"/api/suggest?q={quote(p)}" for p in PREFIXES]
    suggestions += [f"/api/suggest?q={quote(p)}&lang=ru" for p in PREFIXES[:6]]
    homes = ["/ru/", "/gr/", "/it/"]
    mix = searches * 2 + suggestions * 3 + pages + homes
    assert len(pages) >= 20 and all(p.startswith("/") for p in mix)
    return mix


def parse_wrk(output: str) -> dict:
    def ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    result = {"requests": int(re.search(r"(\d+) requests in", output).group(1)),
              "non2xx": 0, "socket_errors": 0}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        result[f"p{pct}_ms"] = ms(*match.groups())
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result["non2xx"] = int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        result["socket_errors"] = sum(map(int, match.groups()))
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return result


def run_wrk(url: str, script, seconds: int) -> dict:
    done = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
                           "--latency", "-s", str(script), url],
                          capture_output=True, text=True, timeout=seconds + 60)
    assert done.returncode == 0, done.stderr
    return parse_wrk(done.stdout) | {"output": done.stdout}


def run_measured(server, script, seconds: int) -> dict:
    """One wrk run, then the RSS of the server and its workers once the run's last requests end."""
    result = run_wrk(server.url, script, seconds)
    time.sleep(0.5)
    return result | {"rss_kib": server_rss_kib(server.pid)}


def warm_up(server, script) -> int:
    """Load the server until its memory settles; the number of requests it took.

    Each worker fills its bounded caches (bridges per word, suggestions, entry bodies) and its
    allocator's arenas on its first requests; on a busy machine one warm-up run may reach only one
    worker. So warm runs go on until the RSS of the server and its workers grows by less than
    WARM_SETTLED between two of them (at most WARM_RUNS): what the measured runs then hold flat is
    the steady state, and a leak (growth with every request) still shows in them.
    """
    served, before = 0, server_rss_kib(server.pid)
    for _ in range(WARM_RUNS):
        warm = run_measured(server, script, WARM_SECONDS)
        assert warm["non2xx"] == 0 and warm["socket_errors"] == 0, warm["output"]
        served += warm["requests"]
        if warm["rss_kib"] <= before * WARM_SETTLED:
            break
        before = warm["rss_kib"]
    return served


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (scripts/install-system-deps)")
def test_server_holds_a_mixed_load_with_flat_memory(tmp_path, built_index, env):
    paths = request_mix(built_index)
    script = tmp_path / "mix.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
    with Server(built_index, env) as server:
        warm_requests = warm_up(server, script)
        runs = []
        for n in range(1, RUNS + 1):
            result = run_measured(server, script, SECONDS)
            runs.append(result)
            REPORT.append(f"load run {n}: {result['requests']} requests in {SECONDS} s "
                          f"({result['rps']:.0f}/s, {CONNECTIONS} connections), p50 {result['p50_ms']:.0f} ms, "
                          f"p90 {result['p90_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
                          f"non-2xx {result['non2xx']}, socket errors {result['socket_errors']}, "
                          f"server RSS {result['rss_kib'] / 1024:.1f} MiB")
            print(REPORT[-1])
        err = server.stop()
    STATS["load: requests served"] += sum(r["requests"] for r in runs) + warm_requests
    STATS["load: non-2xx/3xx responses"] += sum(r["non2xx"] for r in runs)
    STATS["load: socket errors"] += sum(r["socket_errors"] for r in runs)
    for result in runs:
        assert result["requests"] > 0
        assert result["non2xx"] == 0, result["output"]
        assert result["socket_errors"] == 0, result["output"]
    assert "Traceback" not in err and "unexpected error" not in err, err[-3000:]
    first, last = runs[0]["rss_kib"], runs[-1]["rss_kib"]
    assert last <= first * 1.15, [r["rss_kib"] for r in runs]
