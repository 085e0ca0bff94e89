"""An entry as an index document: section texts per language, concepts, stored display data."""
from __future__ import annotations

import json
from collections import Counter

from kb.model import Entry, Mechanism, Structure

from indexer.analysis import Analysis
from indexer.concepts import ConceptMatcher
from indexer.schema import concepts_field, section_field, words_field

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
                   matcher: ConceptMatcher, analyzed: dict[str, list[str]] | None = None,
                   by_section: dict[str, Counter] | None = None,
                   tokens: dict[str, list[tuple[str, ...]]] | None = None) -> Counter:
    """Concepts found in the sections, weighted by section. ``analyzed``, when given, receives
    each section's index terms (see _analyze), so that indexing need not analyze it again;
    ``by_section`` receives the concepts of each section, counted; ``tokens`` each section's
    index tokens word by word (`_tokens`)."""
    weighted: Counter = Counter()
    for section, text in texts.items():
        if text:
            words = _tokens(text, lang, analysis)
            positions, terms = _positions(words)
            if analyzed is not None and terms is not None:
                analyzed[section] = terms
            if tokens is not None:
                tokens[section] = words
            found = matcher.match(positions, lang)
            if by_section is not None and found:
                by_section[section] = found
            for concept_id, count in found.items():
                weighted[concept_id] += count * CONCEPT_WEIGHTS[section]
    return weighted


def _repeated(concepts: Counter) -> str:
    """Concept ids as keyword text, each as many times as counted (at most 50)."""
    return " ".join(c for c, n in concepts.items() for _ in range(min(n, 50)))


def _analyze(text: str, lang: str, analysis: Analysis):
    """(Analysis.positions(text, lang), the index terms in order or None).

    The terms are given when every position holds exactly one token: Whoosh then indexes the
    list exactly as it indexes the text (positions 0, 1, 2 ...), and the text is analyzed once
    instead of twice (once for concepts, once by the writer)."""
    return _positions(_tokens(text, lang, analysis))


def _tokens(text: str, lang: str, analysis: Analysis) -> list[tuple[str, ...]]:
    """The index analyzer's tokens of ``text``, word by word (position by position), as
    ``analysis.analyzers[lang](text, positions=True, mode="index")`` gives them."""
    return [analysis.index_tokens(word, lang) for word in analysis.split_words(text, lang)]


def _positions(tokens: list[tuple[str, ...]]):
    """(the distinct terms of each position that has any, the terms in order or None)."""
    if all(len(t) == 1 for t in tokens):
        return tokens, [t[0] for t in tokens]
    return [tuple(dict.fromkeys(t)) for t in tokens if t], None


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
                   matcher: ConceptMatcher, tokens: dict | None = None) -> dict:
    """The entry's index document. ``tokens``, when given, receives the index tokens word by
    word of each section field and the word analyzer's of the words field (what Whoosh would
    make of those fields' values), for the pooled build's own encoding (indexer/build/pool.py)."""
    texts = section_texts(entry)
    analyzed: dict[str, list[str]] = {}
    by_section: dict[str, Counter] = {}
    sections: dict[str, list] | None = {} if tokens is not None else None
    concepts = entry_concepts(texts, entry.lang, analysis, matcher, analyzed, by_section, sections)
    doc = {
        "id": entry.id,
        "source": source,
        "version": f"{source}\x1f{digest}\x1f{entry.id}",
        "lang": entry.lang,
        "kind": entry.kind,
        "title": entry.title,
        "written": entry.lang_written,
        "group": entry_group(entry, concepts, matcher),
        "concepts": _repeated(concepts),
        **{concepts_field(section): _repeated(found) for section, found in by_section.items()},
        "heads": "\n".join((entry.title, texts["treatments"])),
        "data": json.dumps(entry.to_dict(), ensure_ascii=False),
        words_field(entry.lang): "\n".join(texts.values()),
    }
    if entry.page_id:
        doc["page_id"] = entry.page_id
    for section, text in texts.items():
        if text:
            doc[section_field(section, entry.lang)] = analyzed.get(section, text)
    if tokens is not None:
        lang = entry.lang
        for section, words in sections.items():
            tokens[section_field(section, lang)] = words
        # the words field's text is the sections' joined by newlines, which no word spans
        tokens[words_field(lang)] = [analysis.surface_tokens(word, lang)
                                     for text in texts.values() if text
                                     for word in analysis.split_words(text, lang)]
    return doc


def entry_from_data(data: dict) -> Entry:
    s = data.get("structure") or {}
    structure = Structure(
        treatments=tuple(s.get("treatments", ())),
        mechanisms=tuple(Mechanism(m["name"], m["explanation"]) for m in s.get("mechanisms", ())),
        indications=tuple(s.get("indications", ())),
        text=s.get("text", ""),
    )
    fields = {k: v for k, v in data.items() if k not in ("structure", "kind")}
    return Entry(**fields, structure=structure)
