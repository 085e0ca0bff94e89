"""What one entry contributes to the learned bridges, extracted once per version of the entry:
its structure's items as content terms (for alignment with its translations) and its glosses.
A re-index re-extracts only the entries whose stored data changed."""
from __future__ import annotations

import json
import re
from typing import NamedTuple

from indexer.analysis import ITALIAN_WORD_PATTERN, Analysis, stop_words
from indexer.bridges.glosses import find_glosses

Terms = tuple[str, ...]
_WORD = re.compile(ITALIAN_WORD_PATTERN)


class Item(NamedTuple):  # tuples: ten thousand entries' facts pickle and load quickly
    text: str
    terms: Terms


class EntryFacts(NamedTuple):
    id: str
    lang: str
    page_id: str
    sections: tuple[tuple[str, tuple[Item, ...]], ...]  # (section, items) aligned by position
    glosses: tuple[tuple[Item, Item], ...]  # (head, gloss)


class Extractor:
    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self._stops: dict[str, frozenset[str]] = {}

    def stops(self, lang: str) -> frozenset[str]:
        found = self._stops.get(lang)
        if found is None:
            found = self._stops[lang] = frozenset(
                t for w in stop_words(lang) for t in self.analysis.word_terms(w, lang, mode="index"))
        return found

    def terms(self, text: str, lang: str) -> Terms:
        """Content terms of a text: each word's first index term (cached per word), stop words
        and numbers out."""
        stops = self.stops(lang)
        out = []
        for word in _WORD.findall(text):
            found = self.analysis.word_terms(word, lang, mode="index")
            if found and found[0] not in stops and not found[0].isdigit():
                out.append(found[0])
        return tuple(dict.fromkeys(out))

    def item(self, text: str, lang: str) -> Item:
        return Item(text, self.terms(text, lang))

    def extract(self, data: dict) -> EntryFacts:
        lang = data.get("lang", "")
        s = data.get("structure") or {}
        sections = [("title", (self.item(data.get("title", ""), lang),))]
        sections.append(("treatments", tuple(self.item(t, lang) for t in s.get("treatments", ()))))
        sections.append(("mechanisms", tuple(self.item(m["name"], lang) for m in s.get("mechanisms", ()))))
        sections.append(("indications", tuple(self.item(t, lang) for t in s.get("indications", ()))))
        texts = [data.get("title", ""), *s.get("treatments", ()), s.get("text", ""),
                 *(f"{m['name']}: {m['explanation']}" for m in s.get("mechanisms", ())),
                 *s.get("indications", ())]
        glosses = []
        for head, gloss in find_glosses("\n".join(texts)):
            h, g = self.item(head, lang), self.item(gloss, lang)
            if h.terms and g.terms and not set(h.terms) & set(g.terms):
                glosses.append((h, g))
        return EntryFacts(data.get("id", ""), lang, data.get("page_id") or "",
                          tuple(sections), tuple(glosses))


def read_facts(searcher, entries: dict[str, str], extractor: Extractor,
               cache: dict[str, EntryFacts]) -> dict[str, EntryFacts]:
    """Facts of the index's entries. ``entries``: key (an entry's id and content digest) -> id;
    ``cache``: the previous run's facts by key, reused: only new keys read their stored entry."""
    facts: dict[str, EntryFacts] = {}
    for key, entry_id in entries.items():
        found = cache.get(key)
        if found is None:
            stored = searcher.document(id=entry_id)
            if not stored or not stored.get("data"):
                continue
            found = extractor.extract(json.loads(stored["data"]))
        facts[key] = found
    return facts
