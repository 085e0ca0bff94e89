"""Fixtures for the web tests: a real index of the repository's data/, built once per session."""
from __future__ import annotations

import pytest

from indexer.build.builder import build_index
from kb.config import PROJECT_DIR, Settings
from web import create_app

DATA = PROJECT_DIR / "data"


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    index_dir = tmp_path_factory.mktemp("web") / "index"
    built = Settings(index_dir=index_dir, content_roots=(DATA,), default_lang="ru")
    build_index(built)
    return built


@pytest.fixture(scope="session")
def app(settings):
    return create_app({"SETTINGS": settings, "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def kb(app):
    """The app's own KnowledgeBase, to compare pages with what the search API says."""
    from web.kbase import get_kb

    with app.app_context():
        return get_kb()
