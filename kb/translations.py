"""Translations: entries sharing a page_id, and source_hash drift between them."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from .model import Entry


def group_by_page(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.page_id:
            groups[entry.page_id].append(entry)
    return dict(groups)


@dataclass(frozen=True)
class Drift:
    entry_id: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.entry_id}: {self.message}"


def find_drift(entries: Iterable[Entry]) -> list[Drift]:
    """Translations whose source_hash is missing, or differs from what most of their siblings have."""
    drifts: list[Drift] = []
    for page_id, group in sorted(group_by_page(entries).items()):
        if len(group) < 2:
            continue
        hashes = Counter(e.source_hash for e in group if e.source_hash)
        common = hashes.most_common(1)[0][0] if hashes else None
        for entry in sorted(group, key=lambda e: e.id):
            path = f"{entry.root}/{entry.path}"
            if entry.source_hash is None:
                note = f" (its translations have {common})" if common else ""
                drifts.append(Drift(entry.id, path, f"no source_hash{note}"))
            elif common and entry.source_hash != common:
                drifts.append(Drift(entry.id, path,
                                    f"source_hash {entry.source_hash} differs from its translations' {common}"))
    return drifts
