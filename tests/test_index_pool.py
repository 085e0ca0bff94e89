"""indexer.build.pool + indexer.build.bulkwrite + indexer.build.postencode: a build analysed in worker processes writes the same index as
a one-process build: the same documents in the same order, the same stored fields, the same
terms with the same postings, weights, positions and lengths, the same problems reported."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from core_support import DATA
from indexer import store
from indexer import forked
from indexer.build import pool
from indexer.engine import postencode
from indexer.build.builder import build_index
from kb.config import Settings, SettingsError

COPIES = 2  # data/ three times over: ~100 files, enough for the pool (pool.POOL_MIN_FILES)


def _content(root: Path) -> Path:
    """data/ and copies of its pages under their own page ids, an empty file, a duplicate id."""
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("concepts"))
    for page in sorted((root / "pages").iterdir()):
        for n in range(1, COPIES + 1):
            dest = root / "pages" / f"{page.name}-copy{n}"
            dest.mkdir()
            for source in page.glob("*.md"):
                text = source.read_text("utf-8").replace(f"page_id: {page.name}", f"page_id: {page.name}-copy{n}")
                (dest / source.name).write_text(text, "utf-8")
    (root / "pages" / "empty.md").write_text("", "utf-8")
    first = sorted((root / "pages").glob("*/ru.md"))[0]
    shutil.copyfile(first, root / "pages" / "zz-duplicate.ru.md")
    return root


def contents(index_dir: Path) -> dict:
    """Everything a reader can tell of the live generation, by document number and term."""
    ix = store.open_generation(store.current_generation(index_dir))
    with ix.reader() as reader:
        scorable = [name for name, field in ix.schema.items() if field.scorable]
        out = {
            "segments": len(reader.leaf_readers()),
            "docs": reader.doc_count_all(),
            "stored": list(reader.all_stored_fields()),
            "lengths": [[reader.doc_field_length(d, name) for name in scorable]
                        for d in range(reader.doc_count_all())],
            "field_lengths": {name: reader.field_length(name) for name in scorable},
            "terms": {},
        }
        for fieldname, btext in reader.all_terms():
            info = reader.term_info(fieldname, btext)
            postings = reader.postings(fieldname, btext)
            items = []
            while postings.is_active():
                items.append((postings.id(), postings.weight(), postings.value()))
                postings.next()
            out["terms"][(fieldname, btext)] = (
                info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                info.max_weight(), items)
    ix.close()
    return out


def _build(tmp_path: Path, name: str, root: Path, workers: int, full: bool = True):
    settings = Settings(index_dir=tmp_path / name, content_roots=(root,), build_workers=workers)
    return build_index(settings, full=full), settings


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pool")
    root = _content(tmp / "content")
    one, _ = _build(tmp, "one", root, 1)
    two, _ = _build(tmp, "two", root, 2)
    return tmp, root, one, two


def test_a_pooled_rebuild_writes_the_same_index_as_one_process(two_builds):
    tmp, _, one, two = two_builds
    a, b = contents(tmp / "one"), contents(tmp / "two")
    assert a["docs"] > 90 and a["segments"] == 1
    for key in ("segments", "docs", "field_lengths"):
        assert a[key] == b[key], key
    for docnum, (x, y) in enumerate(zip(a["stored"], b["stored"])):
        assert x == y, f"document {docnum}"
    assert a["lengths"] == b["lengths"]
    assert a["terms"].keys() == b["terms"].keys()
    for term, value in a["terms"].items():
        assert b["terms"][term] == value, term


def test_a_pooled_rebuild_reports_the_same_problems_and_counts(two_builds):
    _, _, one, two = two_builds
    assert [str(p) for p in one.problems] == [str(p) for p in two.problems]
    assert any("duplicate id" in str(p) for p in two.problems)
    assert any("empty file" in str(p) for p in two.problems)
    assert (one.added, one.read, one.entries_by_lang) == (two.added, two.read, two.entries_by_lang)


def test_a_pooled_update_of_many_files_writes_what_one_process_writes(two_builds, tmp_path):
    _, pristine, _, _ = two_builds
    root = tmp_path / "content"
    shutil.copytree(pristine, root)
    _build(tmp_path, "one", root, 1)
    _build(tmp_path, "two", root, 1)
    changed = sorted(root.glob("pages/*-copy1/*.md"))
    assert len(changed) >= pool.POOL_MIN_FILES
    for path in changed:
        path.write_text(path.read_text("utf-8") + "\nДобавлено. Aggiunto. Προστέθηκε.\n", "utf-8")
    one, _ = _build(tmp_path, "one", root, 1, full=False)
    two, _ = _build(tmp_path, "two", root, 2, full=False)
    assert one.updated == two.updated == len(changed) and not one.rebuilt
    a, b = contents(tmp_path / "one"), contents(tmp_path / "two")
    assert a["stored"] == b["stored"] and a["lengths"] == b["lengths"]
    assert a["terms"] == b["terms"]


def test_build_workers_come_from_kb_build_workers(monkeypatch):
    monkeypatch.setenv("KB_BUILD_WORKERS", "3")
    assert Settings.from_env().build_workers == 3
    monkeypatch.delenv("KB_BUILD_WORKERS")
    assert Settings.from_env().build_workers >= 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("KB_BUILD_WORKERS", bad)
        with pytest.raises(SettingsError, match="KB_BUILD_WORKERS"):
            Settings.from_env()


def segment_files(index_dir: Path) -> dict[str, bytes]:
    """The files inside the live generation's one compound segment, by name without the
    segment's (random) id."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    gen = store.current_generation(index_dir)
    (seg,) = gen.glob("*.seg")
    segment_id = seg.stem.split("_", 1)[1]
    compound = CompoundStorage(FileStorage(str(gen)).open_file(seg.name), use_mmap=False)
    files = {name.replace(segment_id, "X"): compound.open_file(name).read() for name in compound.list()}
    compound.close()
    return files


