"""The home page's catalogue of a language, kept compressed between requests."""
from __future__ import annotations

import hashlib
import io
import json
import pickle
import sys
import zlib
from array import array
from typing import Iterator

from indexer.search.results import CatalogueItem, lang_param

CATALOGUE_BLOCK = 256  # catalogue items compressed together


def pack_catalogue(snapshot, lang: str) -> tuple[list[bytes], int, str]:
    """A language's catalogue items in catalogue order, pickled, in zlib-compressed blocks of
    CATALOGUE_BLOCK items (at 100,000 entries 3 MB a language, where the items themselves took
    54 MB and their pickles 18 MB), how many there are, and a digest of them all (what a page
    made from the catalogue can be kept by: CatalogueItems.digest). Each item is pickled into one buffer
    as its document is read, so that nothing per item outlives the parsed document but its sort
    key (the documents freed on the way leave no holes pinned by items kept between them)."""
    buffer, keys, spans = bytearray(), [], array("Q")
    for stored in snapshot.documents(lang=lang):
        data = json.loads(stored["data"])
        group = stored.get("group", "other")
        item = (data["id"], data.get("page_id"), data["title"], data["lang_written"], data["kind"],
                group, tuple(data["structure"]["treatments"]))
        keys.append((group == "articles", group, item[2].casefold()))
        spans.append(len(buffer))
        buffer += pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    spans.append(len(buffer))
    order = sorted(range(len(keys)), key=keys.__getitem__)  # stable: ties in document order
    del keys
    view, blocks, digest = memoryview(buffer), [], hashlib.blake2b(lang.encode(), digest_size=16)
    for at in range(0, len(order), CATALOGUE_BLOCK):
        pickles = b"".join(view[spans[i]:spans[i + 1]] for i in order[at:at + CATALOGUE_BLOCK])
        digest.update(pickles)
        blocks.append(zlib.compress(pickles, 1))
    view.release()
    return blocks, len(order), digest.hexdigest()


class CatalogueItems:
    """A packed catalogue's items, one at a time; ``digest`` names its content (two catalogues
    with one digest list the same items in the same order), read without unpacking any."""

    def __init__(self, packed: tuple[list[bytes], int, str], lang: str):
        self.digest = packed[2]
        self._items = _unpack(packed, lang)

    def __iter__(self) -> "CatalogueItems":
        return self

    def __next__(self) -> CatalogueItem:
        return next(self._items)


def unpack_catalogue(packed: tuple[list[bytes], int, str], lang: str) -> CatalogueItems:
    return CatalogueItems(packed, lang)


def _unpack(packed: tuple[list[bytes], int, str], lang: str) -> Iterator[CatalogueItem]:
    blocks, count, _ = packed
    for at, block in enumerate(blocks):
        items = pickle.Unpickler(io.BytesIO(zlib.decompress(block)))
        for _ in range(min(CATALOGUE_BLOCK, count - at * CATALOGUE_BLOCK)):
            id_, page_id, title, written, kind, group, treatments = items.load()
            yield CatalogueItem(id_, page_id, title, lang, sys.intern(written), sys.intern(kind),
                                sys.intern(group), treatments)


class Catalogue:
    """Each language's packed catalogue, for the snapshot it was read from (a commit or a new
    generation makes it read again). Thread-safe enough: two threads may pack the same one."""

    def __init__(self):
        self._packed: dict[str, tuple[tuple, tuple[list[bytes], int, str]]] = {}  # lang -> (snapshot key, packed)

    def items(self, snapshot, lang: str) -> CatalogueItems:
        """A language's entries as its home page lists them (by group, articles last, then by
        title), one at a time: the home page streams them instead of holding them all."""
        lang = lang_param("lang", lang)
        found = self._packed.get(lang)
        if found is None or found[0] != snapshot.key:
            found = self._packed[lang] = (snapshot.key, pack_catalogue(snapshot, lang))
        return unpack_catalogue(found[1], lang)
