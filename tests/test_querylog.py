"""The query log (querylog/): real SQLite files, real threads and processes, the `kb queries`
command as a process. Nothing about a visitor can be stored; rare queries are not shown."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from kb.config import PROJECT_DIR, Settings
from querylog import QueryStore, Recorder, normalize_query
from querylog.normalize import MAX_QUERY_CHARS
from querylog.recorder import utc_today
from querylog.store import Batch
from querylog_support import hostile_queries

TODAY = date(2026, 12, 3)
ALLOWED_COLUMNS = {"query", "lang", "day", "searches", "zero_results", "entry_id", "opens"}


class Clock:
    """The day the recorder sees, turned by the test."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self) -> date:
        return self.day


def add_searches(path: Path, rows) -> None:
    """(query, lang, day, searches, zero_results) rows straight into the store."""
    with QueryStore(path) as store:
        store.add(Batch({(q, l, d.isoformat()): (n, z) for q, l, d, n, z in rows}, {}))


def run_queries(log: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["PYTHONPATH"] = str(PROJECT_DIR)
    return subprocess.run([sys.executable, "-m", "cli", "queries", "--log", str(log), *args],
                          env=env, capture_output=True, text=True, timeout=120)


# -- normalization -----------------------------------------------------------------------------
def test_normalized_query_folds_case_accents_and_whitespace():
    assert normalize_query("  Ботокс\t ЛБА ") == normalize_query("ботокс лба") == "ботокс лба"
    assert normalize_query("ΜΠΌΤΟΞ") == normalize_query("μποτοξ") == "μποτοξ"
    assert normalize_query("Perché  RUGHE") == "perche rughe"


def test_normalized_query_is_cut_at_the_maximum_length():
    assert len(normalize_query("ботокс " * 500)) <= MAX_QUERY_CHARS


def test_normalized_query_holds_no_control_or_format_character():
    text = normalize_query("bo\x1b[31mtox\u202e\u200b\x00 \ud800 laser\x9b")
    assert all(unicodedata.category(c)[0] != "C" for c in text)
    assert text == "bo [31mtox laser"


# -- the store ---------------------------------------------------------------------------------
def test_log_has_no_column_for_an_address_an_agent_a_cookie_or_a_time(tmp_path):
    with QueryStore(tmp_path / "q.sqlite3") as store:
        columns = store.columns()
    assert set(columns) == {"searches", "opens"}
    assert {c for table in columns.values() for c in table} == ALLOWED_COLUMNS


def test_log_is_in_wal_mode(tmp_path):
    QueryStore(tmp_path / "q.sqlite3").close()
    db = sqlite3.connect(tmp_path / "q.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


WRITER = """
import sys
from querylog import Recorder
recorder = Recorder(sys.argv[1], flush_interval=0.05)
for n in range(int(sys.argv[2])):
    recorder.search("ботокс", "ru", n % 2)
    recorder.open("ботокс", "ru", "botulinum-treatment/ru")
    if n % 50 == 0:
        recorder.flush()
recorder.close()
assert recorder.stats().errors == 0, recorder.stats()
"""


def test_counts_of_several_writing_processes_add_up(tmp_path):
    log, each, writers = tmp_path / "q.sqlite3", 400, 4
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(log), str(each)], env=env)
             for _ in range(writers)]
    assert [p.wait(120) for p in procs] == [0] * writers
    with QueryStore(log) as store:
        (row,) = store.rows()
        assert (row.searches, row.zero_results, row.opens) == (writers * each, writers * each // 2,
                                                                writers * each)


def test_a_forked_child_records_with_its_own_thread_and_its_own_counts(tmp_path):
    log = tmp_path / "q.sqlite3"
    recorder = Recorder(log, flush_interval=0.02)
    recorder.search("before the fork", "ru", 1)
    recorder.flush()  # the parent's thread is running
    pid = os.fork()
    if pid == 0:  # the child: record, write, leave without the parent's exit handlers
        try:
            for _ in range(25):
                recorder.search("in the child", "ru", 1)
            recorder.close()
            os._exit(0 if recorder.stats().written == 25 else 3)
        finally:
            os._exit(4)
    assert os.waitpid(pid, 0)[1] == 0
    recorder.search("in the parent", "ru", 1)
    recorder.close()
    with QueryStore(log) as store:
        assert {r.query: r.searches for r in store.rows()} == {
            "before the fork": 1, "in the child": 25, "in the parent": 1}


