"""Read-only replicas: an index built in one directory, copied to another, served there by a
second real `kb serve` (its worker processes) that has no content files.

* The copy serves (the same generation and entries per language as the original; /healthz).
* Re-synced during searches (rsync -a --delete-after --delay-updates, as the README says; the same
  order by hand where rsync is missing): 0 errors, and the new generation is picked up.
* A copy stopped half-way keeps serving the previous generation, file after file, until the new
  generation's manifest has arrived; a replica with no complete generation answers 503 and does
  not build one of its own.
"""
from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
from pathlib import Path

from faultkit import STABLE_QUERY, STATS, Server, expected_entries, run_kb, wait_for

RSYNC = shutil.which("rsync")
PROBE = "zorbalampo"  # a word only the page the second generation adds contains


def get(server: Server, path: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def rsync_order(src: Path) -> list[Path]:
    """The files of an index directory in the order rsync sends them: a directory's own files
    before its subdirectories', each sorted by name (so CURRENT comes before its generation)."""
    files = sorted(p for p in src.iterdir() if p.is_file())
    for sub in sorted(p for p in src.iterdir() if p.is_dir()):
        files += sorted(p for p in sub.iterdir() if p.is_file())
    return [p.relative_to(src) for p in files]


def copy_files(src: Path, dst: Path, names: list[Path]) -> None:
    """Copy each file unless the copy already has it (size and time, as rsync's quick check),
    through a temporary name renamed into place, as rsync does."""
    for name in names:
        source, target = src / name, dst / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.stat().st_size == source.stat().st_size \
                and target.stat().st_mtime_ns == source.stat().st_mtime_ns:
            continue
        tmp = target.with_name(f".{target.name}.copying")
        shutil.copy2(source, tmp)
        tmp.replace(target)


def sync(src: Path, dst: Path) -> None:
    """The whole index directory to the replica, the old generations' files removed last."""
    if RSYNC:
        subprocess.run([RSYNC, "-a", "--delete-after", "--delay-updates", f"{src}/", f"{dst}/"],
                       check=True, timeout=120)
        return
    copy_files(src, dst, rsync_order(src))
    wanted = {dst / n for n in rsync_order(src)}
    for path in sorted(dst.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def add_probe_page(content: Path) -> None:
    (content / "replica-probe.it.md").write_text(
        f"# Sonda della replica\n\nUna pagina aggiunta per la replica: {PROBE}.\n", "utf-8")


def replica_env(env: dict, tmp_path: Path) -> dict:
    """The replica's environment: no content (an empty root), so it could build nothing real."""
    empty = tmp_path / "no-content"
    empty.mkdir()
    return env | {"KB_CONTENT": str(empty)}


def generation(index: Path) -> str:
    return (index / "CURRENT").read_text().strip()


def test_a_copied_index_serves_without_its_content_files(tmp_path, content, env):
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    assert run_kb(["index", content, "--index", primary], env).returncode == 0
    sync(primary, replica)
    with Server(replica, replica_env(env, tmp_path), threads=2) as server:
        status, health = get(server, "/healthz")
        _, results = get(server, f"/api/search?q={STABLE_QUERY}")
    assert status == 200 and health["status"] == "ok", health
    assert health["generation"] == generation(primary)
    assert sum(health["entries"].values()) == len(expected_entries(content)) > 0
    assert set(health["entries"]) == {"ru", "el", "it"}
    assert results["results"], results


def test_a_resync_during_searches_gives_no_error_and_serves_the_new_generation(tmp_path, content, env):
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    assert run_kb(["index", content, "--index", primary], env).returncode == 0
    sync(primary, replica)
    with Server(replica, replica_env(env, tmp_path), threads=2) as server:
        stop, errors, answered = threading.Event(), [], []

        def search():
            while not stop.is_set():
                try:
                    status, body = get(server, f"/api/search?q={STABLE_QUERY}")
                    ok = status == 200 and body["results"]
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    ok, status = False, f"{type(exc).__name__}: {exc}"
                (answered if ok else errors).append(status)

        searchers = [threading.Thread(target=search) for _ in range(3)]
        for thread in searchers:
            thread.start()
        try:
            for round_ in range(2):  # a full rebuild (new generation), then an incremental update
                if round_ == 0:
                    add_probe_page(content)
                    assert run_kb(["index", content, "--index", primary, "--full"], env).returncode == 0
                else:
                    (content / "replica-probe.it.md").unlink()
                    assert run_kb(["index", content, "--index", primary], env).returncode == 0
                sync(primary, replica)
                wanted = 1 if round_ == 0 else 0
                assert wait_for(lambda: len(get(server, f"/api/search?q={PROBE}&lang=it")[1]
                                            ["results"]) == wanted, 20, 0.1), round_
                assert get(server, "/healthz")[1]["generation"] == generation(primary)
        finally:
            stop.set()
            for thread in searchers:
                thread.join(30)
    STATS["replica searches during re-syncs"] += len(answered)
    assert not errors, errors[:5]
    assert len(answered) > 10


def test_a_half_copied_generation_keeps_serving_the_previous_one(tmp_path, content, env):
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    assert run_kb(["index", content, "--index", primary], env).returncode == 0
    old = generation(primary)
    sync(primary, replica)
    add_probe_page(content)
    assert run_kb(["index", content, "--index", primary, "--full"], env).returncode == 0
    new = generation(primary)
    order = rsync_order(primary)
    manifest_at = order.index(Path(new) / "zz-manifest.json")
    assert order.index(Path("CURRENT")) < manifest_at == len(order) - 1  # CURRENT first, manifest last
    with Server(replica, replica_env(env, tmp_path), threads=2) as server:
        for name in order[:manifest_at]:  # file by file, as a copy that may stop at any point
            copy_files(primary, replica, [name])
            status, health = get(server, "/healthz")
            search_status, results = get(server, f"/api/search?q={STABLE_QUERY}")
            assert status == 200 and health["generation"] == old, (name, health)
            assert search_status == 200 and results["results"], name
            assert not get(server, f"/api/search?q={PROBE}&lang=it")[1]["results"], name
        assert health["status"] == "syncing" and health["current"] == new
        copy_files(primary, replica, order[manifest_at:])
        assert wait_for(lambda: get(server, "/healthz")[1]["generation"] == new, 10, 0.05)
        assert get(server, f"/api/search?q={PROBE}&lang=it")[1]["results"]


def test_a_replica_without_a_complete_generation_answers_503_and_builds_nothing(tmp_path, content, env):
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    assert run_kb(["index", content, "--index", primary], env).returncode == 0
    order = rsync_order(primary)
    copy_files(primary, replica, order[:len(order) // 2])  # CURRENT and part of its generation
    with Server(replica, replica_env(env, tmp_path), threads=2) as server:
        status, health = get(server, "/healthz")
        assert status == 503 and health["status"] == "unavailable", health
        assert get(server, f"/api/search?q={STABLE_QUERY}")[0] == 503
        copy_files(primary, replica, order[len(order) // 2:])
        assert wait_for(lambda: get(server, "/healthz")[0] == 200, 10, 0.05)
    assert sorted(p.name for p in replica.glob("gen-*")) == [generation(primary)]  # nothing built
