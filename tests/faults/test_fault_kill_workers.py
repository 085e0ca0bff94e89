"""A `kb index` killed with SIGKILL while its worker processes analyse files leaves no worker
behind: they die with it (and with them the copies of the index lock they inherited), so the
next `kb index` runs at once and completes."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from faultkit import enlarge, expected_entries, indexed_entries, popen_kb, run_kb, wait_for

COPIES = 6  # data/ seven times over: a rebuild long enough to kill while the workers run


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (a dead orphan may wait for a reaper that never comes)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_sigkill_of_kb_index_leaves_no_worker_running(tmp_path, content, env):
    enlarge(content, COPIES)
    index_dir = tmp_path / "ix"
    proc = popen_kb(["index", "--full", content, "--index", index_dir], {**env, "KB_BUILD_WORKERS": "2"})
    workers: set[int] = set()

    def two_workers():
        workers.update(children(proc.pid))
        return proc.poll() is not None or len(workers) >= 2

    assert wait_for(two_workers, 60, 0.005)
    assert proc.poll() is None, "the build ended before its workers were seen"
    time.sleep(0.3)  # well into the analysis
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert wait_for(lambda: not any(running(pid) for pid in workers), 10, 0.02), \
        f"workers still running after the parent's SIGKILL: {sorted(p for p in workers if running(p))}"
    started = time.monotonic()
    completed = run_kb(["index", "--full", content, "--index", index_dir], {**env, "KB_LOCK_TIMEOUT": "5"})
    assert completed.returncode == 0, (completed.stdout, completed.stderr)
    assert time.monotonic() - started < 120
    assert indexed_entries(index_dir) == expected_entries(content)
