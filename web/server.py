"""Run the web front end: on every core with gunicorn's worker processes (web.prefork), or in one
process on waitress (``workers=1``: today's path, also where there is no fork, as on Windows).
Never Flask's debug server."""
from __future__ import annotations

import ctypes
import os
import sys

from waitress.server import create_server

from kb.config import Settings
from web import create_app


M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2
# How far a response may run ahead of its client before its thread waits (waitress: 16 MB). A
# streamed home page at 100,000 entries is 17 MB, and eight written at once to clients reading
# them peaked at 290 MB, 88 MB with 1 MB (and no slower).
OUTBUF_HIGH_WATERMARK = 1024 * 1024


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Let the server's threads share ``arenas`` malloc arenas (glibc; elsewhere nothing).

    glibc gives each thread that allocates its own arena, up to eight per core, and memory freed
    in one thread's arena serves only the threads on it: the server's peak grew with its thread
    count. The threads take turns under the GIL, so sharing costs no throughput. (What the
    environment variable MALLOC_ARENA_MAX does, set from inside.)"""
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):  # not glibc
        pass


WAITRESS_THREADS = 8  # one process: its threads (searches still run one at a time)
WORKER_THREADS = 4  # per worker process: slow clients and entry pages; searches one at a time


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int | None = None,
          workers: int = 1) -> None:
    """Serve the knowledge base at http://host:port/ until interrupted (SIGINT or SIGTERM). The
    index is built by the CLI first when missing (cli/serving.py): this module only serves.

    ``port=0`` picks a free port; the printed address is the one actually bound. ``workers`` > 1
    runs that many processes (gunicorn, ``threads`` each); 1 runs waitress in this process.
    """
    limit_malloc_arenas()  # before the server starts its threads (and its workers inherit it)
    if workers > 1 and hasattr(os, "fork"):
        from web.prefork import serve_prefork

        serve_prefork(settings, host, port, workers, threads or WORKER_THREADS)
        return
    threads = threads or WAITRESS_THREADS
    app = create_app({"SETTINGS": settings})
    server = create_server(app, host=host, port=port, threads=threads, ident="clinic-kb",
                           outbuf_high_watermark=OUTBUF_HIGH_WATERMARK)
    bound_port = getattr(server, "effective_port", port)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Serving on http://{shown_host}:{bound_port}/", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr, flush=True)
    finally:
        server.close()
