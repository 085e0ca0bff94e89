"""Shared helpers: timing, percentiles, machine description, subprocess peak memory, tables."""
from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = ("whoosh3", "pymorphy3", "pymorphy3-dicts-ru", "PyStemmer", "snowballstemmer",
            "tantivy", "Flask", "waitress", "PyYAML", "click")


def workdir() -> Path:
    """Where corpora and indexes are kept between runs ($KB_BENCH_DIR, default /tmp/kb-bench)."""
    path = Path(os.environ.get("KB_BENCH_DIR", "/tmp/kb-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of the samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary_ms(samples_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {"p50_ms": round(percentile(ms, 50), 3), "p95_ms": round(percentile(ms, 95), 3),
            "p99_ms": round(percentile(ms, 99), 3), "mean_ms": round(statistics.fmean(ms), 3),
            "n": len(ms)}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    """a / b rounded, or None."""
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


_TIME = "/usr/bin/time"


def run_with_rusage(cmd: list[str], env: dict | None = None, cwd=None) -> dict:
    """Run a command to its end; wall seconds, status, output files' text and maxrss (MiB).

    The peak memory comes from GNU time when it is installed: a child forked from this (large)
    process would otherwise count this process's memory at the fork in its own maxrss."""
    import tempfile

    wrapped = os.path.exists(_TIME)
    full = [_TIME, "-f", "KB-MAXRSS %M", *cmd] if wrapped else cmd
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        maxrss = usage.ru_maxrss / 1024
        if wrapped:
            head, _, last = stderr.rstrip("\n").rpartition("\n")
            if last.startswith("KB-MAXRSS "):
                maxrss = int(last.split()[1]) / 1024
                lines = head.split("\n") if head else []
                if lines and lines[-1].startswith("Command exited with non-zero status"):
                    lines.pop()
                stderr = "".join(line + "\n" for line in lines)
        return {"seconds": wall, "returncode": proc.returncode,
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": stderr, "maxrss_mib": round(maxrss, 1),
                "user_s": usage.ru_utime, "sys_s": usage.ru_stime}


def dir_size(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, name))
            except OSError:
                pass
    return total


def kb_command() -> list[str]:
    """The `kb` of this interpreter (the console script beside it, as in .venv/bin), else through
    the interpreter; never another `kb` the PATH happens to hold (another checkout's, stale)."""
    script = Path(sys.executable).parent / "kb"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cli"]


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": sys.version.split()[0],
            "implementation": platform.python_implementation(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    info["packages"] = versions
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT,
                                        capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return info


def table(rows: list[list], headers: list[str]) -> str:
    """A plain-text table (also valid Markdown)."""
    cells = [[("" if c is None else _fmt(c)) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    line = lambda row: "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _fmt(value) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
