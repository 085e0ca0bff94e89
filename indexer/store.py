"""Where the index lives on disk, and how it changes without a reader ever seeing half of it.

    <index dir>/CURRENT        names the live generation (replaced atomically)
    <index dir>/gen-000007/    a Whoosh index; incremental updates commit into it (atomic TOC)
    <index dir>/gen-000007/kb-meta.json   schema version and concept fingerprint it was built with
    <index dir>/.lock          held (flock) by the one `kb index` allowed at a time

A full rebuild writes a new generation and then switches CURRENT, so a killed rebuild leaves the
old generation serving; older generations are removed once a newer one is live.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


from indexer.engine import writing
from indexer.engine.storage import open_shared

CURRENT = "CURRENT"
META = "kb-meta.json"
CONCEPTS = "concepts.pickle"


class IndexMissing(FileNotFoundError):
    """No index has been built at this directory yet."""

    def __init__(self, index_dir: Path):
        super().__init__(f"no index at {index_dir} (build it with: kb index --index {index_dir})")
        self.index_dir = index_dir


class IndexBusy(RuntimeError):
    """Another `kb index` holds the index's lock."""


class IndexNotWritable(OSError):
    """The index directory cannot be written (permissions, full disk)."""

    def __str__(self) -> str:  # the message alone, without OSError's "[Errno N]"
        return self.strerror or super().__str__()


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (Path(index_dir) / CURRENT).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = Path(index_dir) / name
    if not name.startswith("gen-"):
        return None
    for _ in range(10):
        try:
            return gen if writing.exists(gen) else None
        except FileNotFoundError:
            # an incremental commit replaced the TOC between whoosh listing the directory and
            # opening the file it found there: look again (whoosh's readers retry the same way)
            time.sleep(0.05)
    return gen if writing.exists(gen) else None


class IndexOutdated(IndexMissing):
    """An index built by another version of kb (its analysis or fields differ)."""

    def __init__(self, index_dir: Path):
        FileNotFoundError.__init__(self, f"the index at {index_dir} was built by another version of kb "
                                         f"(rebuild it with: kb index --index {index_dir})")
        self.index_dir = index_dir


def index_exists(index_dir: Path) -> bool:
    """Is there an index, built by this version, at ``index_dir``?"""
    gen = current_generation(Path(index_dir))
    return gen is not None and is_current_version(gen)


def is_current_version(gen: Path) -> bool:
    from indexer.schema import SCHEMA_VERSION

    return read_meta(gen).get("schema_version") == SCHEMA_VERSION


def open_generation(gen: Path):
    """Open a generation without memory-mapping (smaller and faster to open; see the notes)."""
    return writing.open_for_writing(gen)


def open_current(index_dir: Path):
    """The live generation, opened for searching: its readers can be shared by threads."""
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(Path(index_dir))
    return gen, open_shared(gen)


def read_meta(gen: Path) -> dict:
    try:
        return json.loads((gen / META).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def remove_abandoned(index_dir: Path) -> None:
    """Remove generations newer than the live one: rebuilds that were killed before switching.
    Only the holder of the writer lock may call this."""
    live = current_generation(index_dir)
    if live is None:
        return
    for gen in Path(index_dir).glob("gen-*"):
        if gen.name > live.name:
            shutil.rmtree(gen, ignore_errors=True)


def new_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in Path(index_dir).glob("gen-*") if p.name[4:].isdigit()]
    gen = Path(index_dir) / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir(parents=True)
    return gen


def switch_to(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation, then remove all but it and the one before."""
    previous = current_generation(index_dir)
    write_atomically(Path(index_dir) / CURRENT, gen.name + "\n")
    keep = {gen.name, previous.name if previous else None}
    for old in Path(index_dir).glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the index's lock; wait up to ``timeout`` seconds for another `kb index`, then refuse."""
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / ".lock", "a+")
    except OSError as exc:
        raise IndexNotWritable(exc.errno, f"cannot write the index directory {index_dir}: "
                                          f"{exc.strerror}") from exc
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"another `kb index` is updating {index_dir} "
                                    f"(waited {timeout:g} s); try again when it has finished") from None
                time.sleep(0.1)
        yield
    finally:
        handle.close()