def test_a_pooled_rebuild_gives_the_installed_whoosh_its_postings_a_block_at_a_time(two_builds, tmp_path):
    _, root, _, _ = two_builds
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the per-posting fallback warns
        _build(tmp_path, "blocks", root, 2)
    assert segment_files(tmp_path / "blocks")


def test_block_writes_leave_the_segment_files_posting_by_posting_writes_leave(two_builds, tmp_path, monkeypatch):
    _, root, _, _ = two_builds
    _build(tmp_path, "blocks", root, 2)
    monkeypatch.setattr(postencode, "blocks_of", lambda postwriter: False)
    with pytest.warns(RuntimeWarning, match="one by one"):
        _build(tmp_path, "per-posting", root, 2)
    blocks, per_posting = segment_files(tmp_path / "blocks"), segment_files(tmp_path / "per-posting")
    assert any(name.endswith(".pst") for name in blocks) and blocks.keys() == per_posting.keys()
    for name in blocks:
        assert blocks[name] == per_posting[name], name


def test_an_update_of_one_file_starts_no_worker_processes(two_builds, tmp_path, monkeypatch):
    _, pristine, _, _ = two_builds
    root = tmp_path / "content"
    shutil.copytree(pristine, root)
    _build(tmp_path, "ix", root, 2)
    path = sorted(root.glob("pages/*/ru.md"))[-1]  # not the one zz-duplicate.ru.md copies
    path.write_text(path.read_text("utf-8") + "\nДобавлено.\n", "utf-8")

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for one changed file")

    monkeypatch.setattr(forked.multiprocessing, "get_context", no_pool)
    report, _ = _build(tmp_path, "ix", root, 2, full=False)
    assert report.updated == 1 and not report.rebuilt


def test_postings_encoded_by_commit_workers_leave_the_segment_files_one_process_leaves(two_builds, tmp_path,
                                                                                       monkeypatch):
    _, root, _, _ = two_builds
    monkeypatch.setattr(postencode, "ENCODE_MIN_POSTINGS", 0)  # the test content is small
    encoded = []
    original = postencode.encode_slice
    monkeypatch.setattr(postencode, "encode_slice", lambda bulk, task: (encoded.append(task), original(bulk, task))[1])
    _build(tmp_path, "encoded", root, 2)
    assert not encoded  # the slices were encoded in other processes: nothing was appended here
    monkeypatch.setattr(postencode, "ENCODE_MIN_POSTINGS", 10**12)
    _build(tmp_path, "here", root, 2)
    assert encoded  # in this process
    _build(tmp_path, "one", root, 1)
    workers, here, one = (segment_files(tmp_path / n) for n in ("encoded", "here", "one"))
    assert any(name.endswith(".pst") for name in workers) and workers.keys() == here.keys() == one.keys()
    for name in workers:
        assert workers[name] == here[name] == one[name], name


def test_a_pooled_rebuild_learns_the_bridges_a_one_process_rebuild_learns(two_builds):
    from indexer.bridges import Bridges

    tmp, _, _, _ = two_builds
    one, two = (Bridges.load(store.current_generation(tmp / n), facts=True) for n in ("one", "two"))
    assert one.facts and one.facts == two.facts
    assert (one.docs, one.translations, one.synonyms) == (two.docs, two.translations, two.synonyms)
    assert one.cognates.df == two.cognates.df
