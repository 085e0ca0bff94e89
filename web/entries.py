"""Finding an entry from its URL, and what its page shows."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup

from indexer.search.results import Translation
from kb.languages import LANGUAGES
from kb.model import Entry
from web.markup import kept_markdown
from web.urls import candidate_ids, entry_url


def find_entry(kb, path: str, lang: str) -> Entry | None:
    """The entry an URL path names in ``lang`` (a page's id, or an article's), or None."""
    for entry_id in candidate_ids(path, lang):
        entry = kb.entry(entry_id)
        if entry is not None:
            return entry
    return None


def versions_elsewhere(kb, path: str, lang: str) -> list[Entry]:
    """The page ``path`` in the other languages (for a 404 that offers them)."""
    versions = []
    for other in LANGUAGES:
        if other == lang:
            continue
        for entry_id in candidate_ids(path, other)[:-1]:  # page ids only: the bare path was tried
            entry = kb.entry(entry_id)
            if entry is not None:
                versions.append(entry)
                break
    return versions


@dataclass(frozen=True)
class EntryPage:
    entry: Entry
    body_html: Markup
    translations: tuple[Translation, ...]  # other languages' versions, in LANGUAGES order
    alternates: dict[str, str]  # lang -> absolute URL, this entry included (hreflang links)
    switch: dict[str, str]  # lang -> where the language switch goes (translation or home)

    @property
    def structured(self) -> bool:
        """Whether the text has treatments, mechanisms or indications to show as sections."""
        entry = self.entry
        return bool(entry.treatments or entry.mechanisms or entry.indications)

    @classmethod
    def build(cls, entry: Entry, translations: list[Translation]) -> "EntryPage":
        others = sorted(
            (t for t in translations if t.id != entry.id and t.lang != entry.lang),
            key=lambda t: LANGUAGES.index(t.lang) if t.lang in LANGUAGES else len(LANGUAGES),
        )
        versions = {entry.lang: (entry.id, entry.lang_written)}
        for t in others:
            versions.setdefault(t.lang, (t.id, t.lang_written))
        alternates = {lang: entry_url(entry_id, lang, written, _external=True)
                      for lang, (entry_id, written) in versions.items()}
        switch = {lang: url_for("pages.home", lang=lang) for lang in LANGUAGES}
        for lang, (entry_id, written) in versions.items():
            switch[lang] = entry_url(entry_id, lang, written)
        return cls(entry, kept_markdown(entry.body), tuple(others), alternates, switch)
