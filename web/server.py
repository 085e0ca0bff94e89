"""Run the web front end on waitress (a production WSGI server; never Flask's debug server)."""
from __future__ import annotations

import sys

from waitress.server import create_server

from indexer.build import build_index, index_exists
from kb.config import Settings
from web import create_app


def ensure_index(settings: Settings) -> None:
    """Build the index first when there is none yet, saying so."""
    if index_exists(settings.index_dir):
        return
    print(f"No index at {settings.index_dir}: building it from "
          f"{', '.join(str(root) for root in settings.content_roots)} ...", flush=True)
    report = build_index(settings)
    print(f"Index built: {report}", flush=True)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve the knowledge base at http://host:port/ until interrupted.

    ``port=0`` picks a free port; the printed address is the one actually bound.
    """
    ensure_index(settings)
    app = create_app({"SETTINGS": settings})
    server = create_server(app, host=host, port=port, threads=threads, ident="clinic-kb")
    bound_port = getattr(server, "effective_port", port)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Serving on http://{shown_host}:{bound_port}/", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr, flush=True)
    finally:
        server.close()
