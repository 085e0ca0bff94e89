"""indexer.build.builder + indexer.store: index content, update it incrementally, rebuild in generations."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core_support import DATA, search_ids
from indexer.build.builder import build_index
from indexer.search.knowledgebase import KnowledgeBase
from indexer.store import CURRENT, IndexMissing, current_generation
from kb.config import Settings

SMALL = ("pages/botulinum-treatment/ru.md", "pages/botulinum-treatment/gr.md",
         "pages/botulinum-treatment/it.md", "pages/mesotherapy/ru.md", "pages/mesotherapy/it.md",
         "articles/botulotoxin.ru.txt")
NEW_WORD = "квазарофлексия"  # occurs in no page until a test writes it (into a Russian one)
NEW_WORD_IT = "quasarflessia"  # the same, for an Italian page


@pytest.fixture()
def small(tmp_path):
    """A content root of six real files, its settings, and a first build."""
    root = tmp_path / "content"
    for rel in SMALL:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / rel, root / rel)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(root,))
    first = build_index(settings)
    assert first.added == len(SMALL) and not first.problems
    return root, settings


def gens(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


# -- end to end on data/ ----------------------------------------------------------------------
@pytest.mark.parametrize("query, first", [
    ("уколы от потливости", "botulinum-treatment/ru"),
    ("botox per le rughe", "botulinum-treatment/it"),
    ("θεραπεια υπεριδρωτικοτητασ", "botulinum-treatment/gr"),
])
def test_a_query_finds_its_page_first(data_kb, query, first):
    assert search_ids(data_kb, query)[:1] == [first]


def test_every_file_of_data_is_indexed_once(data_kb):
    files = [p.relative_to(DATA) for p in DATA.rglob("*")
             if p.suffix in (".md", ".txt", ".markdown") and "concepts" not in p.parts]
    listed = [item.id for lang in ("ru", "el", "it") for item in data_kb.catalogue(lang)]
    assert len(listed) == len(set(listed)) == len(files)
    assert {p.parts[0] for p in files} == {"pages", "articles"}


# -- incremental ------------------------------------------------------------------------------
def test_a_second_build_changes_nothing(small):
    root, settings = small
    before = gens(settings.index_dir)
    report = build_index(settings)
    assert not report.rebuilt
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == len(SMALL)
    assert report.total == len(SMALL)
    assert gens(settings.index_dir) == before


def test_changing_one_file_re_indexes_only_it_and_search_sees_the_new_text(small):
    root, settings = small
    kb = KnowledgeBase.open(settings.index_dir)
    assert search_ids(kb, NEW_WORD) == []
    page = root / "pages/mesotherapy/ru.md"
    page.write_text(page.read_text("utf-8") + f"\n\nНовая методика: {NEW_WORD}.\n", "utf-8")
    report = build_index(settings)
    assert not report.rebuilt
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert report.unchanged == len(SMALL) - 1
    assert search_ids(kb, NEW_WORD) == ["mesotherapy/ru"]  # the open KnowledgeBase sees it


def test_after_a_change_an_open_knowledge_base_no_longer_sees_the_old_version(small):
    root, settings = small
    kb = KnowledgeBase.open(settings.index_dir)
    assert search_ids(kb, "Мишелем") == ["mesotherapy/ru"]  # only this page (Pistor is Italian too)
    page = root / "pages/mesotherapy/ru.md"
    page.write_text(page.read_text("utf-8").replace("Мишелем", NEW_WORD), "utf-8")
    assert build_index(settings).updated == 1
    assert search_ids(kb, NEW_WORD) == ["mesotherapy/ru"]
    assert search_ids(kb, "Мишелем") == []  # only the old version had it
    catalogue = [item.id for item in kb.catalogue("ru")]
    assert catalogue.count("mesotherapy/ru") == 1


def test_deleting_a_file_drops_its_entry(small):
    root, settings = small
    (root / "articles/botulotoxin.ru.txt").unlink()
    report = build_index(settings)
    assert (report.added, report.updated, report.removed) == (0, 0, 1)
    assert report.total == len(SMALL) - 1
    kb = KnowledgeBase.open(settings.index_dir)
    assert kb.entry("articles/botulotoxin.ru") is None
    assert "articles/botulotoxin.ru" not in search_ids(kb, "ботулотоксин")


def test_after_a_deletion_an_open_knowledge_base_no_longer_finds_the_entry(small):
    root, settings = small
    kb = KnowledgeBase.open(settings.index_dir)
    assert kb.entry("articles/botulotoxin.ru") is not None
    (root / "articles/botulotoxin.ru.txt").unlink()
    assert build_index(settings).removed == 1
    assert kb.entry("articles/botulotoxin.ru") is None
    assert "articles/botulotoxin.ru" not in search_ids(kb, "ботулотоксин")


def test_renaming_a_file_moves_its_entry_to_the_new_id(small):
    root, settings = small
    (root / "articles/botulotoxin.ru.txt").rename(root / "articles/botox-facts.ru.txt")
    report = build_index(settings)
    assert (report.added, report.removed) == (1, 1)
    kb = KnowledgeBase.open(settings.index_dir)
    assert kb.entry("articles/botulotoxin.ru") is None
    assert kb.entry("articles/botox-facts.ru") is not None
    assert report.total == len(SMALL)


def test_a_file_that_becomes_broken_keeps_its_indexed_version(small):
    root, settings = small
    page = root / "pages/botulinum-treatment/ru.md"
    page.write_bytes(b"\xff\xfe\x00\x00 broken")
    report = build_index(settings)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.path.endswith("botulinum-treatment/ru.md")
    assert "kept" in problem.message
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    kb = KnowledgeBase.open(settings.index_dir)
    assert kb.entry("botulinum-treatment/ru") is not None
    assert search_ids(kb, '"нейромышечная блокада"')[:1] == ["botulinum-treatment/ru"]


def test_a_new_file_with_a_taken_id_is_refused_and_the_first_kept(small):
    root, settings = small
    copy = root / "zz" / "copy.md"
    copy.parent.mkdir()
    copy.write_text((root / "pages/mesotherapy/ru.md").read_text("utf-8") + f"\n{NEW_WORD}\n", "utf-8")
    report = build_index(settings)
    assert report.added == 0
    assert len(report.skipped) == 1 and "mesotherapy/ru" in report.skipped[0].message
    assert report.skipped[0].path.endswith("zz/copy.md")
    kb = KnowledgeBase.open(settings.index_dir)
    assert search_ids(kb, NEW_WORD) == []


def test_an_added_file_is_indexed(small):
    root, settings = small
    (root / "articles" / "new.it.txt").write_text(f"Un articolo sulla {NEW_WORD_IT}.", "utf-8")
    report = build_index(settings)
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert search_ids(KnowledgeBase.open(settings.index_dir), NEW_WORD_IT) == ["articles/new.it"]


# -- generations ------------------------------------------------------------------------------
def test_a_full_rebuild_switches_generations_and_an_open_knowledge_base_follows(small):
    root, settings = small
    index_dir = settings.index_dir
    kb = KnowledgeBase.open(index_dir)
    first = current_generation(index_dir).name
    assert search_ids(kb, "мезотерапия")[:1] == ["mesotherapy/ru"]
    page = root / "pages/mesotherapy/it.md"
    page.write_text(page.read_text("utf-8") + f"\n{NEW_WORD_IT}\n", "utf-8")
    report = build_index(settings, full=True)
    assert report.rebuilt
    assert report.generation != first
    assert (index_dir / CURRENT).read_text().strip() == report.generation
    assert search_ids(kb, NEW_WORD_IT) == ["mesotherapy/it"]  # the old KnowledgeBase reopened itself


def test_the_index_directory_holds_current_and_one_or_two_generations(small):
    root, settings = small
    index_dir = settings.index_dir
    kb = KnowledgeBase.open(index_dir)
    assert (index_dir / CURRENT).is_file()
    assert len(gens(index_dir)) == 1
    for _ in range(2):  # gen 1 -> 1, 2 -> 2, 3: the oldest is removed
        report = build_index(settings, full=True)
        names = gens(index_dir)
        assert 1 <= len(names) <= 2
        assert report.generation in names
        assert current_generation(index_dir).name == report.generation == names[-1]
    assert search_ids(kb, "мезотерапия")[:1] == ["mesotherapy/ru"]  # its generation was removed


def test_a_rebuild_gives_the_same_entries(small):
    root, settings = small
    report = build_index(settings, full=True)
    assert report.rebuilt and report.added == len(SMALL)
    assert dict(report.entries_by_lang) == {"ru": 3, "el": 1, "it": 2}


def test_opening_a_directory_without_an_index_raises_index_missing(tmp_path):
    with pytest.raises(IndexMissing) as info:
        KnowledgeBase.open(tmp_path / "nothing")
    assert "kb index" in str(info.value)


# -- translations -----------------------------------------------------------------------------
def test_entries_with_the_same_page_id_list_each_other_as_translations(data_kb):
    ids = {"botulinum-treatment/ru", "botulinum-treatment/gr", "botulinum-treatment/it"}
    for entry_id in ids:
        listed = {t.id for t in data_kb.translations(entry_id)}
        assert listed == ids - {entry_id}


def test_a_page_in_two_languages_lists_only_the_other(data_kb):
    assert [t.id for t in data_kb.translations("mesotherapy/it")] == ["mesotherapy/ru"]


def test_an_article_has_no_translations(data_kb):
    assert data_kb.translations("articles/botulotoxin.ru") == []


@pytest.mark.parametrize("written", ["botulinum-treatment/gr", "botulinum-treatment/el"])
def test_a_greek_entry_is_found_by_gr_and_by_el(data_kb, written):
    entry = data_kb.entry(written)
    assert entry is not None and entry.id == "botulinum-treatment/gr" and entry.lang == "el"


def test_an_index_built_by_another_version_is_refused_with_a_clear_message(small):
    import json

    from indexer import store

    _, settings = small
    gen = store.current_generation(settings.index_dir)
    meta = json.loads((gen / store.META).read_text())
    (gen / store.META).write_text(json.dumps(meta | {"schema_version": -1}))
    assert not store.index_exists(settings.index_dir)
    with pytest.raises(store.IndexOutdated, match="another version"):
        KnowledgeBase.open(settings.index_dir)
    assert build_index(settings).rebuilt  # and the next kb index rebuilds it


def test_a_rebuild_killed_before_it_went_live_is_cleared_by_the_next_kb_index(small):
    _, settings = small
    live = current_generation(settings.index_dir)
    abandoned = live.parent / "gen-999998"
    abandoned.mkdir()
    (abandoned / "MAIN_half.seg").write_bytes(b"half-written")
    report = build_index(settings)
    assert not report.rebuilt
    assert not abandoned.exists()
    assert current_generation(settings.index_dir) == live
