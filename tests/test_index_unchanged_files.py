"""`kb index` and unchanged files: like git's index, a file whose size, modification and change
times and inode are what they were when its indexed bytes were read is not read again.

Real content files and a real index on disk. A stamp is only trusted when the file's times were
safely older (filestate.RACY_SECONDS) than the run that recorded it, so most tests start from
content written that long ago (the ``aged_root`` fixture: one wait for the whole module).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from core_support import DATA, search_ids
from indexer import filestate, store
from indexer.build.builder import _indexed, build_index
from indexer.search.knowledgebase import KnowledgeBase
from kb.config import Settings
from kb.loader import content_hash

SMALL = ("pages/botulinum-treatment/ru.md", "pages/botulinum-treatment/gr.md",
         "pages/botulinum-treatment/it.md", "pages/mesotherapy/ru.md", "pages/mesotherapy/it.md",
         "articles/botulotoxin.ru.txt")
PAGE = "pages/mesotherapy/ru.md"
NEW_WORD = "квазарофлексия"  # in no page until a test writes it


def copy_small(root: Path) -> Path:
    for rel in SMALL:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / rel, root / rel)
    return root


def wait_until_settled(*paths: Path) -> None:
    """Sleep until every file's modification and change times are RACY_SECONDS old."""
    newest = max(max(p.stat().st_mtime_ns, p.stat().st_ctime_ns)
                 for path in paths for p in ([path] if path.is_file() else path.rglob("*")))
    wait = (newest + filestate.RACY_SECONDS * 1e9 - time.time_ns()) / 1e9 + 0.05
    if wait > 0:
        time.sleep(wait)


@pytest.fixture(scope="module")
def aged_roots(tmp_path_factory):
    """Content roots written together, RACY_SECONDS ago: one wait for the whole module."""
    base = tmp_path_factory.mktemp("aged")
    roots = [copy_small(base / f"content-{n}") for n in range(12)]
    wait_until_settled(*roots)
    return roots


@pytest.fixture()
def aged_root(aged_roots, tmp_path):
    """(content root, settings, the first build's report) on content older than RACY_SECONDS."""
    if not aged_roots:
        aged_roots.append(copy_small(tmp_path / "content"))
        wait_until_settled(aged_roots[0])
    root = aged_roots.pop()
    settings = Settings(index_dir=tmp_path / "index", content_roots=(root,))
    first = build_index(settings)
    assert (first.added, first.read) == (len(SMALL), len(SMALL)) and not first.problems
    return root, settings


def live(settings: Settings):
    """(the live generation's directory, its Whoosh index)."""
    gen = store.current_generation(settings.index_dir)
    return gen, store.open_generation(gen)


def commit(settings: Settings) -> int:
    """The live generation's Whoosh commit (TOC generation): it moves only when the index is written."""
    return live(settings)[1].latest_generation()


# -- what is read ---------------------------------------------------------------------------------
def test_an_unchanged_file_is_not_read_again_and_nothing_is_written(aged_root):
    root, settings = aged_root
    before = commit(settings)
    report = build_index(settings)
    assert report.read == 0
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, len(SMALL))
    assert report.total == len(SMALL)
    assert commit(settings) == before  # no commit at all


def test_a_changed_file_is_read_and_re_indexed_and_only_it(aged_root):
    root, settings = aged_root
    page = root / PAGE
    page.write_text(page.read_text("utf-8") + f"\n\nНовая методика: {NEW_WORD}.\n", "utf-8")
    report = build_index(settings)
    assert report.read == 1
    assert (report.added, report.updated, report.unchanged) == (0, 1, len(SMALL) - 1)
    assert search_ids(KnowledgeBase.open(settings.index_dir), NEW_WORD) == ["mesotherapy/ru"]


