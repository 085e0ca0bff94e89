"""Serve on every core: gunicorn's pre-fork model, driven from Python (a "custom application").

The master process binds the socket and forks ``workers`` processes; each worker creates the
Flask app after the fork (``load`` runs in the worker: nothing is preloaded), so each opens the
same on-disk index itself and follows re-indexes and replica syncs as one process does
(indexer.search.knowledgebase.KnowledgeBase, indexer.manifest). Each worker is gunicorn's ``gthread`` worker:
a few threads for slow clients and entry pages, searches one at a time per process
(web.kbase.search). SIGTERM stops gracefully (requests in flight finish), SIGINT at once; both
end with "Stopped." on stderr.
"""
from __future__ import annotations

import sys

from gunicorn.app.base import BaseApplication

from kb.config import Settings

GRACEFUL_SECONDS = 10  # SIGTERM: how long requests in flight may take to finish
WORKER_TIMEOUT = 120  # a worker silent this long is restarted (a cold search at 100,000 is < 2 s)
KEEPALIVE_SECONDS = 5


class PreforkServer(BaseApplication):
    """gunicorn with kb's settings; the app factory runs in each worker."""

    def __init__(self, settings: Settings, host: str, port: int, workers: int, threads: int):
        self.settings = settings
        shown_host = f"[{host}]" if ":" in host else host
        self.options = {
            "bind": f"{shown_host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "preload_app": False,
            "timeout": WORKER_TIMEOUT,
            "graceful_timeout": GRACEFUL_SECONDS,
            "keepalive": KEEPALIVE_SECONDS,
            # gunicorn's largest: a query of MAX_QUERY_LENGTH (500) characters, percent-encoded
            # (up to 12 bytes each), fits, so it gets the app's answer; longer lines get 414
            "limit_request_line": 8190,
            "loglevel": "warning",  # gunicorn's own "Listening at" lines stay out of the output
            "accesslog": None,
            "proc_name": "kb-serve",
            "when_ready": _say_where(shown_host),
            "on_exit": _say_stopped,
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """In each worker, after the fork: its own app, its own open index."""
        import gunicorn.http.wsgi

        from web import create_app

        gunicorn.http.wsgi.SERVER = "clinic-kb"  # the Server header, as waitress's ident says
        app = create_app({"SETTINGS": self.settings})
        _open_index(app)
        return app


def _open_index(app) -> None:
    """Open the worker's index before its first request (a request would open it otherwise)."""
    from indexer.store import IndexMissing
    from web.kbase import get_kb

    with app.app_context():
        try:
            get_kb()
        except IndexMissing:  # none complete here yet (a replica's first copy): opened on a request
            pass


def _say_where(shown_host: str):
    def when_ready(arbiter):
        # the address actually bound (port 0 picks a free one), once, by the master
        port = arbiter.LISTENERS[0].sock.getsockname()[1]
        print(f"{arbiter.cfg.workers} worker processes (gunicorn, {arbiter.cfg.threads} threads "
              f"each), master pid {arbiter.pid}", flush=True)
        print(f"Serving on http://{shown_host}:{port}/", flush=True)
    return when_ready


def _say_stopped(arbiter):
    print("Stopped.", file=sys.stderr, flush=True)


def serve_prefork(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    try:
        PreforkServer(settings, host, port, workers, threads).run()
    except SystemExit as exc:  # gunicorn's master ends with sys.exit(0) after stopping its workers
        if exc.code not in (0, None):
            raise
