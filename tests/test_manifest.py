"""indexer.manifest: a generation lists its files last; readers serve only complete generations."""
from __future__ import annotations

import shutil

import pytest

from core_support import DATA
from indexer import manifest
from indexer.build.builder import build_index
from indexer.bridges.factstore import ALIGNMENT, DATABASE
from indexer.filestate import FILES
from indexer.search.knowledgebase import KnowledgeBase
from indexer.store import CURRENT, current_generation
from kb.config import Settings

PAGES = ("pages/botulinum-treatment/ru.md", "pages/mesotherapy/it.md")


@pytest.fixture()
def built(tmp_path):
    root = tmp_path / "content"
    for rel in PAGES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / rel, root / rel)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(root,))
    build_index(settings)
    return root, settings


def test_a_build_lists_every_file_of_its_generation_with_its_size_in_the_manifest(built):
    _, settings = built
    gen = current_generation(settings.index_dir)
    listed = manifest.read_manifest(gen)["files"]
    on_disk = {p.name: p.stat().st_size for p in gen.iterdir()
               if p.name not in (manifest.MANIFEST, "MAIN_WRITELOCK", FILES, ALIGNMENT)
               and not p.name.startswith(DATABASE)}  # the writer's state: rewritten in place
    assert listed == on_disk and manifest.is_complete(gen)
    assert max(p.name for p in gen.iterdir()) == manifest.MANIFEST  # sorts (so is copied) last


def test_a_generation_with_a_file_shorter_than_listed_is_not_complete(built):
    _, settings = built
    gen = current_generation(settings.index_dir)
    concepts = gen / "concepts.pickle"
    concepts.write_bytes(concepts.read_bytes()[:100])
    assert not manifest.is_complete(gen)
    assert manifest.serving_generation(settings.index_dir) is None


def test_file_stamps_rewritten_after_the_manifest_leave_the_generation_complete(built):
    # an update that only refreshes stamps (a touched file, same bytes), killed before it
    # rewrote the manifest: the generation still serves, the previous one is never taken
    _, settings = built
    gen = current_generation(settings.index_dir)
    stamps = gen / FILES
    stamps.write_bytes(stamps.read_bytes() + b"rewritten")
    assert manifest.is_complete(gen)
    assert manifest.serving_generation(settings.index_dir) == gen


def test_an_incremental_update_rewrites_the_manifest_for_its_commit(built):
    root, settings = built
    gen = current_generation(settings.index_dir)
    before = manifest.read_manifest(gen)["toc"]
    page = root / PAGES[0]
    page.write_text(page.read_text("utf-8") + "\nновое слово\n", "utf-8")
    build_index(settings)
    assert manifest.read_manifest(gen)["toc"] == manifest.toc_generation(gen) > before
    assert manifest.is_complete(gen)


def test_a_reader_keeps_its_generation_while_current_names_an_incomplete_one(built):
    root, settings = built
    kb = KnowledgeBase.open(settings.index_dir)
    old = current_generation(settings.index_dir)
    half = settings.index_dir / "gen-999999"
    half.mkdir()
    shutil.copy2(old / "kb-meta.json", half / "kb-meta.json")  # metadata there, manifest not yet
    (settings.index_dir / CURRENT).write_text(half.name + "\n")
    assert kb.status()[0] == old.name
    assert KnowledgeBase.open(settings.index_dir).status()[0] == old.name  # and a new reader too