def test_a_file_changed_with_its_size_and_modification_time_kept_is_still_re_indexed(aged_root):
    """The change time cannot be set back (touch -d, os.utime, cp -p, rsync -t restore only the
    modification time): the content's change is seen."""
    root, settings = aged_root
    page = root / PAGE
    old = page.stat()
    text = page.read_text("utf-8")
    target = "Мишелем"  # only this page (Pistor: also Italian); a new word, same bytes
    replacement = NEW_WORD[: len(target)]
    assert target in text and len(replacement.encode()) == len(target.encode())
    page.write_text(text.replace(target, replacement), "utf-8")
    os.utime(page, ns=(old.st_atime_ns, old.st_mtime_ns))
    new = page.stat()
    assert (new.st_size, new.st_mtime_ns, new.st_ino) == (old.st_size, old.st_mtime_ns, old.st_ino)

    report = build_index(settings)
    assert (report.read, report.updated) == (1, 1)
    kb = KnowledgeBase.open(settings.index_dir)
    assert search_ids(kb, target) == []
    assert replacement in kb.entry("mesotherapy/ru").body


def test_a_file_replaced_by_another_is_re_indexed(aged_root):
    """As an editor saves, or `mv` over it: another inode."""
    root, settings = aged_root
    page = root / PAGE
    replacement = root / "replacement.tmp"  # not a content file (extension)
    replacement.write_text(page.read_text("utf-8").replace("Пистор", NEW_WORD), "utf-8")
    os.replace(replacement, page)
    report = build_index(settings)
    assert (report.read, report.updated) == (1, 1)
    assert search_ids(KnowledgeBase.open(settings.index_dir), NEW_WORD) == ["mesotherapy/ru"]


def test_a_touched_file_is_read_once_not_re_indexed_and_then_not_read_again(aged_root):
    root, settings = aged_root
    page = root / PAGE
    before = commit(settings)
    os.utime(page)  # touch: new times, same bytes
    wait_until_settled(page)  # (else the next run, too, reads it: see the racy test below)

    touched = build_index(settings)
    assert touched.read == 1
    assert (touched.added, touched.updated, touched.removed, touched.unchanged) == (0, 0, 0, len(SMALL))
    assert commit(settings) == before  # not re-indexed: nothing written to the index

    again = build_index(settings)
    assert again.read == 0 and again.unchanged == len(SMALL)


def test_a_file_changed_just_before_a_run_is_read_again_by_the_next_run(aged_root):
    """The "racy" rule: on a file system with coarse timestamps a second write in the same tick
    keeps the times, so a stamp younger than RACY_SECONDS at the run's start is not trusted."""
    root, settings = aged_root
    page = root / PAGE
    page.write_text(page.read_text("utf-8") + f"\n\n{NEW_WORD}.\n", "utf-8")
    assert build_index(settings).updated == 1
    second = build_index(settings)  # well within RACY_SECONDS of the write
    assert second.read == 1  # read again, although its stamp is unchanged
    assert (second.updated, second.unchanged) == (0, len(SMALL))


def test_files_written_just_before_the_first_build_are_read_until_they_settle(tmp_path):
    root = copy_small(tmp_path / "content")
    settings = Settings(index_dir=tmp_path / "index", content_roots=(root,))
    assert build_index(settings).read == len(SMALL)
    assert build_index(settings).read == len(SMALL)  # still younger than RACY_SECONDS
    wait_until_settled(root)
    assert build_index(settings).read == len(SMALL)  # read once more, now recorded
    assert build_index(settings).read == 0


# -- what is kept beside the index -----------------------------------------------------------------
def test_the_file_list_always_agrees_with_the_index_manifest(aged_root):
    root, settings = aged_root
    (root / PAGE).write_text((root / PAGE).read_text("utf-8") + f"\n{NEW_WORD}\n", "utf-8")  # changed
    (root / "articles/botulotoxin.ru.txt").rename(root / "articles/botox-facts.ru.txt")  # renamed
    (root / "pages/botulinum-treatment/gr.md").unlink()  # deleted
    (root / "articles/new.it.txt").write_text("Articolo nuovo\n\nLa pelle e il laser.\n", "utf-8")  # added
    (root / "pages/mesotherapy/it.md").write_bytes(b"\xff\xfe broken")  # broken: indexed version kept
    shutil.copyfile(root / "pages/botulinum-treatment/ru.md", root / "pages/botulinum-treatment/ru-copy.md")
    report = build_index(settings)  # the copy is a duplicate id: skipped
    assert (report.added, report.removed, report.updated) == (2, 2, 1)
    assert len(report.skipped) == 2

    gen, ix = live(settings)
    listed = filestate.FileStates.load(gen, filestate.commit_of(ix))
    assert listed is not None
    manifest = {key: (i.digest, i.id) for key, i in _indexed(ix).items()}
    assert {key: (k.digest, k.id) for key, k in listed.files.items()} == manifest
    assert len(manifest) == report.total == len(SMALL)


