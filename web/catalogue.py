"""A language's catalogue grouped for its home page: concept groups first, articles last."""
from __future__ import annotations

import os
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Iterable, Iterator

from flask import Flask

from indexer.results import CatalogueItem
from kb.concepts import load_group_titles

_TITLES = "clinic_kb_group_titles"


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


def group_titles(app: Flask) -> dict[str, dict[str, str]]:
    """The concept files' group titles (group -> language -> title), read again when a file
    of the concept folder changes (a title edited by staff shows without a restart)."""
    folder = Path(app.config["SETTINGS"].concepts_dir)
    stamp = _stamp(folder)
    cached = app.extensions.get(_TITLES)
    if cached is None or cached[0] != stamp:
        cached = app.extensions[_TITLES] = (stamp, load_group_titles(folder))
    return cached[1]


def _stamp(folder: Path) -> tuple:
    try:
        with os.scandir(folder) as entries:
            return tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size)
                                for e in entries if e.name.endswith(".toml")))
    except OSError:
        return ()
