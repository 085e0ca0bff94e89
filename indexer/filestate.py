"""What `kb index` knows about each content file without reading it (like git's index).

Beside each generation, ``kb-files.pickle`` lists every indexed file with the hash and entry id
the index holds for it, and, when it is safe, the file's *stamp* as it was when those bytes were
read: size, modification and change times (nanoseconds) and inode. A file whose stamp is
unchanged is not read again; any other file is read and hashed, and re-indexed only when its
bytes differ from what the index holds.

Why this is sound:

- The change time (ctime) is set by the kernel on every write and cannot be set back by a
  program (`touch -d`, `os.utime`, `cp -p`, `rsync -t` restore the modification time only), so
  a file whose content changed never keeps its stamp, even when its size and modification time
  were kept equal. A file replaced by another (`mv`, an editor's save-as-rename) has another
  inode.
- "Racy" files: a write landing in the same clock tick as the one before it may leave the times
  equal (on file systems with coarse timestamps, a tick is up to 2 s). So a stamp is recorded
  only when both times are at least ``RACY_SECONDS`` older than the moment the run started
  (before any file was read); a file changed just before or during a run is recorded without a
  stamp, and the next run reads it again.
- The list is tied to one commit of the Whoosh index (the hash of its table of contents): a run
  killed after committing but before writing the list leaves a list of an older commit, which
  is then not used at all (the next run reads the manifest from the index and hashes every
  file, as without the list). The list is replaced atomically, after the commit.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path
from typing import NamedTuple

from indexer.engine import writing


FILES = "kb-files.pickle"
FORMAT = 1
RACY_SECONDS = 3
_RACY_NS = RACY_SECONDS * 1_000_000_000

Stamp = tuple  # (size, mtime_ns, ctime_ns, ino, dev)


def stamp_of(status: os.stat_result) -> Stamp:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def now_ns() -> int:
    return time.time_ns()


def is_settled(stamp: Stamp, started_ns: int) -> bool:
    """Were the file's times safely older than the run's start (not "racy")?"""
    return max(stamp[1], stamp[2]) < started_ns - _RACY_NS


class Known(NamedTuple):
    """One indexed file: the hash and entry id the index holds, and the stamp of the file when
    bytes with that hash were read (None: unknown, or not safely older than that run)."""

    digest: str
    id: str
    stamp: Stamp | None = None


class FileStates:
    """Source key ("<root>\\x1f<relative path>") -> Known, for the files the index holds."""

    def __init__(self, files: dict[str, Known] | None = None):
        self.files: dict[str, Known] = files if files is not None else {}
        self.changed = False  # anything to write back

    def unchanged(self, key: str, stamp: Stamp) -> bool:
        """May the file be taken as unchanged without reading it?"""
        known = self.files.get(key)
        return known is not None and known.stamp is not None and known.stamp == stamp

    def record(self, key: str, digest: str, entry_id: str, stamp: Stamp | None, started_ns: int) -> None:
        """The index holds ``digest``/``entry_id`` for ``key``, read from a file with ``stamp``."""
        settled = stamp if stamp is not None and is_settled(stamp, started_ns) else None
        new = Known(digest, entry_id, settled)
        if self.files.get(key) != new:
            self.files[key] = new
            self.changed = True

    def forget(self, key: str) -> None:
        if self.files.pop(key, None) is not None:
            self.changed = True

    # -- on disk ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, gen: Path, commit: str | None) -> "FileStates | None":
        """The list beside ``gen`` if it was written for exactly the index's ``commit``; else None."""
        if commit is None:
            return None
        try:
            data = pickle.loads((gen / FILES).read_bytes())
            if data["format"] != FORMAT or data["commit"] != commit:
                return None
            return cls({key: Known(*row) for key, row in data["files"].items()})
        except Exception:  # noqa: BLE001 - missing, truncated, another format: not used
            return None

    def save(self, gen: Path, commit: str | None) -> bool:
        """Write the list for ``commit`` (atomically); False when it could not be written (then
        the next run, finding no list for its commit, reads every file: slower, still right)."""
        if commit is None:
            return False
        rows = {key: tuple(known) for key, known in self.files.items()}
        data = pickle.dumps({"format": FORMAT, "commit": commit, "files": rows},
                            protocol=pickle.HIGHEST_PROTOCOL)
        path = gen / FILES
        tmp = gen / f".{FILES}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
            return False
        self.changed = False
        return True


def remove_leftovers(gen: Path) -> None:
    """Temporary lists left by runs killed while writing one (only the lock holder calls this)."""
    for tmp in gen.glob(f".{FILES}.*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def commit_of(ix) -> str | None:
    """The index's current commit: its table of contents' generation and a hash of its bytes
    (every commit writes a new one; it names the segments and their deletions)."""
    try:
        generation = ix.latest_generation()
        with ix.storage.open_file(writing.toc_filename(ix, generation)) as handle:
            data = handle.read()
    except Exception:  # noqa: BLE001 - no readable TOC: no list is trusted
        return None
    return f"{generation}:{hashlib.sha1(data).hexdigest()}"
