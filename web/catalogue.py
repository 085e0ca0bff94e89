"""A language's catalogue grouped for its home page: concept groups first, articles last."""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from itertools import chain, groupby
from pathlib import Path
from typing import Iterable, Iterator

from flask import Flask, current_app, request
from markupsafe import Markup

from indexer.search.catalogue import CatalogueItems
from indexer.search.results import CatalogueItem
from kb.concepts import load_group_titles

_TITLES = "clinic_kb_group_titles"
_RENDERED = "clinic_kb_catalogue_html"
TEMPLATE = "pages/_catalogue.html"
CHUNK = 32 * 1024  # characters of the rendered catalogue compressed together


@dataclass(frozen=True)
class RenderedCatalogue:
    """A language's catalogue section as its home page shows it, in zlib-compressed chunks, and
    what it was made from: the catalogue's digest, the group titles and the URLs' root."""
    digest: str
    titles: dict
    script_root: str
    chunks: tuple[bytes, ...]


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


def catalogue_html(lang: str, items: CatalogueItems, size: int = CHUNK) -> Iterator[Markup]:
    """The home page's catalogue section of ``lang`` in pieces, for streaming. It is the same for
    every visitor, so it is rendered once (TEMPLATE, streamed item by item as before) and kept,
    compressed, until the catalogue's content (its digest), the group titles or the root of
    the URLs change; until then ``items`` are never unpacked. A rendering not read to its end
    (the visitor left) is not kept."""
    kept = current_app.extensions.setdefault(_RENDERED, {})
    titles = group_titles(current_app)
    found = kept.get(lang)
    if found is not None and (found.digest, found.script_root) == (items.digest, request.script_root) \
            and found.titles is titles:
        for chunk in found.chunks:
            yield Markup(zlib.decompress(chunk).decode("utf-8"))
        return
    first = next(items, None)
    groups = group_catalogue(chain((first,), items)) if first is not None else []
    context: dict = {}
    current_app.update_template_context(context)
    pieces = current_app.jinja_env.get_template(TEMPLATE).generate(**context, groups=groups)
    chunks = []
    for piece in joined(pieces, size):
        chunks.append(zlib.compress(piece.encode("utf-8"), 1))
        yield Markup(piece)
    kept[lang] = RenderedCatalogue(items.digest, titles, request.script_root, tuple(chunks))


def joined(pieces: Iterable[str], size: int = 32 * 1024) -> Iterator[str]:
    """Many small pieces joined into pieces of about ``size`` characters (each is one write to
    the client: see OUTBUF_HIGH_WATERMARK in web.server)."""
    chunk, length = [], 0
    for piece in pieces:
        chunk.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(chunk)
            chunk, length = [], 0
    if chunk:
        yield "".join(chunk)