def test_a_list_written_for_another_commit_is_not_used(aged_root):
    """A run killed after its commit, before writing the list, leaves the list of an older
    commit: the next run then reads every file, and the index stays right."""
    root, settings = aged_root
    gen = store.current_generation(settings.index_dir)
    old_list = (gen / filestate.FILES).read_bytes()
    page = root / PAGE
    page.write_text(page.read_text("utf-8") + f"\n{NEW_WORD}\n", "utf-8")
    assert build_index(settings).updated == 1
    (gen / filestate.FILES).write_bytes(old_list)  # as if killed before the list was replaced

    report = build_index(settings)
    assert report.read == len(SMALL)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert search_ids(KnowledgeBase.open(settings.index_dir), NEW_WORD) == ["mesotherapy/ru"]


def test_a_missing_or_unreadable_list_means_every_file_is_read(aged_root):
    root, settings = aged_root
    gen = store.current_generation(settings.index_dir)
    (gen / filestate.FILES).write_bytes(b"not a list")
    report = build_index(settings)
    assert report.read == len(SMALL) and report.unchanged == len(SMALL)
    (gen / filestate.FILES).unlink()
    assert build_index(settings).read == len(SMALL)
    assert build_index(settings).read == 0  # the list was written again


def test_the_manifest_read_from_the_index_skips_replaced_versions(aged_root):
    """Without a list, the index's own manifest (the terms of its "version" field) is read; the
    terms of replaced documents stay in it until their segment is merged, and must be skipped."""
    root, settings = aged_root
    page = root / PAGE
    original = page.read_bytes()
    # an edit whose hash sorts before the original's: its term comes first, the stale one after
    edited = next(original + f"\nПравка {n}.\n".encode() for n in range(1000)
                  if content_hash(original + f"\nПравка {n}.\n".encode()) < content_hash(original))
    page.write_bytes(edited)
    assert build_index(settings).updated == 1
    gen, ix = live(settings)
    (gen / filestate.FILES).unlink()

    key = next(k for k in _indexed(ix) if k.endswith(PAGE))
    assert _indexed(ix)[key].digest == content_hash(edited)
    report = build_index(settings)
    assert report.read == len(SMALL)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)


# -- segments ---------------------------------------------------------------------------------------
def test_one_file_updates_keep_few_segments_and_never_merge_much(aged_root):
    """Each one-file update adds a segment; merging re-writes every document it merges, so an
    update merges only the smallest segments, at most MERGE_BUDGET documents, and only once more
    than SMALL_SEGMENTS are that small."""
    from indexer.build.builder import MERGE_BUDGET, SMALL_SEGMENTS

    root, settings = aged_root
    history = []
    for n in range(16):
        article = root / "articles" / f"note-{n:02d}.it.txt"
        article.write_text(f"Nota {n}\n\nLa pelle e il laser: parolanota{n}.\n", "utf-8")
        assert build_index(settings).added == 1
        _, ix = live(settings)
        history.append(sorted(s.doc_count_all() for s in ix._segments()))
        assert len(history[-1]) <= SMALL_SEGMENTS + 2, history
        assert max(history[-1]) <= MERGE_BUDGET + 1, history  # what was merged, and the new one
    assert sum(history[-1]) == len(SMALL) + 16  # nothing lost in merging
    assert any(len(h) < len(g) for g, h in zip(history, history[1:])), history  # merges happened
    kb = KnowledgeBase.open(settings.index_dir)
    assert all(search_ids(kb, f"parolanota{n}") == [f"articles/note-{n:02d}.it"] for n in range(16))
