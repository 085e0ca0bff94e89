"""The index's fields: per-language section fields, plus language-neutral ones."""
from __future__ import annotations


from kb.languages import LANGUAGES

from indexer.analysis import WORD_PATTERN, Analysis, FoldFilter
from indexer.engine.fields import ID, KEYWORD, STORED, TEXT, RegexTokenizer, Schema

SCHEMA_VERSION = 8
SECTIONS = ("title", "treatments", "mechanisms", "indications", "body")
# how much a match in each section weighs: indexer/ranking.py (Ranking.section_boosts)


def section_field(section: str, lang: str) -> str:
    return f"{section}_{lang}"


def words_field(lang: str) -> str:
    return f"words_{lang}"


def concepts_field(section: str) -> str:
    """The concepts found in one section of an entry (a search restricted to it asks this)."""
    return f"concepts_{section}"


def build_schema(analysis: Analysis) -> Schema:
    fields = {
        "id": ID(stored=True, unique=True),
        "source": ID(stored=True, unique=True),  # "<root>\x1f<relative path>"
        "version": ID(),  # "<source>\x1f<content hash>\x1f<id>": the index's own manifest
        "page_id": ID(stored=True),
        "lang": ID(stored=True),
        "kind": ID(stored=True),
        "group": ID(stored=True),
        "concepts": KEYWORD(scorable=True),
        **{concepts_field(section): KEYWORD(scorable=True) for section in SECTIONS},
        "heads": TEXT(analyzer=RegexTokenizer(WORD_PATTERN) | FoldFilter("any"), phrase=True),
        "title": STORED(),
        "written": STORED(),  # the language as the page writes it ("gr")
        "data": STORED(),  # the entry as JSON: what display and snippets need
    }
    for lang in LANGUAGES:
        analyzer = analysis.analyzers[lang]
        for section in SECTIONS:
            fields[section_field(section, lang)] = TEXT(analyzer=analyzer, phrase=True)
        fields[words_field(lang)] = TEXT(analyzer=analysis.word_analyzers[lang], phrase=False)
    return Schema(**fields)
