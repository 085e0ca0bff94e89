"""The worker of benchmarks.requestcpu, run by a checkout's own interpreter with -P (beside it,
benchmarks/profile.py would shadow the standard library's profile). It imports nothing of the
benchmarks, so that any checkout can run it:

    CHECKOUT/.venv/bin/python requestcpu_worker.py CHECKOUT INDEX QUERYLOG URLS_JSON [PROFILE_OUT]

Answers every URL once (warm), prints "ready", then for each line "round" on stdin answers every
URL once more and prints one JSON line: each URL's thread CPU and wall time in ms, and the
process CPU of the round (the query log's writer thread included). With PROFILE_OUT, the rounds
run under cProfile and the stats are written there on "quit"."""
import cProfile
import json
import sys
import time
from dataclasses import replace
from pathlib import Path


def main() -> None:
    checkout, index, querylog, urls_json = sys.argv[1:5]
    profile_out = sys.argv[5] if len(sys.argv) > 5 else None
    sys.path.insert(0, checkout)
    from kb.config import Settings
    from web import create_app

    import web
    assert Path(web.__file__).resolve().is_relative_to(Path(checkout).resolve()), web.__file__
    settings = replace(Settings.from_env(), index_dir=Path(index), query_log=querylog)
    app = create_app({"SETTINGS": settings})
    client = app.test_client()
    urls = json.loads(urls_json)
    for url in urls:
        response = client.get(url)
        response.get_data()
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    profiler = cProfile.Profile() if profile_out else None
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            break
        cpu, wall = [], []
        process_started = time.process_time()
        if profiler:
            profiler.enable()
        for url in urls:
            started, started_wall = time.thread_time(), time.perf_counter()
            client.get(url).get_data()
            cpu.append((time.thread_time() - started) * 1000)
            wall.append((time.perf_counter() - started_wall) * 1000)
        if profiler:
            profiler.disable()
        process_ms = (time.process_time() - process_started) * 1000
        print(json.dumps({"cpu_ms": cpu, "wall_ms": wall, "process_ms": process_ms}), flush=True)
    if profiler:
        profiler.dump_stats(profile_out)


if __name__ == "__main__":
    main()
