"""Files beside a generation that an update rewrites in place, as a reader holds them.

An incremental update commits into the same generation and then rewrites, atomically (a new
file renamed over the old), the concept matcher after a concept edit (``retag``) and the learned
bridges after any change of content. A reader that loaded them when it opened the generation
would keep serving the old ones until the next full rebuild; so a reader asks for them on every
search and reads a file again whenever its stat (inode, size, modification time) changed: one
``stat`` per search.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Sidecar(Generic[T]):
    """``name`` in the generation, loaded by ``load(path)`` (None when the file is missing)."""

    def __init__(self, name: str, load: Callable[[Path], T | None]):
        self.name = name
        self._load = load
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._value: T | None = None

    def get(self, gen: Path) -> T | None:
        key = _key(Path(gen) / self.name)
        if key != self._key:
            with self._lock:
                if key != self._key:
                    path = Path(gen) / self.name
                    self._value = self._load(path) if key[1] is not None else None
                    self._key = key  # after the value: a thread seeing the key sees its value
        return self._value


def _key(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
