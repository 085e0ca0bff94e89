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

from .results import CatalogueItem

CATALOGUE_BLOCK = 256  # catalogue items compressed together


def pack_catalogue(searcher, lang: str) -> tuple[list[bytes], int, str]:
    """A language's catalogue items in catalogue order, pickled, in zlib-compressed blocks of
    CATALOGUE_BLOCK items (at 100,000 entries 3 MB a language, where the items themselves took
    54 MB and their pickles 18 MB), how many there are, and a digest of them all (what a page
    made from the catalogue can be kept by: CatalogueItems.digest). Each item is pickled into one buffer
    as its document is read, so that nothing per item outlives the parsed document but its sort
    key (the documents freed on the way leave no holes pinned by items kept between them)."""
    buffer, keys, spans = bytearray(), [], array("Q")
    for stored in searcher.documents(lang=lang):
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
