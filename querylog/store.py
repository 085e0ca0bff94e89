"""The query log on disk: one SQLite file of daily counts, safe for several writing processes.

Two tables, and nothing else (tests read the schema to hold this):

* ``searches (query, lang, day, searches, zero_results)``: per normalized query, language and
  day, how often it was searched and how often that found nothing;
* ``opens (query, lang, day, entry_id, opens)``: how often each entry was opened from it.

``day`` is an ISO date (UTC); there is no column for an address, a browser, a cookie or a time
of day. Writes are UPSERT increments in one transaction (``BEGIN IMMEDIATE``), in WAL mode with
a busy timeout, so the workers of a pre-forked server can write the same file: each adds its
counts, none overwrites another's. A process killed mid-write leaves the last committed state.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

BUSY_TIMEOUT_MS = 5000
SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    query TEXT NOT NULL,
    lang TEXT NOT NULL,
    day TEXT NOT NULL,
    searches INTEGER NOT NULL DEFAULT 0,
    zero_results INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (query, lang, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS opens (
    query TEXT NOT NULL,
    lang TEXT NOT NULL,
    day TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    opens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (query, lang, day, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS searches_by_day ON searches (day);
CREATE INDEX IF NOT EXISTS opens_by_day ON opens (day);
"""
_ADD_SEARCHES = """
INSERT INTO searches (query, lang, day, searches, zero_results) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (query, lang, day) DO UPDATE SET
    searches = searches + excluded.searches, zero_results = zero_results + excluded.zero_results
"""
_ADD_OPENS = """
INSERT INTO opens (query, lang, day, entry_id, opens) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (query, lang, day, entry_id) DO UPDATE SET opens = opens + excluded.opens
"""


@dataclass(frozen=True)
class Batch:
    """Counts to add: (query, lang, day) -> (searches, zero_results); (query, lang, day,
    entry_id) -> opens."""
    searches: dict[tuple[str, str, str], tuple[int, int]]
    opens: dict[tuple[str, str, str, str], int]

    def __bool__(self) -> bool:
        return bool(self.searches or self.opens)


@dataclass(frozen=True)
class QueryRow:
    """One query in one language over a period."""
    query: str
    lang: str
    searches: int
    zero_results: int
    opens: int
    days: int  # distinct days it was searched on

    def to_dict(self) -> dict:
        return {"query": self.query, "lang": self.lang, "searches": self.searches,
                "zero_results": self.zero_results, "opens": self.opens, "days": self.days}


def _into_wal(db: sqlite3.Connection) -> None:
    """WAL mode, waiting for the lock as a write would: switching takes the file's exclusive
    lock and SQLite answers "database is locked" at once, without its busy handler, while another
    process holds it (the workers of a pre-forked server open a new log together)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class QueryStore:
    """An open query log file. One per thread (a sqlite3 connection is not shared)."""

    def __init__(self, path: Path, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None)
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not readonly:
                _into_wal(self._db)
                self._db.execute("PRAGMA synchronous = NORMAL")
                with self._transaction():
                    for statement in _statements(SCHEMA):
                        self._db.execute(statement)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _transaction(self):
        return _Transaction(self._db)

    def add(self, batch: Batch) -> None:
        """Add a batch's counts, all or nothing."""
        if not batch:
            return
        with self._transaction():
            self._db.executemany(_ADD_SEARCHES, [(*key, n, zero) for key, (n, zero)
                                                 in batch.searches.items()])
            self._db.executemany(_ADD_OPENS, [(*key, n) for key, n in batch.opens.items()])

    def prune(self, keep_days: int, today: date) -> int:
        """Delete the days older than the last ``keep_days`` (today included); rows deleted."""
        cutoff = (today - timedelta(days=keep_days - 1)).isoformat()
        with self._transaction():
            gone = self._db.execute("DELETE FROM searches WHERE day < ?", (cutoff,)).rowcount
            gone += self._db.execute("DELETE FROM opens WHERE day < ?", (cutoff,)).rowcount
        return gone

    def rows(self, since: date | None = None, lang: str | None = None) -> list[QueryRow]:
        """Every (query, lang) searched since ``since`` (inclusive), its counts summed."""
        where, params = _filters(since, lang)
        opened = dict(((q, l), n) for q, l, n in self._db.execute(
            f"SELECT query, lang, SUM(opens) FROM opens {where} GROUP BY query, lang", params))
        return [QueryRow(q, l, n, zero, opened.get((q, l), 0), days)
                for q, l, n, zero, days in self._db.execute(
                    f"SELECT query, lang, SUM(searches), SUM(zero_results), COUNT(DISTINCT day) "
                    f"FROM searches {where} GROUP BY query, lang", params)]

    def days(self) -> list[str]:
        return [d for (d,) in self._db.execute("SELECT DISTINCT day FROM searches ORDER BY day")]

    def columns(self) -> dict[str, list[str]]:
        """Each table's column names (what the log can hold at all)."""
        tables = [t for (t,) in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: [row[1] for row in self._db.execute(f"PRAGMA table_info({t})")] for t in tables}

    def integrity(self) -> str:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0]


def _filters(since: date | None, lang: str | None) -> tuple[str, tuple]:
    clauses, params = ["1 = 1"], []
    if since is not None:
        clauses.append("day >= ?")
        params.append(since.isoformat())
    if lang is not None:
        clauses.append("lang = ?")
        params.append(lang)
    return "WHERE " + " AND ".join(clauses), tuple(params)


def _statements(script: str) -> Iterable[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


class _Transaction:
    """``BEGIN IMMEDIATE`` (the write lock taken at once, waiting up to the busy timeout) ...
    ``COMMIT``, or ``ROLLBACK`` on any error."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self):
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind, exc, tb):
        if kind is None:
            self._db.execute("COMMIT")
        elif self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        return False
