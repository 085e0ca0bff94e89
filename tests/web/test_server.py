"""kb serve's wiring (cli.serving.build_and_serve): builds a missing index, then serves on
waitress (web.server.serve) and says where."""
from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from kb.config import PROJECT_DIR

SERVE = """
import sys
from pathlib import Path
from kb.config import Settings
from cli.serving import build_and_serve
build_and_serve(Settings(index_dir=Path(sys.argv[1]), content_roots=(Path(sys.argv[2]),)), port=0, threads=2)
"""


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("served") / "index"


def started(command: list[str]):
    """Run ``command``; yield (its output lines up to "Serving on ...", the URL); then stop it."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=PROJECT_DIR)
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Serving on "):
                break
        assert lines and lines[-1].startswith("Serving on "), "\n".join(lines)
        yield lines, lines[-1].removeprefix("Serving on ")
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(index_dir):
    """A real server over a fresh (not yet built) index."""
    yield from started([sys.executable, "-c", SERVE, str(index_dir), str(PROJECT_DIR / "data")])


def test_serve_builds_a_missing_index_and_prints_where_it_serves(server, index_dir):
    lines, url = server
    assert any("building" in line for line in lines[:-1])
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    assert index_dir.exists()


def test_the_served_app_answers_over_http_with_security_headers(server):
    _, url = server
    with urllib.request.urlopen(url + "gr/", timeout=20) as response:
        assert response.status == 200
        assert response.headers["Content-Security-Policy"]
        assert '<html lang="el">' in response.read().decode("utf-8")


def test_the_server_identifies_as_clinic_kb_not_a_debug_server(server):
    _, url = server
    with urllib.request.urlopen(url + "api/suggest?q=bo", timeout=20) as response:
        assert response.headers["Server"] == "clinic-kb"  # waitress's ident, set by serve()


def test_kb_serve_runs_the_same_server(settings):
    command = [sys.executable, "-c", "from cli import main; main()",
               "serve", "--port", "0", "--threads", "2", "--index", str(settings.index_dir)]
    for _, url in started(command):
        with urllib.request.urlopen(url + "it/", timeout=20) as response:
            assert '<html lang="it">' in response.read().decode("utf-8")


def test_kb_serve_with_workers_answers_from_each_worker_process_and_stops_on_sigterm(settings):
    import json
    import os
    import signal
    import time

    command = [sys.executable, "-c", "from cli import main; main()", "serve", "--port", "0",
               "--workers", "2", "--threads", "2", "--index", str(settings.index_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=PROJECT_DIR)
    try:
        url = next(line.split()[-1] for line in process.stdout if line.startswith("Serving on "))
        pids = set()
        deadline = time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline:  # the kernel spreads connections
            with urllib.request.urlopen(url + "healthz", timeout=20) as response:
                health = json.load(response)
            assert health["status"] == "ok" and sum(health["entries"].values()) > 0
            pids.add(health["pid"])
        assert len(pids) == 2 and process.pid not in pids  # two workers, neither the master
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert "Stopped." in process.stderr.read()
        for pid in pids:  # no worker outlives the master
            assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
