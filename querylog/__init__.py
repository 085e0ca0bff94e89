"""The query log: what patients search for, counted per day and never per person.

Only aggregates are kept (``querylog.store``): per normalized query text, language and day, the
number of searches, of searches that found nothing, and of opens of each entry from that query.
No IP address, user agent, cookie or time finer than the day is ever stored, because it is never
given: ``Recorder.search`` and ``Recorder.open`` take the text, the language and a count or an
entry id, nothing else. ``Recorder`` queues them in memory (bounded; full means dropped and
counted) and a background thread writes them once a second in one SQLite transaction.

Imports ``kb`` only.
"""
from querylog.normalize import normalize_query
from querylog.recorder import Recorder, RecorderStats
from querylog.store import QueryStore

__all__ = ["normalize_query", "Recorder", "RecorderStats", "QueryStore"]
