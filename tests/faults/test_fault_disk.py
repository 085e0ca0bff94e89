"""A disk that fills up, and an index directory that cannot be written.

`kb index` then fails with one clear line (exit 1, no traceback); the index it leaves is the
old one, whole, still answering (`kb search`, KnowledgeBase); a failed rebuild leaves no
half-written generation behind; and once there is room again, `kb index` succeeds.

A full disk is simulated with RLIMIT_FSIZE in the child (writes fail with EFBIG; SIGXFSZ is
ignored), and, where this machine allows mounting, with a real small tmpfs (ENOSPC). Running as
root, chmod does not stop writes: the child drops CAP_DAC_OVERRIDE from its bounding set first.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from faultkit import (REPORT, STABLE_QUERY, STATS, assert_clean_failure, can_drop_dac_override,
                      expected_entries, file_size_limit, indexed_entries, is_efbig_or_enospc,
                      mount_tmpfs, run_kb, unmount, without_dac_override)


def big_article(root: Path, source: Path) -> Path:
    """A new ~300 KB article in ``root``, from the real pages' text: a sizeable write for an update."""
    texts = [p.read_text("utf-8").split("---", 2)[-1] for p in sorted(source.glob("pages/*/ru.md"))]
    path = root / "articles" / "fault-big.ru.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    body, n = "", 0
    while len(body.encode()) < 300_000:
        body += f"\n\nЧасть {n}: " + texts[n % len(texts)]
        n += 1
    path.write_text("Большая статья про всё сразу\n" + body, "utf-8")
    return path


def index_copy(built_index: Path, dest: Path) -> Path:
    shutil.copytree(built_index, dest)
    return dest


def assert_old_index_serves(index_dir: Path, before: dict, env, preexec_fn=None) -> None:
    """The index is exactly what it was, and still answers, in this process and in `kb search`."""
    from indexer.search.results import SearchRequest
    from indexer.search.knowledgebase import KnowledgeBase

    assert indexed_entries(index_dir) == before
    kb = KnowledgeBase.open(index_dir)
    try:
        assert kb.search(SearchRequest(STABLE_QUERY)).total >= 1
    finally:
        kb.close()
    searched = run_kb(["search", STABLE_QUERY, "--index", index_dir], env, preexec_fn=preexec_fn)
    assert searched.returncode == 0 and "result(s)" in searched.stdout, searched.stderr


@pytest.mark.parametrize("mode,limits", [
    ("incremental", (0, 4096, 65536, 200_000)),
    ("full", (0, 65536, 1_000_000)),
])
def test_full_disk_fails_cleanly_and_keeps_the_old_index(tmp_path, pristine, built_index, env, mode, limits):
    index_dir = index_copy(built_index, tmp_path / "ix")
    extra = tmp_path / "extra"
    big_article(extra, pristine)
    args = ["index", *(["--full"] if mode == "full" else []), pristine, extra, "--index", index_dir]
    before = indexed_entries(index_dir)
    current = (index_dir / "CURRENT").read_text()
    generations = sorted(p.name for p in index_dir.glob("gen-*"))
    for limit in limits:
        failed = run_kb(args, env, preexec_fn=file_size_limit(limit))
        line = assert_clean_failure(failed, 1, "cannot write the index")
        assert is_efbig_or_enospc(line), line
        assert (index_dir / "CURRENT").read_text() == current
        assert sorted(p.name for p in index_dir.glob("gen-*")) == generations  # nothing half-written left
        assert_old_index_serves(index_dir, before, env)
        STATS[f"disk full ({mode}): clean failures, old index kept"] += 1
    REPORT.append(f"disk full ({mode}): {line}")
    done = run_kb(args, env)
    assert done.returncode == 0, done.stderr
    expected = expected_entries(pristine) | expected_entries(extra)
    assert indexed_entries(index_dir) == expected


