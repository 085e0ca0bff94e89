"""The entries' facts of one index generation, kept beside it for the next build: one SQLite row
per entry version (its id and content digest), so that a re-index reads and writes only the rows
of the entries it changed, and reads the facts of a page_id group only when the group changed.

The alignment of the translations (parallel.Alignment) is kept in its own file, read and written
only when a group changed."""
from __future__ import annotations

import pickle
import sqlite3
from collections import Counter
from pathlib import Path

from indexer.bridges.facts import EntryFacts
from indexer.bridges.parallel import Alignment

DATABASE = "bridges-facts.sqlite"
ALIGNMENT = "bridges-alignment.pickle"
VERSION = 2
_CHUNK = 500  # keys per IN (...) query


class FactStore:
    def __init__(self, directory: Path, read_only: bool = False):
        self.directory = Path(directory)
        if read_only:
            self.db = sqlite3.connect(f"{(self.directory / DATABASE).as_uri()}?mode=ro", uri=True)
            return
        self.db = sqlite3.connect(self.directory / DATABASE)
        self.db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, page_id TEXT, "
                        "lang TEXT, glosses BLOB, facts BLOB)")
        self.db.execute("CREATE INDEX IF NOT EXISTS facts_page ON facts (page_id)")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (version INTEGER, stamp INTEGER)")
        found = self.db.execute("SELECT version FROM meta").fetchone()
        if found is None or found[0] != VERSION:  # another layout: start again
            self.db.execute("DELETE FROM facts")
            self.db.execute("DELETE FROM meta")
            self.db.execute("INSERT INTO meta VALUES (?, 0)", (VERSION,))

    def close(self) -> None:
        self.db.close()

    def keys(self) -> set[str]:
        return {k for (k,) in self.db.execute("SELECT key FROM facts")}

    def _select(self, column: str, values) -> dict[str, EntryFacts]:
        values, out = list(values), {}
        for n in range(0, len(values), _CHUNK):
            part = values[n:n + _CHUNK]
            marks = ",".join("?" * len(part))
            for k, blob in self.db.execute(f"SELECT key, facts FROM facts WHERE {column} IN ({marks})", part):
                out[k] = EntryFacts(*pickle.loads(blob))
        return out

    def get(self, keys) -> dict[str, EntryFacts]:
        return self._select("key", keys)

    def groups(self, page_ids) -> dict[str, EntryFacts]:
        """The facts of every entry of these page_ids."""
        return self._select("page_id", page_ids)

    def all(self) -> dict[str, EntryFacts]:
        return {k: EntryFacts(*pickle.loads(b)) for k, b in self.db.execute("SELECT key, facts FROM facts")}

    def glosses(self) -> list[tuple[str, tuple, tuple]]:
        """(lang, head terms, gloss terms) of every gloss of the entries."""
        return [(lang, h, g) for lang, b in self.db.execute(
            "SELECT lang, glosses FROM facts WHERE glosses IS NOT NULL") for h, g in pickle.loads(b)]

    def languages(self) -> dict[str, int]:
        return dict(Counter(dict(self.db.execute("SELECT lang, COUNT(*) FROM facts GROUP BY lang"))))

    def replace(self, gone, new: dict[str, EntryFacts]) -> None:
        gone = list(gone)
        for n in range(0, len(gone), _CHUNK):
            part = gone[n:n + _CHUNK]
            self.db.execute(f"DELETE FROM facts WHERE key IN ({','.join('?' * len(part))})", part)
        self.db.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?)", [
            (k, f.page_id, f.lang, _pickle(tuple((h.terms, g.terms) for h, g in f.glosses)) if f.glosses else None,
             _pickle(tuple(f)))
            for k, f in new.items()])

    def _stamp(self) -> int:
        return self.db.execute("SELECT stamp FROM meta").fetchone()[0]

    def alignment(self) -> Alignment | None:
        """The saved alignment, when it is the one of these rows (their stamps agree: a run
        killed between committing the rows and saving the alignment leaves them apart)."""
        try:
            found = pickle.loads((self.directory / ALIGNMENT).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None
        return found if isinstance(found, Alignment) and found.stamp == self._stamp() else None

    def commit(self, alignment: Alignment | None) -> None:
        """Commit the rows, with the alignment that goes with them when it changed."""
        if alignment is None:
            self.db.commit()
            return
        alignment.stamp = self._stamp() + 1
        path = self.directory / ALIGNMENT
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(pickle.dumps(alignment, protocol=pickle.HIGHEST_PROTOCOL))
        self.db.execute("UPDATE meta SET stamp = ?", (alignment.stamp,))
        self.db.commit()
        tmp.replace(path)


def _pickle(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
