"""Learned bridges (indexer/bridges/), soft concept matching, concept re-tagging and
`kb concepts suggest`: on real indexes of data/ on disk, with and without the concept files."""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from core_support import DATA, search_ids
from indexer import store
from indexer.analysis import Analysis
from indexer.bridges import Bridges
from indexer.bridges.parallel import learn_translations
from indexer.bridges.transliterate import key, keys
from indexer.build.builder import build_index
from indexer.concepts import ConceptMatcher
from indexer.search.query import parse_query
from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
from kb.concepts import load_concepts
from kb.config import Settings


@pytest.fixture(scope="module")
def bare_index(tmp_path_factory) -> Path:
    """data/ indexed with an empty concept folder: every bridge there is a learned one."""
    empty = tmp_path_factory.mktemp("no-concepts")
    index_dir = tmp_path_factory.mktemp("bare") / "index"
    build_index(Settings(index_dir=index_dir, content_roots=(DATA,), concepts_dir=empty))
    return index_dir


@pytest.fixture(scope="module")
def bare_kb(bare_index):
    kb = KnowledgeBase.open(bare_index)
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def bridges(bare_index) -> Bridges:
    return Bridges.load(store.current_generation(bare_index), facts=True)


# -- transliteration ---------------------------------------------------------------------------
@pytest.mark.parametrize("words", [
    ("коллаген", "κολλαγόνο", "collagene"),
    ("мезотерапия", "μεσοθεραπεία", "mesoterapia"),
    ("криолиполиз", "κρυολιπόλυση", "criolipolisi"),
])
def test_cognates_in_three_scripts_share_the_start_of_one_latin_key(words):
    found = [key(w) for w in words]
    assert len({k[:5] for k in found}) == 1, found


def test_a_russian_g_for_a_greco_latin_h_gives_the_key_without_it():
    assert key("iperplasia") in keys("гиперплазия")
    assert key("υπερπλασία") in keys("гиперплазия")


# -- cognates, translations, glosses ------------------------------------------------------------
def test_a_greek_word_finds_its_cognate_in_the_russian_and_italian_vocabularies(bridges):
    found = {(b.lang, b.term, b.kind) for b in bridges.expand("μεσοθεραπεία", {"el": ("μεσοθεραπ",)}, "el")}
    assert ("ru", "мезотерап", "cognate") in found
    assert ("it", "mesoterap", "cognate") in found


def test_a_page_id_group_aligns_its_translated_treatments_into_term_translations(bridges):
    group = [f for f in bridges.facts.values() if f.page_id == "chemical-peels"]
    assert {f.lang for f in group} == {"ru", "el", "it"}
    learned = learn_translations(group)
    # "трихлоруксусной кислотой" / "tricloroacetico" / "τριχλωροξικό": the TCA peel's treatment
    targets = {t for (lang, t) in learned.get(("it", "tricloroacet"), {})}
    assert "трихлоруксусн" in targets and "τριχλωροξ" in targets


def test_a_gloss_in_brackets_makes_its_word_a_synonym_in_the_same_language(bridges):
    # laser-vs-peel.gr: "Στο χημικό peeling (πίλινγκ)"
    assert "peeling" in bridges.synonyms.get(("el", "πιλινγκ"), {})


def test_nonsense_words_have_no_bridges(bridges):
    assert bridges.expand("xqzwv", {"it": ("xqzwv",)}, "it") == []
    assert bridges.expand("ψψψλκ", {"el": ("ψψψλκ",)}, "el") == []


# -- search -------------------------------------------------------------------------------------
def test_a_page_that_exists_only_in_another_language_is_found_without_concepts(bare_kb):
    # cryolipolysis exists in Greek only; the Russian word reaches it by its cognate
    assert search_ids(bare_kb, "криолиполиз", lang="ru")[0] == "cryolipolysis/gr"


def test_nonsense_finds_nothing_and_says_so(bare_kb, data_kb):
    for kb in (bare_kb, data_kb):
        for text in ("xqzwv", "ψψψλκ"):
            results = kb.search(SearchRequest(text))
            assert results.total == 0 and not results.hits


def test_a_nonsense_word_near_a_real_one_gets_a_spelling_suggestion(bare_kb):
    assert bare_kb.search(SearchRequest("ботоксс", lang="ru")).suggestion == "ботокс"


def test_a_weakly_bridged_page_ranks_below_the_own_language_page(bare_kb):
    # the Italian query's word is on the Italian page; the Russian and Greek versions are
    # reached only through bridges and stay below it
    ids = search_ids(bare_kb, "mesoterapia per la cellulite", lang="it")
    assert ids[0] == "mesotherapy/it"
    assert ids.index("mesotherapy/it") < ids.index("mesotherapy/ru")


def test_a_word_the_query_language_lacks_does_not_lift_a_translation_over_its_own_version(bare_kb):
    # sclerotherapy exists in Greek: its Italian and Russian versions, reached by cognates of a
    # misspelt word, do not rank above it
    ids = search_ids(bare_kb, "σκληροθεραπεία με πολυδοκανόλη", lang="el")
    assert ids[0] == "sclerotherapy/gr"


