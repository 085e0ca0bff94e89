"""The query log under faults, with real `kb serve` processes: a SIGKILL, a full disk, hostile
queries, two servers on one log, and nothing about the visitor stored.

Each server writes its own log (KB_QUERY_LOG) under the test's temporary directory; what it
holds is read afterwards with the product's own store and `kb queries`.
"""
from __future__ import annotations

import http.client
import json
import random
import re
import shutil
import signal
import threading
import time
from pathlib import Path
from urllib.parse import quote

from faultkit import FULL, STATS, Server, file_size_limit, run_kb
from querylog import QueryStore, normalize_query
from querylog_support import hostile_queries, web_text

FLUSH_SECONDS = 1.0  # querylog.recorder.FLUSH_INTERVAL
MARKERS = {"User-Agent": "AgentMarker/7.7", "X-Forwarded-For": "203.0.113.77",
           "Cookie": "session=CookieMarker42", "Referer": "http://example.test/RefMarker"}


class Client:
    """One keep-alive HTTP connection to a server (reconnecting when it drops)."""

    def __init__(self, server: Server, headers: dict | None = None):
        self.server, self.headers = server, headers or {}
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.conn.request("GET", path, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def api(text: str) -> str:
    return "/api/search?facets=0&q=" + quote(text, safe="")


def logged(log: Path) -> dict[str, int]:
    """Normalized query -> searches, read from the log file (checked whole first)."""
    with QueryStore(log, readonly=True) as store:
        assert store.integrity() == "ok"
        return {row.query: row.searches for row in store.rows()}


def test_a_killed_server_leaves_a_readable_log_missing_only_the_last_seconds(built_index, env, tmp_path):
    log = tmp_path / "queries.sqlite3"
    server = Server(built_index, {**env, "KB_QUERY_LOG": str(log)})
    client = Client(server)
    for n in range(30):
        assert client.get(api(f"botox early{n}"))[0] == 200
    time.sleep(2.5 * FLUSH_SECONDS)
    for n in range(10):
        assert client.get(api(f"botox late{n}"))[0] == 200
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(10)
    server.stop()
    found = logged(log)
    assert all(found.get(f"botox early{n}") == 1 for n in range(30)), found
    assert set(found) <= {f"botox early{n}" for n in range(30)} | {f"botox late{n}" for n in range(10)}
    STATS["query log: late searches lost to the SIGKILL"] += 10 - sum(k.startswith("botox late")
                                                                         for k in found)
    listed = run_kb(["queries", "--log", log, "--min-count", "1", "--min-days", "1"], env)
    assert listed.returncode == 0 and "botox early0" in listed.stdout, listed.stderr


def test_kills_under_load_never_corrupt_the_log(built_index, env, tmp_path):
    log, rng, before = tmp_path / "queries.sqlite3", random.Random(5), 0
    for _ in range(6 if FULL else 2):
        server = Server(built_index, {**env, "KB_QUERY_LOG": str(log)})
        answered, stop = [0], threading.Event()

        def load(client: Client, seed: int):
            queries = random.Random(seed)
            while not stop.is_set():
                try:
                    status, _ = client.get(api(f"laser {queries.randrange(500)}"))
                except Exception:  # noqa: BLE001 - the server was killed under this request
                    return
                if status == 200:
                    with lock:
                        answered[0] += 1

        lock = threading.Lock()
        workers = [threading.Thread(target=load, args=(Client(server), rng.random()))
                   for _ in range(3)]
        for worker in workers:
            worker.start()
        time.sleep(rng.uniform(1.2, 3.0))
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(10)
        stop.set()
        for worker in workers:
            worker.join(30)
        server.stop()
        total = sum(logged(log).values())
        assert before <= total <= before + answered[0]
        before = total
    assert before > 0


def test_a_full_log_disk_leaves_search_answering(built_index, env, tmp_path):
    log = tmp_path / "queries.sqlite3"
    limit = 96 * 1024  # no file the server writes may grow past this (EFBIG)
    server = Server(built_index, {**env, "KB_QUERY_LOG": str(log)},
                    preexec_fn=file_size_limit(limit))
    client, statuses = Client(server), []
    deadline = time.monotonic() + 30
    n = 0
    while time.monotonic() < deadline:
        statuses += [client.get(api(f"botox {n} " + "ab" * 90))[0] for _ in range(20)]
        n += 1
        if n > 8 and "cannot write" in "".join(server._err):
            break
        time.sleep(0.3)
    assert set(statuses) == {200}
    status, body = client.get(api("botulinum"))
    assert status == 200 and json.loads(body)["total"] > 0
    err = server.stop()
    assert re.search(r"query log .*: cannot write \(\w+: .*\); \d+ failed writes", err), err
    assert "Traceback" not in err
    STATS["query log: searches answered while the log disk was full"] += len(statuses)
    assert logged(log)  # what was written before the disk filled is intact


def test_hostile_queries_are_logged_as_text_and_nothing_of_the_visitor(built_index, env, tmp_path):
    log, count = tmp_path / "queries.sqlite3", 10_000 if FULL else 400
    server = Server(built_index, {**env, "KB_QUERY_LOG": str(log)})
    client, expected = Client(server, MARKERS), set()
    for n, text in enumerate(web_text(q) for q in hostile_queries(count, seed=7)):
        path = api(text) if n % 4 else "/ru/search?q=" + quote(text, safe="")
        status, body = client.get(path)
        # 414: a request line longer than the server's limit (8190 bytes), refused before the app
        assert status in (200, 400) or (status == 414 and len(path) > 8190), (status, text[:80])
        if status == 200:
            expected.add(normalize_query(text))
            if n % 4 == 0:
                assert b"<script>alert(1)</script>" not in body
    expected.discard("")
    assert not server.stop().count("Traceback")
    STATS["query log: hostile queries sent to the server"] += count
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("queries.sqlite3*"))
    for marker in ("AgentMarker", "203.0.113.77", "CookieMarker42", "RefMarker"):
        assert marker.encode() not in raw, marker
    listed = run_kb(["queries", "--log", log, "--min-count", "1", "--min-days", "1",
                     "--limit", "10000", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    assert {q["query"] for q in json.loads(listed.stdout)["queries"]} == expected
    shown = run_kb(["queries", "--log", log, "--min-count", "1", "--min-days", "1",
                    "--limit", "10000"], env)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]",
                         shown.stdout)


