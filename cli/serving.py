"""`kb serve`'s wiring: the index built first when there is none, then the web server (web/ only
serves; building is the indexer's, and the CLI is the one place that joins the two)."""
from __future__ import annotations

from kb.config import Settings


def ensure_index(settings: Settings) -> None:
    """Build the index first when there is none yet (or CURRENT's is another version's), saying
    so. A CURRENT naming a generation not complete yet is a replica's copy in progress: it is
    served once complete (/healthz answers 503 until then), never built over."""
    from indexer.manifest import is_outdated, named_generation
    from indexer.store import index_exists

    index_dir = settings.index_dir
    if index_exists(index_dir) or (named_generation(index_dir) and not is_outdated(index_dir)):
        return
    from indexer.build.builder import build_index  # the indexer (content parsing, YAML) only then

    print(f"No index at {settings.index_dir}: building it from "
          f"{', '.join(str(root) for root in settings.content_roots)} ...", flush=True)
    report = build_index(settings)
    print(f"Index built: {report.summary()}", flush=True)
    for problem in report.problems:
        print(f"  {'skipped' if problem.skipped else 'warning'}: {problem}", flush=True)


def build_and_serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000,
                    threads: int | None = None, workers: int = 1) -> None:
    """What `kb serve` does: the index built if missing (ensure_index), then served until
    interrupted (web.server.serve)."""
    from web.server import limit_malloc_arenas, serve

    limit_malloc_arenas()  # before the build's and the server's threads start
    ensure_index(settings)
    serve(settings, host=host, port=port, threads=threads, workers=workers)
