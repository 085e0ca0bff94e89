"""The one cache of the search side: what is read from an index's segments and kept between
searches (decoded postings and positions, field lengths, languages, deletion masks, the
vocabulary a typo is corrected from, a page's versions).

Every key starts with what it was read from: one segment's key (``segment_key``: the index, the
segment's id and size; a segment never changes once written but for deletions, which a key that
depends on them includes), or a snapshot's key (every segment and its deletions). One bound (bytes)
and one eviction rule (the least recently used entry goes first); owned by the opened index
(indexer.engine.index.SearchIndex) and shared by the threads of a server and by the snapshots of
successive commits, which keep most of their segments.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

DEFAULT_CACHE_BYTES = 32 * 1024 * 1024
ENTRY_BYTES = 200  # what an entry costs beyond its value (key, tuple, links)


class SegmentCache:
    """Values by key, least recently used dropped beyond ``max_bytes`` (a value larger than the
    whole budget is not kept)."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value, nbytes: int) -> None:
        size = nbytes + ENTRY_BYTES
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def fetch(self, key: Hashable, compute: Callable[[], object], size: Callable[[object], int]):
        """The value under ``key``, computed (and kept, ``size(value)`` bytes) when missing."""
        found = self.get(key)
        if found is None:
            found = compute()
            self.put(key, found, size(found))
        return found

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


def array_bytes(value) -> int:
    """The bytes of an array, or of a tuple of arrays."""
    if isinstance(value, tuple):
        return sum(getattr(v, "nbytes", 8) for v in value)
    return getattr(value, "nbytes", 8)


def text_bytes(value) -> int:
    """An estimate of the bytes of strings (a list, or nested in lists, tuples and dataclasses)."""
    if isinstance(value, str):
        return 50 + 2 * len(value)
    if isinstance(value, (list, tuple)):
        return 56 + 8 * len(value) + sum(text_bytes(v) for v in value)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:  # a record of strings (results.Translation)
        return 64 + sum(text_bytes(getattr(value, name)) for name in fields)
    return 32
