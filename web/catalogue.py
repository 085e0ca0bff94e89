"""A language's catalogue grouped for its home page: concept groups first, articles last."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Iterable, Iterator

from indexer.results import CatalogueItem


@dataclass(frozen=True)
class CatalogueGroup:
    group: str
    items: Iterator[CatalogueItem]  # read once, before the next group


def group_catalogue(items: Iterable[CatalogueItem]) -> Iterator[CatalogueGroup]:
    """Items by group, one item at a time (the home page streams them), for items in the
    catalogue's order: sorted by group with articles last, so each group's items come together
    and the groups come in the order the catalogue gives them. Each group's items must be read
    before the next group."""
    for group, members in groupby(items, key=lambda item: item.group or "other"):
        yield CatalogueGroup(group, members)