def test_full_tmpfs_fails_cleanly_then_recovers(tmp_path, pristine, env):
    """A real file system that fills up: the rebuild fails with ENOSPC, gives all its space
    back, and once room is made, everything works again."""
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "64m"):
        pytest.skip("cannot mount a tmpfs here (RLIMIT_FSIZE covers the full disk)")
    try:
        index_dir = disk / "ix"
        first = run_kb(["index", pristine, "--index", index_dir], env)
        assert first.returncode == 0, first.stderr
        before = indexed_entries(index_dir)
        generation = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
        # fill the disk until half a generation is left: a second one cannot be written
        filler = disk / "filler"
        with open(filler, "wb") as handle:
            os.posix_fallocate(handle.fileno(), 0, shutil.disk_usage(disk).free - generation // 2)
        free = shutil.disk_usage(disk).free
        failed = run_kb(["index", "--full", pristine, "--index", index_dir], env)
        line = assert_clean_failure(failed, 1, "cannot write the index", "No space left on device")
        REPORT.append(f"disk full (tmpfs): {line}")
        assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001"]
        assert shutil.disk_usage(disk).free >= free - 64 * 1024  # the failed rebuild gave its space back
        assert_old_index_serves(index_dir, before, env)
        # what is left is enough for a small update
        extra = tmp_path / "extra"
        (extra / "articles").mkdir(parents=True)
        (extra / "articles" / "fault-small.it.txt").write_text(
            "Piccolo articolo\n\nLa pelle e il laser: un piccolo aggiornamento.\n", "utf-8")
        done = run_kb(["index", pristine, extra, "--index", index_dir], env)
        assert done.returncode == 0, done.stderr
        assert indexed_entries(index_dir) == expected_entries(pristine) | expected_entries(extra)
        # room made: a rebuild succeeds
        filler.unlink()
        rebuilt = run_kb(["index", "--full", pristine, extra, "--index", index_dir], env)
        assert rebuilt.returncode == 0, rebuilt.stderr
        STATS["disk full (tmpfs): clean failures, old index kept"] += 1
    finally:
        unmount(disk)


def chmod_tree(path: Path, writable: bool) -> None:
    for item in [path, *path.rglob("*")]:
        mode = item.stat().st_mode
        item.chmod(mode | 0o200 if writable else mode & ~0o222)


needs_modes = pytest.mark.skipif(not can_drop_dac_override(),
                                 reason="cannot make file modes bind a root child here")


@needs_modes
def test_read_only_index_fails_cleanly_and_still_serves(tmp_path, pristine, built_index, env):
    index_dir = index_copy(built_index, tmp_path / "ix")
    extra = tmp_path / "extra"
    big_article(extra, pristine)
    before = indexed_entries(index_dir)
    limited = without_dac_override()
    chmod_tree(index_dir, writable=False)
    try:
        for args in (["index", pristine, extra], ["index", "--full", pristine, extra], ["index", pristine]):
            failed = run_kb([*args, "--index", index_dir], env, preexec_fn=limited)
            line = assert_clean_failure(failed, 1, "cannot write the index", "Permission denied")
            assert_old_index_serves(index_dir, before, env, preexec_fn=limited)
            STATS["not writable: clean failures, old index kept"] += 1
        REPORT.append(f"not writable: {line}")
        # the directory is writable but the live generation is not: the update cannot commit
        (index_dir).chmod(0o755)
        (index_dir / ".lock").chmod(0o644)
        failed = run_kb(["index", pristine, extra, "--index", index_dir], env, preexec_fn=limited)
        assert_clean_failure(failed, 1, "cannot write the index", "Permission denied")
        assert_old_index_serves(index_dir, before, env, preexec_fn=limited)
        STATS["not writable: clean failures, old index kept"] += 1
    finally:
        chmod_tree(index_dir, writable=True)
    done = run_kb(["index", pristine, extra, "--index", index_dir], env, preexec_fn=limited)
    assert done.returncode == 0, done.stderr
    assert indexed_entries(index_dir) == expected_entries(pristine) | expected_entries(extra)


@needs_modes
def test_index_under_a_read_only_parent_fails_cleanly(tmp_path, pristine, env):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        failed = run_kb(["index", pristine, "--index", parent / "ix"], env, preexec_fn=without_dac_override())
        assert_clean_failure(failed, 1, "cannot write the index directory", "Permission denied")
        assert not (parent / "ix").exists()
        STATS["not writable: clean failures, old index kept"] += 1
    finally:
        parent.chmod(0o755)


def test_index_path_through_a_regular_file(tmp_path, pristine, env):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    failed = run_kb(["index", pristine, "--index", blocker / "ix"], env)
    assert_clean_failure(failed, 1, "cannot write the index directory", "Not a directory")
    for command in (["search", STABLE_QUERY], ["show", "x/ru"]):
        missing = run_kb([*command, "--index", blocker / "ix"], env)
        assert_clean_failure(missing, 1, "no index at")
    itself = run_kb(["index", pristine, "--index", blocker], env)  # the index path is the file itself
    assert_clean_failure(itself, 2, "--index", "is a file")
    assert blocker.read_text() == "not a directory\n"
    STATS["not writable: clean failures, old index kept"] += 1
