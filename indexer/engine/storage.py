"""The storage a generation is opened with for searching: read-only files whose readers can be
shared by threads (positioned reads, each thread at its own position)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


def open_shared(gen: Path):
    """A generation opened for searching: its readers can be shared by threads."""
    return SharedReadStorage(str(gen), supports_mmap=False, readonly=True).open_index()


class SharedReadStorage(FileStorage):
    """A read-only storage whose files can be shared by threads.

    Whoosh reads a file by seeking and then reading, and a segment reader keeps its files open
    for every search, so two threads could not share one reader: each would move the other's
    position. Here a file reads with positioned reads (``os.pread``) on one descriptor, and every
    thread has its own position in it (and its own read-ahead buffer), so one searcher, with one
    set of segment readers and their caches, serves all the threads of a server, each reading as
    if the file were its own. Not memory-mapped (see ``open_generation``)."""

    def open_file(self, name, **kwargs):
        return SharedStructFile(SharedFile.open(self._fpath(name)), name=name, **kwargs)


class SharedStructFile(StructFile):
    """Whoosh's StructFile over a SharedFile; the parts of a compound segment file are SharedFiles too."""

    def subset(self, offset: int, length: int, name: str | None = None) -> "SharedStructFile":
        return SharedStructFile(self.file.part(offset, length), name=name or self._name)


class _Descriptor:
    """An open file descriptor, closed when nothing refers to it any more (a thread may still be
    reading a reader that another thread has replaced)."""

    __slots__ = ("fd",)

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def __del__(self, _close=os.close):
        try:
            _close(self.fd)
        except OSError:
            pass


class SharedFile:
    """A read-only file, or a range of one, read with ``os.pread``; each thread has its own
    position and read-ahead buffer. It has no ``fileno``, so Whoosh neither maps it nor reads
    arrays from it with ``array.fromfile``."""

    BUFFER = 8192  # read ahead like io.BufferedReader: Whoosh reads many small pieces in order

    def __init__(self, descriptor: _Descriptor, offset: int, length: int):
        self._descriptor = descriptor
        self._offset = offset
        self._length = length
        self._local = threading.local()
        self.closed = False

    @classmethod
    def open(cls, path: str) -> "SharedFile":
        descriptor = _Descriptor(path)
        return cls(descriptor, 0, os.fstat(descriptor.fd).st_size)

    def part(self, offset: int, length: int) -> "SharedFile":
        """The ``length`` bytes from ``offset`` as a file of their own (same descriptor)."""
        return SharedFile(self._descriptor, self._offset + offset, length)

    def _state(self):
        local = self._local
        try:
            return local.pos, local.start, local.buffer
        except AttributeError:
            local.pos, local.start, local.buffer = 0, 0, b""
            return 0, 0, b""

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read of a closed file")
        pos, start, buffer = self._state()
        available = self._length - pos
        if size is None or size < 0 or size > available:
            size = max(available, 0)
        local = self._local
        if start <= pos and pos + size <= start + len(buffer):
            data = buffer[pos - start:pos - start + size]
        elif size >= self.BUFFER:
            data = os.pread(self._descriptor.fd, size, self._offset + pos)
        else:
            ahead = min(self.BUFFER, available)
            buffer = os.pread(self._descriptor.fd, ahead, self._offset + pos)
            local.start, local.buffer = pos, buffer
            data = buffer[:size]
        local.pos = pos + len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        pos = self.tell()
        line = b""
        while not line.endswith(b"\n") and (size is None or size < 0 or len(line) < size):
            chunk = self.read(1)
            if not chunk:
                break
            line += chunk
        self._local.pos = pos + len(line)
        return line

    def seek(self, where: int, whence: int = 0) -> int:
        pos = self._state()[0]
        if whence == 1:
            where += pos
        elif whence == 2:
            where += self._length
        elif whence != 0:
            raise ValueError(f"invalid whence {whence}")
        self._local.pos = where
        return where

    def tell(self) -> int:
        return self._state()[0]

    def close(self) -> None:
        # the descriptor closes when the last part of the file that uses it is gone
        self.closed = True
