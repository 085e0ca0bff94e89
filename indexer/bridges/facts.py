"""What one entry contributes to the learned bridges, extracted once per version of the entry:
its structure's items as content terms (for alignment with its translations) and its glosses.
A re-index re-extracts only the entries whose stored data changed."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..analysis import Analysis, stop_words
from .glosses import find_glosses

Terms = tuple[str, ...]


@dataclass(frozen=True)
class Item:
    text: str
    terms: Terms


@dataclass(frozen=True)
class EntryFacts:
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
        """Content terms of a text (first alternative of each position; stop words out)."""
        stops = self.stops(lang)
        return tuple(dict.fromkeys(p[0] for p in self.analysis.positions(text, lang, mode="index")
                                   if p and p[0] not in stops and not p[0].isdigit()))

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


def data_digest(raw: str) -> str:
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def read_facts(reader, extractor: Extractor, cache: dict[str, EntryFacts]) -> dict[str, EntryFacts]:
    """Facts of every live document of the index, by the digest of its stored data; ``cache``
    holds the previous run's (reused when the data is the same)."""
    facts: dict[str, EntryFacts] = {}
    for _, stored in reader.iter_docs():
        raw = stored.get("data")
        if not raw:
            continue
        digest = data_digest(raw)
        found = cache.get(digest)
        if found is None:
            found = extractor.extract(json.loads(raw))
        facts[digest] = found
    return facts
