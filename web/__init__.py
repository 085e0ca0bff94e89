"""The web front end: a Flask app over the knowledge base's search API.

``create_app(config)`` builds it (Flask tutorial style); ``web.server.serve`` runs it on waitress.
"""
from __future__ import annotations

from flask import Flask

from kb.config import Settings


def create_app(config: dict | None = None) -> Flask:
    """The application. ``config`` keys: ``SETTINGS`` (a kb.config.Settings; default from the
    environment), ``QUERY_RECORDER`` (a querylog.Recorder, or None for no query log; default
    from the settings), ``TESTING``, and any Flask setting."""
    app = Flask(__name__)
    app.config.from_mapping(SETTINGS=None, TESTING=False, MAX_CONTENT_LENGTH=16 * 1024)
    app.config.update(config or {})
    if app.config["SETTINGS"] is None:
        app.config["SETTINGS"] = Settings.from_env()
    app.json.ensure_ascii = False  # Cyrillic and Greek stay readable
    app.json.sort_keys = False  # keep the order SearchResults.to_dict() gives

    from web import errors, health, kbase, searchlog, security, templating
    from web.locale import LanguageConverter
    from web.views import api, pages

    app.url_map.converters["lang"] = LanguageConverter
    kbase.init_app(app)
    searchlog.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    return app