# -- soft concept matching ----------------------------------------------------------------------
def test_a_concept_named_in_part_scores_below_a_full_match(data_kb):
    builder = data_kb.query_builder()
    partial = builder.build(parse_query("lifting del viso con radiofrequenza"), "it", None)
    full = builder.build(parse_query("lifting con radiofrequenza"), "it", None)
    assert "rf-lifting" in full.concepts
    assert "rf-lifting" not in partial.concepts
    assert 0 < partial.soft_concepts["rf-lifting"] < 1


def test_a_query_of_common_words_gains_no_soft_concepts(data_kb):
    builder = data_kb.query_builder()
    plan = builder.build(parse_query("кожа лица после процедуры"), "ru", None)
    assert len(plan.soft_concepts) <= 3
    assert all(w < 0.6 for w in plan.soft_concepts.values())


# -- concept edits ------------------------------------------------------------------------------
def test_a_concept_edit_retags_in_place_as_a_rebuild_would(tmp_path):
    concepts = tmp_path / "concepts"
    shutil.copytree(DATA / "concepts", concepts)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(DATA,), concepts_dir=concepts)
    build_index(settings)
    before = store.current_generation(settings.index_dir)
    path = concepts / "injectables.toml"
    path.write_text(path.read_text("utf-8").replace('"ботокс"', '"ботокс", "кракозябра"', 1), "utf-8")
    report = build_index(settings)
    assert not report.rebuilt and store.current_generation(settings.index_dir) == before
    fresh = Settings(index_dir=tmp_path / "fresh", content_roots=(DATA,), concepts_dir=concepts)
    build_index(fresh)
    # the same concept tags, per entry and section, as a rebuild with the edited file gives
    assert concept_tags(settings.index_dir) == concept_tags(fresh.index_dir)
    edited = KnowledgeBase.open(settings.index_dir)
    assert search_ids(edited, "кракозябра")[0] == "botulinum-treatment/ru"


def test_a_removed_concept_term_retags_in_place_as_a_rebuild_would(tmp_path):
    concepts = tmp_path / "concepts"
    shutil.copytree(DATA / "concepts", concepts)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(DATA,), concepts_dir=concepts)
    build_index(settings)
    path = concepts / "peels.toml"
    path.write_text(path.read_text("utf-8").replace('"кислотный пилинг", ', "", 1), "utf-8")
    report = build_index(settings)
    assert not report.rebuilt
    fresh = Settings(index_dir=tmp_path / "fresh", content_roots=(DATA,), concepts_dir=concepts)
    build_index(fresh)
    assert concept_tags(settings.index_dir) == concept_tags(fresh.index_dir)


def concept_tags(index_dir: Path) -> dict:
    _, ix = store.open_current(index_dir)
    tags = {}
    with ix.searcher() as searcher:
        for fieldname in [f for f in ix.schema.names() if f.startswith("concepts")]:
            for term in searcher.lexicon(fieldname):
                for docnum in searcher.postings(fieldname, term).all_ids():
                    if searcher.reader().is_deleted(docnum):
                        continue
                    entry_id = searcher.stored_fields(docnum)["id"]
                    tags.setdefault(entry_id, set()).add((fieldname, term))
    return tags


# -- kb concepts suggest ------------------------------------------------------------------------
def test_concepts_suggest_prints_toml_the_concept_loader_accepts(bare_index, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CONCEPTS", str(tmp_path / "none"))
    (tmp_path / "none").mkdir()
    result = CliRunner().invoke(main, ["concepts", "suggest", "--index", str(bare_index)])
    assert result.exit_code == 0, result.output
    proposed = tomllib.loads(result.stdout)
    assert len(proposed) >= 10
    folder = tmp_path / "proposed"
    folder.mkdir()
    (folder / "suggested.toml").write_text(result.stdout, "utf-8")
    loaded = load_concepts(folder)
    assert len(loaded) == len(proposed)
    assert "# evidence: chemical-peels/" in result.stdout


def test_concepts_suggest_writes_nothing(bare_index, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CONCEPTS", str(DATA / "concepts"))
    gen = store.current_generation(bare_index)
    before = {p: p.stat().st_mtime_ns for p in gen.rglob("*")}
    result = CliRunner().invoke(main, ["concepts", "suggest", "--index", str(bare_index)])
    assert result.exit_code == 0, result.output
    assert {p: p.stat().st_mtime_ns for p in gen.rglob("*")} == before


def test_an_open_knowledge_base_follows_a_concept_edit_without_reopening(tmp_path):
    # a re-tag rewrites the matcher in place (same generation): a running server must use it
    concepts = tmp_path / "concepts"
    shutil.copytree(DATA / "concepts", concepts)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(DATA,), concepts_dir=concepts)
    build_index(settings)
    serving = KnowledgeBase.open(settings.index_dir)
    assert search_ids(serving, "кракозябра") == []
    path = concepts / "injectables.toml"
    path.write_text(path.read_text("utf-8").replace('"ботокс"', '"ботокс", "кракозябра"', 1), "utf-8")
    assert not build_index(settings).rebuilt
    assert search_ids(serving, "кракозябра")[0] == "botulinum-treatment/ru"
