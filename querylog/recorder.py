"""Recording searches without making them wait: a bounded queue, and a thread that writes it.

``Recorder.search`` and ``Recorder.open`` only normalize the text and put one tuple on a queue
(never blocking: a full queue drops the event and counts the drop). A background thread wakes
every ``flush_interval`` seconds, sums what it took off the queue and adds it to the store in
one transaction, so a killed server loses at most the last interval's counts and the file holds
the last committed state. A write that fails (a full disk, an unwritable file, a lock held too
long) is counted and logged, and its counts dropped; searching never sees it. The retention is
applied when the thread opens the store and again each new day.

The thread starts with the first event in each process: a pre-forking server forks after the
app is made, threads do not survive a fork, and a forked child starts with an empty queue and
fresh locks (``os.register_at_fork``). ``close`` (also run at exit) writes what is left.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from querylog.normalize import normalize_query
from querylog.store import Batch, QueryStore

log = logging.getLogger("querylog")
MAX_PENDING = 10_000  # events waiting for the thread; more are dropped (and counted)
FLUSH_INTERVAL = 1.0  # seconds between writes
MAX_ENTRY_ID = 300  # longer entry ids are not entries (web.views.pages.MAX_PATH_LENGTH)
LOG_ERRORS_EVERY = 100  # after the first failed write, one line per this many


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


@dataclass(frozen=True)
class RecorderStats:
    queued: int  # events accepted
    dropped: int  # events refused because the queue was full (or the recorder closed)
    written: int  # events whose counts are committed
    errors: int  # writes that failed (their events are lost, searching unaffected)
    lost: int  # events in the failed writes


class Recorder:
    """Counts searches and opens into the query log at ``path``."""

    def __init__(self, path: Path, keep_days: int = 90, max_pending: int = MAX_PENDING,
                 flush_interval: float = FLUSH_INTERVAL, today: Callable[[], date] = utc_today):
        self.path, self.keep_days = Path(path), keep_days
        self.max_pending, self.flush_interval, self._today = max_pending, flush_interval, today
        self._closed = False
        self._fresh()
        atexit.register(self.close)
        os.register_at_fork(after_in_child=self._fresh)

    def _fresh(self) -> None:
        """Empty queue and counts, no thread yet: at the start, and in a forked child (which
        must not inherit its parent's events, thread or locks, perhaps held at the fork)."""
        self._counts = Counter()
        self._counts_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue = queue.Queue(self.max_pending)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the search side: never waits ---------------------------------------------------------
    def search(self, text: str, lang: str | None, results: int) -> None:
        """Count one search of ``text`` in ``lang`` that found ``results`` results."""
        query = normalize_query(text)
        if query:
            self._put(("s", query, lang or "", 1 if results == 0 else 0))

    def open(self, text: str, lang: str | None, entry_id: str) -> None:
        """Count one opening of ``entry_id`` from a search for ``text`` in ``lang``."""
        query = normalize_query(text)
        if query and entry_id and len(entry_id) <= MAX_ENTRY_ID:
            self._put(("o", query, lang or "", _text(entry_id)))

    def _put(self, event: tuple) -> None:
        if self._closed:
            self._count("dropped")
            return
        self._ensure_thread()
        try:
            self._queue.put_nowait((self._today().isoformat(), event))
        except queue.Full:
            self._count("dropped")
        else:
            self._count("queued")

    def stats(self) -> RecorderStats:
        with self._counts_lock:
            c = self._counts
            return RecorderStats(c["queued"], c["dropped"], c["written"], c["errors"], c["lost"])

    def _count(self, key: str, n: int = 1) -> None:
        with self._counts_lock:
            self._counts[key] += n

    # -- the writing thread -------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._thread = threading.Thread(target=self._run, name="querylog-writer", daemon=True)
            self._pid = os.getpid()
            self._thread.start()

    def _run(self) -> None:
        store, pruned_on = None, None
        while True:
            stopping = self._stop.wait(self.flush_interval)
            events = self._drain()
            try:
                if store is None:
                    store = QueryStore(self.path)
                today = self._today()
                if pruned_on != today:
                    store.prune(self.keep_days, today)
                    pruned_on = today
                if events:
                    store.add(_batch(events))
                    self._count("written", len(events))
            except Exception as exc:  # noqa: BLE001 - a log that cannot be written never stops search
                self._failed(exc, len(events))
                if store is not None:
                    store.close()
                    store = None
            if stopping and self._queue.empty():
                break
        if store is not None:
            store.close()

    def _drain(self) -> list:
        events = []
        while True:
            try:
                events.append(self._queue.get_nowait())
            except queue.Empty:
                return events

    def _failed(self, exc: Exception, events: int) -> None:
        with self._counts_lock:
            self._counts["errors"] += 1
            self._counts["lost"] += events
            errors, lost = self._counts["errors"], self._counts["lost"]
        if errors == 1 or errors % LOG_ERRORS_EVERY == 0:
            log.error("query log %s: cannot write (%s: %s); %d failed writes, %d events lost so "
                      "far; searching is not affected", self.path, type(exc).__name__, exc,
                      errors, lost)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until what was queued before the call is written (or its write failed)."""
        if self._pid != os.getpid() or self._thread is None:
            return
        target = self.stats().queued
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._thread.is_alive():
            done = self.stats()
            if done.written + done.lost >= target and self._queue.empty():
                return
            self._stop.wait(0.01)

    def close(self) -> None:
        """Write what is queued and stop the thread (further events are dropped)."""
        self._closed = True
        thread = self._thread
        if thread is not None and self._pid == os.getpid() and thread.is_alive():
            self._stop.set()
            thread.join(10)


def _text(value: str) -> str:
    """Valid UTF-8 text whatever came in (lone surrogates become U+FFFD)."""
    return value.encode("utf-8", "replace").decode("utf-8")


def _batch(events: list) -> Batch:
    searches: dict[tuple[str, str, str], list[int]] = {}
    opens: Counter = Counter()
    for day, (kind, query, lang, extra) in events:
        if kind == "s":
            counts = searches.setdefault((query, lang, day), [0, 0])
            counts[0] += 1
            counts[1] += extra
        else:
            opens[(query, lang, day, extra)] += 1
    return Batch({key: (n, zero) for key, (n, zero) in searches.items()}, dict(opens))
