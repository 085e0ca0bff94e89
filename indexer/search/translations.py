"""A page's versions in the other languages (the entries sharing its page_id), read once per
snapshot and kept in the segment cache."""
from __future__ import annotations

from kb.languages import LANGUAGES

from indexer.engine.segments import text_bytes
from indexer.search.results import Translation


def translations(snapshot, page_id: str | None, own_id: str) -> list[Translation]:
    """The other versions of ``own_id``'s page, in the order of LANGUAGES."""
    if not page_id:
        return []
    versions = snapshot.cache.fetch((snapshot.key, "versions", page_id),
                                    lambda: _versions(snapshot, page_id), text_bytes)
    return [t for t in versions if t.id != own_id]


def _versions(snapshot, page_id: str) -> list[Translation]:
    versions = [Translation(d["id"], d["lang"], d.get("written", d["lang"]), d.get("title", ""))
                for d in snapshot.documents(page_id=page_id)]
    versions.sort(key=lambda t: LANGUAGES.index(t.lang))
    return versions