def test_an_entry_opened_from_a_result_link_is_counted(built_index, env, tmp_path):
    log = tmp_path / "queries.sqlite3"
    server = Server(built_index, {**env, "KB_QUERY_LOG": str(log)})
    client = Client(server)
    status, page = client.get("/ru/search?q=" + quote("ботокс"))
    link = re.search(rb'class="hit-title"[^>]*><a href="([^"]+)"', page).group(1)
    assert b"q=" in link
    client.conn.request("GET", link.decode().replace("&amp;", "&"))
    response = client.conn.getresponse()
    response.read()
    assert response.status == 302  # to the entry's own URL: no query stays in its address
    assert response.getheader("Location").endswith(link.decode().split("?")[0])
    assert client.get(response.getheader("Location"))[0] == 200
    server.stop()
    with QueryStore(log, readonly=True) as store:
        (row,) = store.rows()
        assert (row.query, row.lang, row.searches, row.opens) == ("ботокс", "ru", 1, 1)


def test_two_servers_on_one_log_add_their_counts(built_index, env, tmp_path):
    log = tmp_path / "queries.sqlite3"
    servers = [Server(built_index, {**env, "KB_QUERY_LOG": str(log)}) for _ in range(2)]
    clients = [Client(server) for server in servers]
    for n in range(60):
        assert clients[n % 2].get(api("ботокс"))[0] == 200
    for server in servers:
        server.stop()
    assert logged(log) == {"ботокс": 60}


def test_the_log_setting_off_writes_nothing(built_index, env, tmp_path):
    index = tmp_path / "ix"  # a private copy: where the default log would be is this test's own
    shutil.copytree(built_index, index)
    server = Server(index, {**env, "KB_QUERY_LOG": "off"})
    assert Client(server).get(api("ботокс"))[0] == 200
    server.stop()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]
