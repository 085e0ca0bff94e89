"""kb.translations: translations of a page and the drift of their source_hash."""
from __future__ import annotations

import shutil
from pathlib import Path


from core_support import SEED_PAGES
from kb.loader import load_entries
from kb.translations import find_drift, group_by_page

SOURCE_HASH = "88b23ef135888d3d84ecb0b15fc8cf82"
OTHER_HASH = "5d41402abc4b2a76b9719d911017c592"


def seed_root(root: Path, it_hash: str | None = None, gr_hash: str | None = None) -> Path:
    """The three seed pages; optionally with a source_hash given to the Italian, or the Greek's changed."""
    pages = root / "botulinum-treatment"
    pages.mkdir(parents=True)
    for name in ("ru.md", "gr.md", "it.md"):
        shutil.copyfile(SEED_PAGES / name, pages / name)
    if it_hash:
        path = pages / "it.md"
        text = path.read_text("utf-8")
        path.write_text(text.replace("page_id: botulinum-treatment\n",
                                     f"page_id: botulinum-treatment\nsource_hash: {it_hash}\n"), "utf-8")
    if gr_hash:
        path = pages / "gr.md"
        path.write_text(path.read_text("utf-8").replace(SOURCE_HASH, gr_hash), "utf-8")
    return root


def drift_of(root: Path):
    result = load_entries([root])
    assert not result.problems
    return find_drift(result.entries)


def test_the_italian_seed_without_source_hash_drifts(tmp_path):
    drifts = drift_of(seed_root(tmp_path))
    assert [d.entry_id for d in drifts] == ["botulinum-treatment/it"]
    assert "no source_hash" in drifts[0].message
    assert SOURCE_HASH in drifts[0].message  # what its translations have
    assert drifts[0].path.endswith("botulinum-treatment/it.md")


def test_a_translation_with_a_differing_hash_drifts(tmp_path):
    drifts = drift_of(seed_root(tmp_path, it_hash=SOURCE_HASH, gr_hash=OTHER_HASH))
    assert [d.entry_id for d in drifts] == ["botulinum-treatment/gr"]
    assert OTHER_HASH in drifts[0].message and SOURCE_HASH in drifts[0].message
    assert "botulinum-treatment/gr" in str(drifts[0])


def test_agreeing_translations_give_no_drift(tmp_path):
    assert drift_of(seed_root(tmp_path, it_hash=SOURCE_HASH)) == []


def test_a_page_with_no_translation_cannot_drift(tmp_path):
    (tmp_path / "solo").mkdir()
    (tmp_path / "solo" / "gr.md").write_text(
        "---\ntitle: Κρυολιπόλυση\nlang: gr\npage_id: solo\n---\nΚείμενο\n", "utf-8")
    assert drift_of(tmp_path) == []


def test_articles_are_not_translations(tmp_path):
    seed_root(tmp_path, it_hash=SOURCE_HASH)
    (tmp_path / "a.ru.txt").write_text("Статья без page_id.", "utf-8")
    result = load_entries([tmp_path])
    assert sorted(group_by_page(result.entries)) == ["botulinum-treatment"]
    assert find_drift(result.entries) == []


def test_translations_are_grouped_by_page_id(tmp_path):
    result = load_entries([seed_root(tmp_path)])
    groups = group_by_page(result.entries)
    assert sorted(e.id for e in groups["botulinum-treatment"]) == [
        "botulinum-treatment/gr", "botulinum-treatment/it", "botulinum-treatment/ru"]


def test_the_repository_data_drift_is_reported_per_translation():
    from core_support import DATA

    drifts = find_drift(load_entries([DATA]).entries)
    assert "botulinum-treatment/it" in [d.entry_id for d in drifts]
    assert len({d.entry_id for d in drifts}) == len(drifts)
