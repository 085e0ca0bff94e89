"""Readers during writes, and writers against writers, all as real processes.

* `kb search` processes and web requests to a real `kb serve` keep answering, with no error,
  while the index is re-indexed again and again (incremental updates and full rebuilds).
* Two `kb index` at once: the second waits for the lock, or (KB_LOCK_TIMEOUT) refuses with one
  clear line; either way the index ends up matching the content.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time
from urllib.parse import quote

import pytest

from faultkit import (FULL, REPORT, STABLE_PAGE, STABLE_QUERY, STATS, ContentChanges, Server,
                      assert_clean_failure, expected_entries, holds_lock, indexed_entries, popen_kb,
                      run_kb, wait_for)

REINDEXES = 30 if FULL else 6

# Requests whose answer does not depend on the pages the re-indexing edits: each must be a 200.
STABLE_REQUESTS = [
    f"/api/search?q={STABLE_QUERY}",
    f"/ru/search?q={quote('ботулинический токсин')}",
    f"/gr/search?q={quote('αλλαντική τοξίνη')}&in=gr",
    f"/it/search?q={quote('tossina botulinica')}&field=title",
    f"/api/suggest?q={quote('бот')}",
    f"/api/suggest?q={quote('toss')}&lang=it",
    f"/ru/{STABLE_PAGE}",
    f"/gr/{STABLE_PAGE}",
    f"/it/{STABLE_PAGE}",
    f"/api/entries/{STABLE_PAGE}/ru",
    "/ru/",
    "/gr/",
    f"/it/search?q={quote('pelle laser')}",
    f"/api/search?q={quote('проверка1 δοκιμή2 controllo3')}",  # words the edits add and remove
]


def hammer(base_port: int, stop: threading.Event, seen: dict, errors: list, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
    while not stop.is_set():
        path = rng.choice(STABLE_REQUESTS)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
            continue
        seen["web"] = seen.get("web", 0) + 1
        if response.status != 200:
            errors.append(f"{path}: HTTP {response.status}: {body[:300]!r}")
        elif path.startswith("/api/search?q=" + STABLE_QUERY) and json.loads(body)["total"] < 1:
            errors.append(f"{path}: no results")
    conn.close()


def cli_searches(index_dir, env, stop: threading.Event, seen: dict, errors: list) -> None:
    while not stop.is_set():
        done = run_kb(["search", STABLE_QUERY, "--json", "--index", index_dir], env, timeout=60)
        seen["cli"] = seen.get("cli", 0) + 1
        if done.returncode != 0 or "Traceback" in done.stderr:
            errors.append(f"kb search: exit {done.returncode}: {done.stderr.strip()}")
        elif json.loads(done.stdout)["total"] < 1:
            errors.append("kb search: no results")


def test_searches_answer_during_reindexes(tmp_path, content, env):
    index_dir = tmp_path / "ix"
    assert run_kb(["index", content, "--index", index_dir], env).returncode == 0
    changes = ContentChanges(content, random.Random(5))
    stop, seen, errors = threading.Event(), {}, []
    with Server(index_dir, env, threads=4) as server:
        workers = [threading.Thread(target=hammer, args=(server.port, stop, seen, errors, i))
                   for i in range(3)]
        workers.append(threading.Thread(target=cli_searches, args=(index_dir, env, stop, seen, errors)))
        for worker in workers:
            worker.start()
        try:
            for n in range(1, REINDEXES + 1):
                changes.change(n)
                full = n % 2 == 0
                done = run_kb(["index", *(["--full"] if full else []), content, "--index", index_dir], env)
                assert done.returncode == 0, done.stderr
        finally:
            time.sleep(0.5)
            stop.set()
            for worker in workers:
                worker.join(60)
        server_err = server.stop()
    assert indexed_entries(index_dir) == expected_entries(content)
    STATS["concurrent: re-indexes while searching"] += REINDEXES
    STATS["concurrent: web requests during re-indexes"] += seen.get("web", 0)
    STATS["concurrent: kb search processes during re-indexes"] += seen.get("cli", 0)
    STATS["concurrent: errors seen"] += len(errors)
    assert not errors, (sorted({e[:80] for e in errors})[:10], server_err[-6000:])
    assert "Traceback" not in server_err and "unexpected error" not in server_err, server_err[-6000:]
    assert seen.get("web", 0) >= 10 * REINDEXES and seen.get("cli", 0) >= 2, seen


def hold_lock_stopped(index_dir, content, env, attempts: int = 5):
    """A real `kb index --full`, stopped (SIGSTOP) while it holds the index's lock."""
    lock = index_dir / ".lock"
    for _ in range(attempts):
        first = popen_kb(["index", "--full", content, "--index", index_dir], env)
        wait_for(lambda: first.poll() is not None or holds_lock(first.pid, lock), 60, 0.002)
        os.kill(first.pid, signal.SIGSTOP)
        if holds_lock(first.pid, lock):
            return first
        os.kill(first.pid, signal.SIGCONT)  # it finished in between: again
        first.communicate()
    pytest.fail("could not catch `kb index` holding its lock")


def test_second_index_refuses_with_one_line_or_waits(tmp_path, content, env):
    index_dir = tmp_path / "ix"
    assert run_kb(["index", content, "--index", index_dir], env).returncode == 0
    ContentChanges(content, random.Random(7)).change(1)
    first = hold_lock_stopped(index_dir, content, env)
    waiter = None
    try:
        started = time.monotonic()
        refused = run_kb(["index", content, "--index", index_dir], env | {"KB_LOCK_TIMEOUT": "0.5"})
        waited = time.monotonic() - started
        line = assert_clean_failure(refused, 1, "another `kb index` is updating", "waited 0.5 s")
        REPORT.append(f"lock: the second `kb index` said: {line}")
        assert waited >= 0.5
        # readers are not blocked by a writer
        searched = run_kb(["search", STABLE_QUERY, "--index", index_dir], env)
        assert searched.returncode == 0 and "Traceback" not in searched.stderr, searched.stderr
        # with time to wait, a second run waits for the first, then does its own work
        waiter = popen_kb(["index", content, "--index", index_dir], env | {"KB_LOCK_TIMEOUT": "300"})
        time.sleep(1.5)
        assert waiter.poll() is None, waiter.communicate()
    finally:
        os.kill(first.pid, signal.SIGCONT)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    if waiter is not None:
        out, err = waiter.communicate(timeout=120)
        assert waiter.returncode == 0, err
        assert " 0 added, 0 updated, 0 removed," in out, out  # the first had done it all
    assert indexed_entries(index_dir) == expected_entries(content)
    STATS["lock: second runs refused cleanly"] += 1
    STATS["lock: second runs that waited"] += 1


@pytest.mark.parametrize("first_full,second_full", [(True, False), (False, False), (True, True)])
def test_two_index_runs_started_together(tmp_path, content, env, first_full, second_full):
    index_dir = tmp_path / "ix"
    assert run_kb(["index", content, "--index", index_dir], env).returncode == 0
    ContentChanges(content, random.Random(11)).change(2)
    waiting = env | {"KB_LOCK_TIMEOUT": "300"}
    procs = [popen_kb(["index", *(["--full"] if full else []), content, "--index", index_dir], waiting)
             for full in (first_full, second_full)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "Traceback" not in err, err
    assert indexed_entries(index_dir) == expected_entries(content)
    STATS["lock: pairs of simultaneous kb index, both exit 0"] += 1
