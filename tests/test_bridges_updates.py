"""Learned bridges kept up to date by a re-index (indexer/bridges/factstore.py, parallel.Alignment):
on real indexes of a copy of data/ on disk, edited as staff would edit a page."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from core_support import DATA
from indexer import store
from indexer.bridges import Bridges
from indexer.bridges.factstore import ALIGNMENT, FactStore
from indexer.build.builder import build_index
from kb.config import Settings

PAGE = Path("pages") / "chemical-peels" / "it.md"
TREATMENT = "- Peeling di Jessner"


@pytest.fixture
def content(tmp_path) -> Settings:
    root = tmp_path / "content"
    shutil.copytree(DATA / "pages", root / "pages")
    shutil.copytree(DATA / "articles", root / "articles")
    (tmp_path / "no-concepts").mkdir()
    settings = Settings(index_dir=tmp_path / "index", content_roots=(root,), concepts_dir=tmp_path / "no-concepts")
    build_index(settings)
    return settings


def edit(settings: Settings, old: str, new: str) -> None:
    path = settings.content_roots[0] / PAGE
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def alignment(settings: Settings):
    facts = FactStore(store.current_generation(settings.index_dir))
    try:
        return facts.alignment()
    finally:
        facts.close()


def test_renaming_a_treatment_relinks_its_page_group_and_keeps_the_others_links(content):
    before = alignment(content)
    edit(content, TREATMENT, "- Peeling di Jessner con Acido Salicilico")
    report = build_index(content)
    assert not report.rebuilt and report.updated == 1
    after = alignment(content)
    assert after.links["chemical-peels"] != before.links["chemical-peels"]
    assert {p: links for p, links in after.links.items() if p != "chemical-peels"} == \
           {p: links for p, links in before.links.items() if p != "chemical-peels"}


def test_a_renamed_treatment_is_aligned_under_its_new_name(content):
    edit(content, TREATMENT, "- Peeling di Jessner con Acido Salicilico")
    build_index(content)
    texts = {text for _, _, a, b in alignment(content).links["chemical-peels"] for text in (a, b)}
    assert "Peeling di Jessner con Acido Salicilico" in texts
    assert "Peeling di Jessner" not in texts


def test_appending_a_sentence_leaves_the_alignment_unread_and_unwritten(content):
    gen = store.current_generation(content.index_dir)
    before = (gen / ALIGNMENT).stat().st_mtime_ns
    translations = Bridges.load(gen).translations
    path = content.content_roots[0] / PAGE
    path.write_text(path.read_text("utf-8") + "\nUn peeling leggero, adatto in estate.\n", "utf-8")
    report = build_index(content)
    assert report.updated == 1 and store.current_generation(content.index_dir) == gen
    assert (gen / ALIGNMENT).stat().st_mtime_ns == before
    assert Bridges.load(gen).translations == translations


def test_a_removed_page_takes_its_links_with_it(content):
    path = content.content_roots[0] / PAGE
    path.unlink()
    build_index(content)
    gen = store.current_generation(content.index_dir)
    found = alignment(content)
    assert not any(link[0] == "it" or link[2] == "it" for link, *_ in found.links["chemical-peels"])
    assert not any(f.id == "chemical-peels/it" for f in Bridges.load(gen, facts=True).facts.values())


def test_an_alignment_that_is_not_the_one_of_the_facts_is_learned_again(content):
    gen = store.current_generation(content.index_dir)
    found = alignment(content)
    found.stamp += 1  # as a run killed between committing the facts and saving the alignment
    (gen / ALIGNMENT).write_bytes(pickle.dumps(found))
    assert alignment(content) is None
    edit(content, TREATMENT, "- Peeling di Jessner con Acido Salicilico")
    build_index(content)
    relearned = alignment(content)
    assert relearned is not None and "chemical-peels" in relearned.links
