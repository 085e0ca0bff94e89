"""A language's catalogue grouped for its home page: concept groups first, articles last."""
from __future__ import annotations

from dataclasses import dataclass

from indexer.results import CatalogueItem

ARTICLES = "articles"


@dataclass(frozen=True)
class CatalogueGroup:
    group: str
    items: tuple[CatalogueItem, ...]


def group_catalogue(items: list[CatalogueItem]) -> list[CatalogueGroup]:
    """Items by group, in the order the catalogue gives the groups; articles at the end."""
    groups: dict[str, list[CatalogueItem]] = {}
    for item in items:
        groups.setdefault(item.group or "other", []).append(item)
    order = sorted(groups, key=lambda group: group == ARTICLES)  # stable: keeps first-seen order
    return [CatalogueGroup(group, tuple(groups[group])) for group in order]
