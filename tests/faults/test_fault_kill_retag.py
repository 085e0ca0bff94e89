"""A concept re-tag (`kb index` after a concept-file edit) killed with SIGKILL while its worker
processes analyse the affected entries: the index still opens and answers, with the tags it had
(or, had the kill come after the commit, every tag of the edit: never a mixture), no worker is
left running, and the next `kb index` re-tags in place to the tags a rebuild with the edited
concepts gives."""
from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

from faultkit import DATA, STABLE_QUERY, STATS, enlarge, kb_env, popen_kb, run_kb, wait_for
from test_fault_kill_workers import children, running

COPIES = 6  # data/ seven times over: a re-tag long enough to kill while its workers run
EDIT = ('ru = ["акне", ', 'ru = ["кожа", ')  # skin.toml's [acne]: a term out, a common word in


def concept_tags(index_dir: Path) -> dict:
    """Entry id -> its (concept field, concept id) pairs, of the live documents."""
    from indexer import store

    _, ix = store.open_current(index_dir)
    with ix.reader() as reader:
        ids = {d: fields["id"] for d, fields in reader.iter_docs()}
        tags: dict = {entry_id: set() for entry_id in ids.values()}
        for fieldname in [f for f in ix.schema.names() if f.startswith("concepts") or f == "group"]:
            for term in reader.lexicon(fieldname):
                for docnum in reader.postings(fieldname, term).all_ids():
                    if docnum in ids:
                        tags[ids[docnum]].add((fieldname, term))
    ix.close()
    return tags


def test_sigkill_during_a_retag_keeps_the_old_tags_serving_and_the_next_run_finishes_it(tmp_path, content):
    from indexer.search.results import SearchRequest
    from indexer.search.knowledgebase import KnowledgeBase

    enlarge(content, COPIES)
    concepts = tmp_path / "concepts"
    shutil.copytree(DATA / "concepts", concepts)
    env = kb_env(concepts, KB_BUILD_WORKERS="2")
    index_dir = tmp_path / "ix"
    built = run_kb(["index", content, "--index", index_dir], env, timeout=600)
    assert built.returncode == 0, built.stderr
    old_tags = concept_tags(index_dir)
    path = concepts / "skin.toml"
    path.write_text(path.read_text("utf-8").replace(*EDIT, 1), "utf-8")
    fresh = tmp_path / "fresh"
    rebuilt = run_kb(["index", content, "--index", fresh], env, timeout=600)
    assert rebuilt.returncode == 0, rebuilt.stderr
    new_tags = concept_tags(fresh)
    assert new_tags != old_tags

    proc = popen_kb(["index", content, "--index", index_dir], env)
    workers: set[int] = set()

    def two_workers():
        workers.update(children(proc.pid))
        return proc.poll() is not None or len(workers) >= 2

    assert wait_for(two_workers, 60, 0.005)
    assert proc.poll() is None, "the re-tag ended before its workers were seen"
    time.sleep(0.02)  # into the analysis of the affected entries
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert wait_for(lambda: not any(running(pid) for pid in workers), 10, 0.02), \
        f"workers still running after the parent's SIGKILL: {sorted(p for p in workers if running(p))}"
    kb = KnowledgeBase.open(index_dir)
    try:
        assert kb.search(SearchRequest(STABLE_QUERY)).total >= 1
    finally:
        kb.close()
    killed_tags = concept_tags(index_dir)
    assert killed_tags in (old_tags, new_tags)
    STATS["kill: re-tags killed before their commit"] += killed_tags == old_tags

    finished = run_kb(["index", content, "--index", index_dir], {**env, "KB_LOCK_TIMEOUT": "5"}, timeout=600)
    assert finished.returncode == 0, finished.stderr
    assert "(rebuilt)" not in finished.stdout
    assert concept_tags(index_dir) == new_tags
