"""What the search path remembers between searches (snippets' surface words, a word's bridges, a
query text's analysis) changes no answer: the same snippets, bridges and results as computed
afresh, whatever was searched before, on a real index of data/ on disk."""
from __future__ import annotations

from dataclasses import replace

from indexer.analysis import Analysis
from indexer.bridges import Bridges
from indexer.documents import section_texts
from indexer.ranking import DEFAULT as DEFAULT_RANKING
from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
from indexer.search.snippets import SurfaceWords, make_snippet

QUERIES = ("мезотерапия", "ακμή", "cicatrici", "лечение морщин вокруг глаз", '"tossina botulinica"',
           "ботокс", "rughe", "microneedlign")


def search(kb, text):
    return kb.search(SearchRequest(text, facets=True))


def _texts(kb, entry_id):
    return section_texts(kb.entry(entry_id))


def test_searches_give_the_same_snippets_on_a_fresh_knowledge_base_and_a_used_one(data_index):
    used = KnowledgeBase.open(data_index)
    try:
        for query in reversed(QUERIES):  # the surface words of other searches learned first
            search(used, query)
        for query in QUERIES:
            fresh = KnowledgeBase.open(data_index)
            try:
                expected = search(fresh, query)
            finally:
                fresh.close()
            got = search(used, query)
            assert [(h.id, h.snippet, h.sections) for h in got.hits] == \
                   [(h.id, h.snippet, h.sections) for h in expected.hits], query
    finally:
        used.close()


def test_a_word_learned_by_another_search_meanwhile_is_still_marked(data_kb):
    analysis = Analysis()
    texts = _texts(data_kb, "botulinum-treatment/ru")
    terms = set(analysis.word_terms("мигрени", "ru")) | set(analysis.word_terms("потливость", "ru"))
    seen: dict = {}
    make_snippet({"title": "ботулинотерапия"}, "ru", terms, analysis, seen)  # this search's memo made
    # another search learns the page's words meanwhile, then this search reads the page
    make_snippet(texts, "ru", {"ботокс"}, analysis, {})
    assert make_snippet(texts, "ru", terms, analysis, seen) == make_snippet(texts, "ru", terms, Analysis(), {})


def test_snippets_are_the_same_when_the_surface_words_are_full(data_kb):
    analysis = Analysis()
    analysis.snippet_words["ru"] = SurfaceWords("ru", limit=5)  # room for five words only
    texts = _texts(data_kb, "botulinum-treatment/ru")
    terms = set(analysis.word_terms("мигрени", "ru"))
    assert make_snippet(texts, "ru", terms, analysis, {}) == make_snippet(texts, "ru", terms, Analysis(), {})
    assert len(analysis.snippet_words["ru"].terms_of) == 5


def test_a_words_bridges_are_the_same_asked_again_and_follow_replaced_tables(data_kb):
    bridges: Bridges = data_kb.served.bridges()
    terms = {"ru": ("мезотерап",)}
    first = bridges.expand("мезотерапия", terms, "ru")
    assert bridges.expand("мезотерапия", terms, "ru") == first
    emptied = replace(bridges, translations={}, synonyms={})
    assert emptied.expand("мезотерапия", terms, "ru") == emptied._expand("мезотерапия", terms, "ru", DEFAULT_RANKING.bridges)
    emptied.translations = bridges.translations  # a table replaced in place: asked afresh
    emptied.synonyms = bridges.synonyms
    assert emptied.expand("мезотерапия", terms, "ru") == first


def test_a_query_texts_positions_are_the_same_asked_again_and_cannot_be_changed_by_a_caller():
    analysis = Analysis()
    first = analysis.positions("лечение морщин вокруг глаз", "ru", mode="query")
    first.append(("changed",))
    again = analysis.positions("лечение морщин вокруг глаз", "ru", mode="query")
    assert again == Analysis().positions("лечение морщин вокруг глаз", "ru", mode="query")
    assert ("changed",) not in again


def test_suggestions_asked_again_are_the_same_and_follow_a_reindex(tmp_path):
    import shutil

    from core_support import DATA
    from indexer.build.builder import build_index
    from kb.config import Settings

    content = tmp_path / "data"
    shutil.copytree(DATA, content)
    settings = Settings(index_dir=tmp_path / "index", content_roots=(content,))
    build_index(settings)
    kb = KnowledgeBase.open(settings.index_dir)
    try:
        first = kb.suggest("бот", lang="ru")
        assert first and kb.suggest("бот", lang="ru") == first
        assert not kb.suggest("ботулинотерапевтика", lang="ru")
        page = content / "pages" / "botulinum-treatment" / "ru.md"
        page.write_text(page.read_text("utf-8").replace(
            "title: Специализированные лечения", "title: Ботулинотерапевтика: специализированные лечения"), "utf-8")
        build_index(settings)
        assert [s.id for s in kb.suggest("ботулинотерапевтика", lang="ru")] == ["botulinum-treatment/ru"]
    finally:
        kb.close()
