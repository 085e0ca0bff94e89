"""Fixtures for the fault tests: private copies of data/, a built index, and the run's tallies.

KB_FULL=1 runs the long counts (100+ kills, minute-long load); the default keeps CI fast.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from faultkit import FULL, REPO, REPORT, STATS, copy_data, kb_env


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """One copy of data/ for the whole run: content and concepts, safe from concurrent edits."""
    return copy_data(tmp_path_factory.mktemp("pristine") / "data")


@pytest.fixture(scope="session")
def concepts(pristine) -> Path:
    return pristine / "concepts"


@pytest.fixture
def content(tmp_path, pristine) -> Path:
    """This test's own content root (it may edit it)."""
    import shutil

    dest = tmp_path / "content"
    shutil.copytree(pristine, dest, ignore=shutil.ignore_patterns("concepts"))
    return dest


@pytest.fixture(scope="session")
def env(concepts) -> dict:
    return kb_env(concepts)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, pristine, concepts) -> Path:
    """An index of the pristine content, built once, for tests that only read it."""
    from indexer.build.builder import build_index
    from kb.config import Settings

    index_dir = tmp_path_factory.mktemp("index") / "ix"
    settings = Settings(content_roots=(pristine,), index_dir=index_dir, concepts_dir=concepts)
    report = build_index(settings)
    assert report.total > 20 and not report.skipped, report
    return index_dir


def pytest_terminal_summary(terminalreporter):
    if not STATS and not REPORT:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"fault tests ({'KB_FULL' if FULL else 'default counts'})")
    for key in sorted(STATS):
        write(f"{key}: {STATS[key]}")
    for line in REPORT:
        write(line)
    out = REPO / "test-artifacts"
    try:
        out.mkdir(exist_ok=True)
        (out / "faults-summary.json").write_text(json.dumps(
            {"full": FULL, "stats": dict(STATS), "report": REPORT}, ensure_ascii=False, indent=2))
    except OSError:
        pass
