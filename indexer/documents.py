"""An entry as an index document: section texts per language, concepts, stored display data."""
from __future__ import annotations

import json
from collections import Counter

from kb.model import Entry

from .analysis import Analysis
from .concepts import ConceptMatcher
from .schema import section_field, words_field

# A concept named in the title or the treatments says more about a page than one in passing.
CONCEPT_WEIGHTS = {"title": 3, "treatments": 2, "indications": 1, "mechanisms": 1, "body": 1}


def section_texts(entry: Entry) -> dict[str, str]:
    s = entry.structure
    return {
        # a title made of an article's opening words is body text, not a title
        "title": "\n".join(t for t in (entry.title, entry.subtitle) if t)
        if entry.title_source != "text" else "",
        "treatments": "\n".join(s.treatments),
        "mechanisms": "\n".join(f"{m.name}: {m.explanation}" for m in s.mechanisms),
        "indications": "\n".join(s.indications),
        "body": "\n".join(t for t in (s.text, entry.alt) if t),
    }


def entry_concepts(texts: dict[str, str], lang: str, analysis: Analysis,
                   matcher: ConceptMatcher) -> Counter:
    weighted: Counter = Counter()
    for section, text in texts.items():
        if text:
            found = matcher.match(analysis.positions(text, lang), lang)
            for concept_id, count in found.items():
                weighted[concept_id] += count * CONCEPT_WEIGHTS[section]
    return weighted


def entry_group(entry: Entry, concepts: Counter, matcher: ConceptMatcher) -> str:
    """The catalogue group: articles apart; pages by their weightiest concept's group."""
    if entry.kind == "article":
        return "articles"
    for concept_id, _ in concepts.most_common():
        group = matcher.group_of(concept_id)
        if group:
            return group
    return "other"


def entry_document(entry: Entry, source: str, digest: str, analysis: Analysis,
                   matcher: ConceptMatcher) -> dict:
    texts = section_texts(entry)
    concepts = entry_concepts(texts, entry.lang, analysis, matcher)
    doc = {
        "id": entry.id,
        "source": source,
        "version": f"{source}\x1f{digest}\x1f{entry.id}",
        "lang": entry.lang,
        "kind": entry.kind,
        "title": entry.title,
        "written": entry.lang_written,
        "group": entry_group(entry, concepts, matcher),
        "concepts": " ".join(c for c, n in concepts.items() for _ in range(min(n, 50))),
        "heads": "\n".join((entry.title, texts["treatments"])),
        "data": json.dumps(entry.to_dict(), ensure_ascii=False),
        words_field(entry.lang): "\n".join(texts.values()),
    }
    if entry.page_id:
        doc["page_id"] = entry.page_id
    for section, text in texts.items():
        if text:
            doc[section_field(section, entry.lang)] = text
    return doc
