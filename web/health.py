"""GET /healthz for a load balancer: 200 with the generation served and its entries per language,
503 while this server has no complete index (none built or copied yet)."""
from __future__ import annotations

import os

from flask import Blueprint, current_app, jsonify

from indexer.manifest import named_generation
from indexer.search.knowledgebase import IndexMissing
from web.kbase import get_kb

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    index_dir = current_app.config["SETTINGS"].index_dir
    named = named_generation(index_dir)
    try:
        generation, entries = get_kb().status()
    except IndexMissing:
        return jsonify(status="unavailable", generation=None, current=named, entries={},
                       pid=os.getpid()), 503
    # "current" differs from "generation" while a newer one is still being copied here
    status = "ok" if named in (None, generation) else "syncing"
    return jsonify(status=status, generation=generation, current=named, entries=entries,
                   pid=os.getpid())
