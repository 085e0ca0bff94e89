"""`kb index` killed with SIGKILL at random moments never leaves a broken index.

Between kills the content changes (files edited, added, deleted) and runs alternate between
incremental updates and full rebuilds (`--full`). After every kill the index opens and answers,
and it holds exactly one of the states the content had since the last completed run: per file
the old or the new text, never a mixture, never a duplicate, never a half-written entry. The
next `kb index` completes with exit 0 and matches the content.

Default: 12 kills (CI); KB_FULL=1: 100 (KB_KILLS=n overrides both; KB_SEED=n replays a run).
Runs that finish before their kill land are not counted: the loop goes on until that many kills.
"""
from __future__ import annotations

import os
import random
import time
from pathlib import Path

from faultkit import (FULL, REPORT, STABLE_PAGE, STABLE_QUERY, STATS, ContentChanges, enlarge, expected_entries,
                      holds_lock, indexed_entries, open_paths, popen_kb, run_kb, wait_for)

ROUNDS = int(os.environ.get("KB_KILLS") or (100 if FULL else 12))
COPIES = 2  # the content three times over: ~100 entries

def timed_run(args, env, lock: Path) -> tuple[float, float]:
    """(seconds until it held the lock, seconds until it ended) for one uninterrupted run."""
    started = time.monotonic()
    proc = popen_kb(args, env)
    wait_for(lambda: proc.poll() is not None or holds_lock(proc.pid, lock), 60, 0.005)
    locked_at = time.monotonic() - started
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    return locked_at, time.monotonic() - started


def check_survivor(index_dir: Path, states: list[dict[str, str]], context: str) -> int:
    """The index opens, answers, and holds exactly one of ``states``; returns which."""
    from indexer.search.results import SearchRequest
    from indexer.search.knowledgebase import KnowledgeBase

    kb = KnowledgeBase.open(index_dir)
    try:
        results = kb.search(SearchRequest(STABLE_QUERY))
        assert results.total >= 1, f"{context}: the stable page is not found"
        got = indexed_entries(index_dir)
        for entry_id in set().union(got, *states):
            allowed = {state.get(entry_id) for state in states}
            assert got.get(entry_id) in allowed, (
                f"{context}: {entry_id!r} holds neither an old nor the new text")
            if entry_id in got:  # what the index says it holds is what it serves
                assert kb.entry(entry_id).body == got[entry_id], f"{context}: {entry_id!r} reads differently"
        matches = [i for i, state in enumerate(states) if state == got]
        assert matches, f"{context}: a mixture of states ({len(got)} entries)"
        return matches[-1]
    finally:
        kb.close()


def test_sigkill_during_index_never_breaks_it(tmp_path, content, env):
    seed = int(os.environ.get("KB_SEED") or random.SystemRandom().randrange(1 << 30))
    rng = random.Random(seed)
    index_dir, lock = tmp_path / "ix", tmp_path / "ix" / ".lock"
    context = f"(KB_SEED={seed})"

    enlarge(content, COPIES, keep=(STABLE_PAGE,))
    full_lock, full_end = timed_run(["index", "--full", content, "--index", index_dir], env, lock)
    changes = ContentChanges(content, rng)
    changes.change(0)
    incr_lock, incr_end = timed_run(["index", content, "--index", index_dir], env, lock)
    states = [expected_entries(content)]  # every state the index may hold now; [0] the oldest
    assert indexed_entries(index_dir) == states[0]

    # when a run takes the lock and when it ends, from spawn: measured, then kept up to date
    # with the runs that end on their own (the machine's load changes)
    spans = {"incremental": [incr_lock, incr_end], "full": [full_lock, full_end]}

    def observe(mode, seconds):
        spans[mode][1] = max(spans[mode][0] + 0.05, (spans[mode][1] + seconds) / 2)

    kills = {"incremental": 0, "full": 0}
    locked_kills = {"incremental": 0, "full": 0}
    finished_first = completions = 0
    n = 0
    while kills["incremental"] + kills["full"] < ROUNDS:  # kills, not attempts: some runs finish first
        n += 1
        assert n <= 3 * ROUNDS, (f"the kills keep missing: {kills}, {finished_first} finished first", context)
        done = changes.change(n)
        states.append(expected_entries(content))
        mode = "full" if n % 2 == 0 else "incremental"  # each kind gets about half the kills
        lock_at, end = spans[mode]
        args = ["index", *(["--full"] if mode == "full" else []), content, "--index", index_dir]
        started = time.monotonic()
        proc = popen_kb(args, env)
        if rng.random() < 0.67:  # a random moment while it holds the lock (updating)
            wait_for(lambda: proc.poll() is not None or holds_lock(proc.pid, lock), 60, 0.005)
            time.sleep(rng.uniform(0, (end - lock_at) * 1.1))
        else:  # a random moment of its whole life
            time.sleep(rng.uniform(0, end * 1.1))
        locked = holds_lock(proc.pid, lock)
        in_generation = any("/gen-" in p for p in open_paths(proc.pid))
        proc.kill()
        proc.communicate()
        if proc.returncode != -9:
            finished_first += 1
            assert proc.returncode == 0, (proc.returncode, context)
            observe(mode, time.monotonic() - started)
        else:
            kills[mode] += 1
            locked_kills[mode] += locked
            STATS["kill: landed with a generation's files open"] += in_generation
        which = check_survivor(index_dir, states, f"round {n} {mode} {done} {context}")
        states = states[which:]  # the index never goes back to a state older than it holds
        if rng.random() < 0.5:  # else the next run is killed too
            started = time.monotonic()
            completed = run_kb(["index", content, "--index", index_dir], env)
            observe("incremental", time.monotonic() - started)
            assert completed.returncode == 0, (completed.stdout, completed.stderr, context)
            assert indexed_entries(index_dir) == states[-1], f"round {n}: completed run {context}"
            states = states[-1:]
            completions += 1

    rebuilt = run_kb(["index", "--full", content, "--index", index_dir], env)
    assert rebuilt.returncode == 0, (rebuilt.stdout, rebuilt.stderr, context)
    assert indexed_entries(index_dir) == states[-1] == expected_entries(content)
    generations = sorted(p.name for p in index_dir.glob("gen-*"))
    assert len(generations) <= 2, generations  # a rebuild clears what killed rebuilds left
    again = run_kb(["index", content, "--index", index_dir], env)
    assert again.returncode == 0 and " 0 added, 0 updated, 0 removed," in again.stdout, again.stdout

    total = kills["incremental"] + kills["full"]
    assert total == ROUNDS
    STATS["kill: SIGKILLs survived"] += total
    STATS["kill: during incremental update (lock held)"] += locked_kills["incremental"]
    STATS["kill: during full rebuild (lock held)"] += locked_kills["full"]
    STATS["kill: runs that finished before the kill"] += finished_first
    STATS["kill: completing runs, exit 0"] += completions + 2
    REPORT.append(f"kill: seed {seed}; {total} kills in {n} runs (incremental {kills['incremental']}, "
                  f"full {kills['full']}); lock taken at {incr_lock:.2f}/{full_lock:.2f} s, "
                  f"runs end at {spans['incremental'][1]:.2f}/{spans['full'][1]:.2f} s (incremental/full)")
    # the kills must really land while the index is being written, in both kinds of run
    assert locked_kills["incremental"] >= 1 and locked_kills["full"] >= 1, (locked_kills, context)
    assert sum(locked_kills.values()) >= ROUNDS // 3, (locked_kills, finished_first, context)