# -- the recorder ------------------------------------------------------------------------------
def test_recorder_drops_and_counts_events_when_its_queue_is_full(tmp_path):
    recorder = Recorder(tmp_path / "q.sqlite3", max_pending=5, flush_interval=60)
    for _ in range(20):
        recorder.search("laser", "it", 3)
    assert (recorder.stats().queued, recorder.stats().dropped) == (5, 15)
    recorder.close()
    with QueryStore(tmp_path / "q.sqlite3") as store:
        assert [r.searches for r in store.rows()] == [5]


def test_a_search_never_waits_for_a_locked_log(tmp_path):
    log = tmp_path / "q.sqlite3"
    QueryStore(log).close()
    holder = sqlite3.connect(log, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    recorder = Recorder(log, flush_interval=0.01)
    started = time.perf_counter()
    for n in range(2000):
        recorder.search(f"query {n}", "ru", 1)
    assert time.perf_counter() - started < 1.0
    holder.execute("ROLLBACK")
    recorder.close()


def test_a_log_that_cannot_be_written_is_counted_not_raised(tmp_path):
    recorder = Recorder(tmp_path, flush_interval=0.01)  # a directory: SQLite cannot open it
    recorder.search("ботокс", "ru", 1)
    recorder.flush()
    stats = recorder.stats()
    assert stats.errors >= 1 and stats.lost == 1 and stats.written == 0
    recorder.close()


def test_retention_prunes_days_older_than_kept_when_the_log_is_opened(tmp_path):
    log = tmp_path / "q.sqlite3"
    add_searches(log, [("old", "ru", TODAY - timedelta(days=90), 5, 0),
                       ("kept", "ru", TODAY - timedelta(days=89), 5, 0)])
    recorder = Recorder(log, keep_days=90, flush_interval=0.01, today=Clock(TODAY))
    recorder.search("new", "ru", 1)
    recorder.close()
    with QueryStore(log) as store:
        assert sorted(r.query for r in store.rows()) == ["kept", "new"]


def test_retention_prunes_again_on_each_new_day(tmp_path):
    log, clock = tmp_path / "q.sqlite3", Clock(TODAY)
    recorder = Recorder(log, keep_days=2, flush_interval=0.01, today=clock)
    recorder.search("first day", "ru", 1)
    recorder.flush()
    clock.day = TODAY + timedelta(days=2)
    recorder.search("third day", "ru", 1)
    recorder.flush()
    recorder.close()
    with QueryStore(log) as store:
        assert [r.query for r in store.rows()] == ["third day"]


def test_ten_thousand_hostile_queries_are_stored_as_text(tmp_path):
    log, queries = tmp_path / "q.sqlite3", hostile_queries(10_000)
    recorder = Recorder(log, max_pending=20_000, flush_interval=0.05)
    for n, text in enumerate(queries):
        recorder.search(text, ["ru", "el", "it", None][n % 4], n % 3)
        recorder.open(text, "ru", f"page-{n % 7}/ru")
    recorder.close()
    expected = {normalize_query(q) for q in queries} - {""}
    assert recorder.stats().dropped == 0 and recorder.stats().errors == 0
    with QueryStore(log) as store:
        assert store.integrity() == "ok"
        assert set(store.columns()) == {"searches", "opens"}  # no statement ran from a query
        rows = store.rows()
        assert {r.query for r in rows} == expected
        assert sum(r.searches for r in rows) == sum(1 for q in queries if normalize_query(q))


def test_kb_queries_prints_hostile_queries_escaped(tmp_path):
    log = tmp_path / "q.sqlite3"
    days = [TODAY - timedelta(days=d) for d in range(3)]
    # written straight into the file, as a tampered or foreign log could hold them
    raw = ["\x1b[2Jgone", "right\u202eleft", "<script>alert(1)</script>", "a\x00b"]
    add_searches(log, [(q, "ru", d, 3, 1) for q in raw for d in days])
    done = run_queries(log, "--since", "30d", "--zero")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout and "\x00" not in done.stdout
    assert "\\x1b[2Jgone" in done.stdout and "right\\u202eleft" in done.stdout
    as_json = run_queries(log, "--since", "30d", "--json")
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout
    assert {q["query"] for q in json.loads(as_json.stdout)["queries"]} == set(raw)


# -- kb queries ----------------------------------------------------------------------------------
@pytest.fixture
def log_of_a_month(tmp_path) -> Path:
    """Common queries over many days, rare ones on one day or seen twice."""
    log, rows = tmp_path / "q.sqlite3", []
    today = utc_today()
    for d in range(10):
        day = today - timedelta(days=d)
        rows += [("ботокс", "ru", day, 5, 0), ("μποτοξ", "el", day, 2, 0),
                 ("ботоксик", "ru", day, 1, 1), ("rughe", "it", day, 1, 0)]
    rows += [("a rare query about one person", "ru", today, 1, 1),
             ("twice", "ru", today, 1, 0), ("twice", "ru", today - timedelta(days=1), 1, 0)]
    add_searches(log, rows)
    with QueryStore(log) as store:
        store.add(Batch({}, {("ботокс", "ru", today.isoformat(), "botulinum-treatment/ru"): 4}))
    return log


def test_kb_queries_lists_top_queries_most_searched_first(log_of_a_month):
    done = run_queries(log_of_a_month, "--json")
    queries = [(q["query"], q["searches"]) for q in json.loads(done.stdout)["queries"]]
    assert queries == [("ботокс", 50), ("μποτοξ", 20), ("rughe", 10), ("ботоксик", 10)]


def test_kb_queries_hides_rare_queries_and_says_how_many(log_of_a_month):
    done = run_queries(log_of_a_month)
    assert "a rare query" not in done.stdout and "twice" not in done.stdout
    assert "2 queries hidden: searched fewer than 3 times or on fewer than 3 days" in done.stdout
    lowered = run_queries(log_of_a_month, "--min-count", "1", "--min-days", "1")
    assert "a rare query" in lowered.stdout and "0 queries hidden" in lowered.stdout


def test_kb_queries_zero_names_the_concept_a_query_is_close_to(log_of_a_month):
    done = json.loads(run_queries(log_of_a_month, "--zero", "--json").stdout)
    (row,) = done["queries"]
    assert row["query"] == "ботоксик" and row["zero_results"] == 10
    assert row["near_concepts"][0]["concept"] == "botulinum-toxin"


def test_kb_queries_unopened_lists_queries_with_results_nobody_opened(log_of_a_month):
    done = json.loads(run_queries(log_of_a_month, "--unopened", "--json").stdout)
    assert [q["query"] for q in done["queries"]] == ["μποτοξ", "rughe"]


def test_kb_queries_filters_by_language_and_period(log_of_a_month):
    by_lang = json.loads(run_queries(log_of_a_month, "--lang", "gr", "--json").stdout)
    assert [q["query"] for q in by_lang["queries"]] == ["μποτοξ"]
    recent = json.loads(run_queries(log_of_a_month, "--since", "3d", "--json").stdout)
    assert recent["queries"][0] == {"query": "ботокс", "lang": "ru", "searches": 15,
                                    "zero_results": 0, "opens": 4, "days": 3}


def test_kb_queries_refuses_a_bad_period_in_one_line(log_of_a_month):
    done = run_queries(log_of_a_month, "--since", "last week")
    assert done.returncode == 2 and done.stderr.startswith("kb: error: --since")


def test_query_log_setting_off_disables_it():
    assert Settings(query_log="off").query_log_path is None
    assert Settings(index_dir=Path("/x/index")).query_log_path == Path("/x/queries.sqlite3")


def test_kb_queries_zero_says_which_queries_today_s_index_answers(log_of_a_month, data_index):
    # "ботоксик" found nothing when it was logged; today's index corrects it to ботокс
    done = subprocess.run([sys.executable, "-m", "cli", "queries", "--log", str(log_of_a_month),
                           "--zero", "--json", "--index", str(data_index)],
                          env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
                          capture_output=True, text=True, timeout=120)
    (row,) = json.loads(done.stdout)["queries"]
    assert row["now_found"]["total"] > 0
    assert row["now_found"]["first"] in {"articles/botulotoxin.ru", "botulinum-treatment/ru"}
