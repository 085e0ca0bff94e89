"""Run the web front end on waitress (a production WSGI server; never Flask's debug server)."""
from __future__ import annotations

import ctypes
import sys

from waitress.server import create_server

from indexer.store import index_exists
from kb.config import Settings
from web import create_app


def ensure_index(settings: Settings) -> None:
    """Build the index first when there is none yet, saying so."""
    if index_exists(settings.index_dir):
        return
    from indexer.build import build_index  # the indexer (content parsing, YAML) only then

    print(f"No index at {settings.index_dir}: building it from "
          f"{', '.join(str(root) for root in settings.content_roots)} ...", flush=True)
    report = build_index(settings)
    print(f"Index built: {report}", flush=True)


M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt parameters
MMAP_THRESHOLD = 128 * 1024  # glibc's default, kept
MALLOC_ARENAS = 2


def tune_malloc() -> None:
    """Make memory freed by a request go back to the system and serve the other threads (glibc;
    elsewhere nothing). Measured at 100,000 entries under load, eight server threads: peak 255 MB
    before, 189 MB with both (with the searches one at a time, web.kbase.search).

    - glibc raises its mmap threshold each time a large block is freed (up to 32 MB), and from
      then on blocks of that size come from the heap, where freed ones stay as a high-water
      mark: a search's arrays over every document (800 KB each at 100,000 entries) and a page's
      buffers piled up so. Fixed at its default, large blocks are mapped and unmapped.
    - glibc gives each thread that allocates its own arena, up to eight per core, and memory freed
      in one thread's arena serves only the threads on it: the server's peak grew with its thread
      count. The threads take turns under the GIL, so two arenas cost no throughput.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(M_ARENA_MAX, MALLOC_ARENAS)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve the knowledge base at http://host:port/ until interrupted.

    ``port=0`` picks a free port; the printed address is the one actually bound.
    """
    tune_malloc()  # before waitress starts its threads
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
