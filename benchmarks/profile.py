"""Profiles of the hot paths, saved as text beside the results.

    python -m benchmarks.profile search --size 10000 [--seconds 30] [--facets]
    python -m benchmarks.profile build --size 1000

Uses py-spy (sampling, low overhead: `pip install py-spy`) when it is installed, cProfile
otherwise. The report lists functions by inclusive and by own share of the samples
(benchmarks/results/profiles/<what>-<size>.txt).
"""
from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import indexing
from .common import PROJECT, RESULTS, kb_command, workdir

_SEARCH_LOOP = """
import sys, time
sys.path.insert(0, {project!r})
from benchmarks.searching import QUERY_MIX, request_for
from indexer.search.knowledgebase import KnowledgeBase
kb = KnowledgeBase.open({index!r})
for q in QUERY_MIX:
    kb.search(request_for(q, {facets}))
started = time.perf_counter()
while time.perf_counter() - started < {seconds}:
    for q in QUERY_MIX:
        kb.search(request_for(q, {facets}))
"""


def summarize_raw(raw: Path, top: int = 45) -> str:
    """py-spy's raw (collapsed stacks) output as inclusive and own shares per function."""
    inclusive, own = collections.Counter(), collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [re.sub(r":\d+\)$", ")", re.sub(r"\(/\S*?/(site-packages|python3\.\d+)/", "(", f))
                  for f in stack.split(";")]
        frames = [re.sub(r"\(" + re.escape(str(PROJECT)) + "/", "(", f) for f in frames]
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)
              if "frozen" not in f]
    lines += ["", "own:"]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top // 2)]
    return "\n".join(lines)


def profile_command(cmd: list[str], name: str) -> str:
    out_dir = RESULTS / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    if shutil.which("py-spy"):
        raw = Path(tempfile.mkstemp(suffix=".txt")[1])
        subprocess.run(["py-spy", "record", "-r", "200", "-f", "raw", "-o", str(raw), "--", *cmd],
                       capture_output=True, check=False)
        text = f"py-spy, 200 Hz: {' '.join(cmd)}\n\n" + summarize_raw(raw)
        raw.unlink()
    else:
        stats = Path(tempfile.mkstemp(suffix=".prof")[1])
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), *cmd[1:]] if cmd[0] == sys.executable
                       else [sys.executable, "-m", "cProfile", "-o", str(stats), shutil.which(cmd[0]), *cmd[1:]],
                       capture_output=True, check=False)
        import io
        import pstats

        buf = io.StringIO()
        pstats.Stats(str(stats), stream=buf).sort_stats("cumulative").print_stats(45)
        text = f"cProfile: {' '.join(cmd)}\n\n" + buf.getvalue()
        stats.unlink()
    (out_dir / f"{name}.txt").write_text(text, "utf-8")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Profile the search path or a full build.")
    ap.add_argument("what", choices=("search", "build"))
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--facets", action="store_true", help="search with facets (as the web pages do)")
    args = ap.parse_args(argv)
    if args.what == "search":
        index = indexing.index_dir(args.size)
        if not (index / "CURRENT").exists():
            indexing.build(args.size)
        script = _SEARCH_LOOP.format(project=str(PROJECT), index=str(index), facets=args.facets,
                                     seconds=args.seconds)
        name = f"search{'-facets' if args.facets else ''}-{args.size}"
        print(profile_command([sys.executable, "-c", script], name))
    else:
        content = indexing.corpus_dir(args.size)
        index = workdir() / f"profile-index-{args.size}"
        shutil.rmtree(index, ignore_errors=True)
        print(profile_command([*kb_command(), "index", str(content), "--index", str(index), "--full"],
                              f"build-{args.size}"))
        shutil.rmtree(index, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
