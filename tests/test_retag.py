"""indexer/build/retag.py: a concept edit re-tags the index in place, in one process or in the build's
worker processes, and every re-tagged document is the one a rebuild with the edited concepts
writes (its terms, weights, positions, lengths and stored fields, its concept tags and group);
documents the edit cannot change are left where they are."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from core_support import DATA
from indexer import store
from indexer.analysis import Analysis
from indexer.build.builder import build_index
from indexer.concepts import ConceptMatcher
from indexer.documents import section_texts
from kb.concepts import load_concepts
from kb.config import Settings
from kb.loader import discover, load_file

COPIES = 2  # data/ three times over: enough affected documents for the pool (pool.POOL_MIN_FILES)
# skin.toml's [acne]: a term of it taken out, and a term of a word most Russian pages hold put in
EDIT = ('ru = ["акне", ', 'ru = ["кожа", ')


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("retag") / "content"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("concepts"))
    for page in sorted((root / "pages").iterdir()):
        for n in range(1, COPIES + 1):
            dest = root / "pages" / f"{page.name}-copy{n}"
            dest.mkdir()
            for source in page.glob("*.md"):
                text = source.read_text("utf-8").replace(f"page_id: {page.name}", f"page_id: {page.name}-copy{n}")
                (dest / source.name).write_text(text, "utf-8")
    return root


def edited_concepts(folder: Path) -> Path:
    shutil.copytree(DATA / "concepts", folder)
    path = folder / "skin.toml"
    text = path.read_text("utf-8")
    assert EDIT[0] in text
    path.write_text(text.replace(*EDIT, 1), "utf-8")
    return folder


def documents(index_dir: Path) -> dict:
    """Entry id -> what the index holds of its live document: stored fields, field lengths and,
    per field, its terms with their weights and encoded postings. (A field the document does not
    have reads as length None where its segment has that field for other documents, 0 where it
    has none: both are no length.)"""
    ix = store.open_generation(store.current_generation(index_dir))
    with ix.reader() as reader:
        ids = {d: fields["id"] for d, fields in reader.iter_docs()}
        scorable = [name for name, field in ix.schema.items() if field.scorable]
        out = {entry_id: {"stored": reader.stored_fields(d), "terms": {},
                          "lengths": [reader.doc_field_length(d, name) or 0 for name in scorable]}
               for d, entry_id in ids.items()}
        for fieldname, btext in reader.all_terms():
            postings = reader.postings(fieldname, btext)
            while postings.is_active():
                docnum = postings.id()
                if docnum in ids:
                    out[ids[docnum]]["terms"][(fieldname, btext)] = (postings.weight(), postings.value())
                postings.next()
    ix.close()
    return out


def segment_of(index_dir: Path) -> dict[str, int]:
    """Entry id -> the number of the segment its live document is in."""
    ix = store.open_generation(store.current_generation(index_dir))
    with ix.reader() as reader:
        found = {}
        for n, (leaf, _) in enumerate(reader.leaf_readers()):
            for docnum in leaf.all_doc_ids():
                found[leaf.stored_fields(docnum)["id"]] = n
    ix.close()
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_a_retag_writes_the_documents_a_rebuild_with_the_edited_concepts_writes(content, tmp_path, workers):
    concepts = tmp_path / "concepts"
    shutil.copytree(DATA / "concepts", concepts)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(content,), concepts_dir=concepts,
                        build_workers=workers)
    build_index(settings)
    before = documents(settings.index_dir)
    shutil.rmtree(concepts)
    edited_concepts(concepts)
    report = build_index(settings)
    assert not report.rebuilt
    fresh = Settings(index_dir=tmp_path / "fresh", content_roots=(content,), concepts_dir=concepts,
                     build_workers=1)
    build_index(fresh)
    retagged, rebuilt = documents(settings.index_dir), documents(fresh.index_dir)
    assert retagged == rebuilt
    changed = [entry_id for entry_id in rebuilt if before[entry_id] != rebuilt[entry_id]]
    assert len(changed) >= 16  # enough for the worker processes (pool.POOL_MIN_FILES)


def test_a_retag_leaves_the_documents_it_cannot_change_in_their_segment(content, tmp_path):
    concepts = tmp_path / "concepts"
    shutil.copytree(DATA / "concepts", concepts)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(content,), concepts_dir=concepts,
                        build_workers=2)
    build_index(settings)
    before = documents(settings.index_dir)
    shutil.rmtree(concepts)
    edited_concepts(concepts)
    build_index(settings)
    after, where = documents(settings.index_dir), segment_of(settings.index_dir)
    unchanged = {entry_id for entry_id in after if after[entry_id] == before[entry_id]}
    assert unchanged and all(where[entry_id] == 0 for entry_id in unchanged)
    assert all(where[entry_id] == 1 for entry_id in set(after) - unchanged)


def test_a_matcher_restricted_to_some_concepts_finds_them_as_the_whole_matcher_does(content):
    analysis = Analysis()
    matcher = ConceptMatcher(load_concepts(DATA / "concepts"), analysis)
    some = {"acne", "botulinum", "chemical-peel"} & set(matcher.groups)
    assert some
    restricted = matcher.restricted(some)
    sources, _ = discover([content])
    compared = 0
    for source in sources[:60]:
        entry, _, _ = load_file(source, 2 * 1024 * 1024)
        for text in section_texts(entry).values():
            positions = analysis.positions(text, entry.lang)
            whole = matcher.match(positions, entry.lang)
            assert restricted.match(positions, entry.lang) == Counter(
                {c: n for c, n in whole.items() if c in some})
            compared += bool(restricted.match(positions, entry.lang))
    assert compared > 0
    assert set(restricted.groups) == some
