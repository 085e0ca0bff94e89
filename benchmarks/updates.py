"""Small updates of a large index: one changed file re-indexed, side by side with a baseline
checkout, and a concept-file edit (a term added, a term removed) re-tagging in place.

    python -m benchmarks.updates [--size 10000] [--rounds 3] [--baseline /work/wt-base]

On the generated corpus of ``--size`` entries (benchmarks.corpus, kept in $KB_BENCH_DIR), each
checkout has its own index (built with its own `kb` when missing). Figures, medians of
``--rounds``, each `kb index` a fresh process ("process", wall) and what it reports ("update"):
- one file, text: a sentence appended to one page (its aligned items unchanged);
- one file, name: one treatment of that page renamed (its page_id group is aligned again);
- concept edit: a term added to one concept of a copy of data/concepts (one many pages hold, one
  no page holds), a term removed, each undone after it; the copy named by KB_CONCEPTS; each
  checkout re-tags its own index in place (``--no-baseline-concepts`` for a baseline without
  in-place re-tagging, which would rebuild the whole index).
Rounds of the checkouts alternate (and which goes first), so both see the same machine load;
each run also records its CPU time (user + system, its worker processes included) and the
1-minute load average when it started. ``--only files|concepts`` runs one half.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from . import corpus
from .common import machine, median, run_with_rusage, workdir

ROOT = Path(__file__).resolve().parents[1]
# concept-file edits of skin.toml's [acne]: a term whose words many generated pages have, a term
# no page has (what an edit costs in itself), and a term removed
EDITS = (("term added", ('ru = ["акне", ', 'ru = ["акне", "рубцы постакне", ')),
         ("term added, on no page", ('ru = ["акне", ', 'ru = ["акне", "кракозябра", ')),
         ("term removed", ('ru = ["акне", ', 'ru = [')))


def kb(checkout: Path) -> list[str]:
    return [str(checkout / ".venv" / "bin" / "python"), "-m", "cli"]


def run_index(checkout: Path, content: Path, index: Path, env: dict, *extra: str) -> dict:
    load = os.getloadavg()[0]
    result = run_with_rusage([*kb(checkout), "index", str(content), "--index", str(index), *extra],
                             env=env, cwd=checkout)
    if result["returncode"] not in (0, 3):
        raise RuntimeError(f"kb index failed: {result['stderr'][-2000:]}")
    reported = re.search(r"in ([\d.]+) s", result["stdout"])
    return {"process": result["seconds"], "update": float(reported.group(1)) if reported else None,
            "cpu": result["user_s"] + result["sys_s"], "load": load, "stdout": result["stdout"].strip()}


def environment(concepts: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("KB_INDEX", "KB_CONTENT", "KB_CONCEPTS")}
    if concepts is not None:
        env["KB_CONCEPTS"] = str(concepts)
    return env


def one_file(checkouts: dict[str, Path], content: Path, indexes: dict[str, Path], size: int, rounds: int) -> dict:
    page_id, lang = corpus.entry_path(size // 2)
    path = content / page_id / f"{lang}.md"
    original = path.read_text("utf-8")
    treatment = re.search(r"^- (.+)$", original, re.M)
    edits = {
        "text": lambda n: original + f"\nДобавлено {n}. Aggiunto {n}. Προστέθηκε {n}.\n",
        "name": lambda n: original.replace(treatment.group(0), f"- {treatment.group(1)} {n + 2}", 1),
    }
    figures: dict = {}
    try:
        for what, edit in edits.items():
            for n in range(rounds):
                for name, checkout in checkouts.items():
                    path.write_text(edit(n), "utf-8")
                    got = run_index(checkout, content, indexes[name], environment())
                    if "1 updated" not in got["stdout"]:
                        raise RuntimeError(f"{name}: not one file updated: {got['stdout']}")
                    figures.setdefault(f"{name}, one file, {what}", []).append(got)
                    path.write_text(original, "utf-8")
                    run_index(checkout, content, indexes[name], environment())
    finally:
        path.write_text(original, "utf-8")
    return figures


def concept_edit(checkouts: dict[str, Path], content: Path, indexes: dict[str, Path], rounds: int) -> dict:
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="kb-concepts-") as tmp:
        folder = Path(tmp)
        for source in (ROOT / "data" / "concepts").glob("*.toml"):
            shutil.copy(source, folder / source.name)
        target = folder / "skin.toml"
        original = target.read_text("utf-8")
        env = environment(folder)
        for name, checkout in checkouts.items():  # the copy equals data/concepts: nothing to do
            run_index(checkout, content, indexes[name], env)
        for n in range(rounds):
            for what, (old, new) in EDITS:
                assert old in original, old
                order = list(checkouts.items())
                for name, checkout in order if n % 2 == 0 else order[::-1]:
                    target.write_text(original.replace(old, new, 1), "utf-8")
                    got = run_index(checkout, content, indexes[name], env)
                    if "rebuilt" in got["stdout"]:
                        raise RuntimeError(f"{name}: a concept edit rebuilt the index: {got['stdout']}")
                    figures.setdefault(f"{name}, concept edit, {what}", []).append(got)
                    target.write_text(original, "utf-8")
                    figures.setdefault(f"{name}, concept edit, undone", []).append(
                        run_index(checkout, content, indexes[name], env))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=Path("/work/wt-base"))
    parser.add_argument("--only", choices=("files", "concepts"))
    parser.add_argument("--no-baseline-concepts", action="store_true",
                        help="concept edits in this checkout only (a baseline that would rebuild)")
    args = parser.parse_args()
    content = corpus.generate(workdir() / f"corpus-{args.size}", args.size, 1)
    checkouts = {"this": ROOT, "baseline": args.baseline.resolve()}
    indexes = {"this": workdir() / f"index-{args.size}", "baseline": workdir() / f"base-index-{args.size}"}
    for name, checkout in checkouts.items():
        if not (indexes[name] / "CURRENT").exists():
            print(f"building the {name} index of {args.size} entries", flush=True)
            run_index(checkout, content, indexes[name], environment(), "--full")
        run_index(checkout, content, indexes[name], environment())  # up to date
    table = {}
    parts = []
    if args.only != "concepts":
        parts.append(one_file(checkouts, content, indexes, args.size, args.rounds))
    if args.only != "files":
        editing = {"this": ROOT} if args.no_baseline_concepts else checkouts
        parts.append(concept_edit(editing, content, indexes, args.rounds))
    for figures in parts:
        for name, runs in figures.items():
            table[name] = {"process_seconds": round(median([r["process"] for r in runs]), 2),
                           "update_seconds": median([r["update"] for r in runs if r["update"] is not None]),
                           "cpu_seconds": round(median([r["cpu"] for r in runs]), 2),
                           "runs": [round(r["process"], 2) for r in runs],
                           "load": [round(r["load"], 2) for r in runs]}
            row = table[name]
            print(f"{name:<40} process {row['process_seconds']:6.2f} s   update {row['update_seconds']:6.1f} s"
                  f"   cpu {row['cpu_seconds']:6.2f} s   runs {row['runs']}   load {row['load']}", flush=True)
    for name in [n for n in table if n.startswith("this, ")]:
        base = table.get("baseline, " + name[len("this, "):])
        if base:
            ratio = round(table[name]["process_seconds"] / base["process_seconds"], 2)
            table[name]["ratio_to_baseline"] = ratio
            print(f"{name[len('this, '):]:<34} this / baseline x{ratio}")
    out = ROOT / "benchmarks" / "results" / f"updates-{args.size}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(),
                               "size": args.size, "rounds": args.rounds,
                               "build_workers": os.environ.get("KB_BUILD_WORKERS", "cores"),
                               "baseline": str(args.baseline), "figures": table}, indent=2), "utf-8")
    print(f"saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
