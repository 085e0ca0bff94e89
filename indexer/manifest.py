"""Which generation a reader may serve: the one CURRENT names once its files are all there.

A generation's manifest lists its files and their sizes; `kb index` writes it last (after the
commit, the concepts, the metadata and the file stamps; again after every incremental commit),
and its name sorts after every other file of the generation. That makes an index directory safe
to copy to a read-only replica while the replica serves:

    rsync -a --delete-after --delay-updates primary:/srv/kb-index/ /srv/kb-index/

rsync sends a directory's files before its subdirectories', in sorted order, so CURRENT reaches
the replica before the generation it names is complete (and with ``--delay-updates`` it is
renamed into place first too). A reader therefore switches to CURRENT's generation only when that
generation's manifest is there and every file it lists has its size; until then it keeps serving
the generation it had (or, starting, the newest complete generation before CURRENT's), so a
half-copied index never gives a torn read. ``--delete-after`` keeps the previous generation's
files until the copy is done (``--delete`` would remove them from under the readers first).

An incremental update commits into the same generation: its new segment files (``MAIN_*``)
sort before its table of contents (``_MAIN_<n>.toc``), which Whoosh writes last and opens, so a
table of contents newer than the manifest's is complete too.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from indexer import filestate, store
from indexer.bridges.factstore import ALIGNMENT, DATABASE

MANIFEST = "zz-manifest.json"  # sorts after every other file of a generation: copied last
MANIFEST_KEY = "manifest"  # in kb-meta.json: this generation has a manifest (older ones did not)
_TOC = re.compile(r"_MAIN_(\d+)\.toc$")
# the writer's own state, never read by a reader: Whoosh's lock, the file stamps and the
# bridges' entry facts and alignment (with SQLite's journals), which an update rewrites in place
# (a run killed before its manifest would otherwise leave CURRENT's generation "incomplete" and a
# primary serving the previous one)
_NOT_LISTED = ("MAIN_WRITELOCK", filestate.FILES, ALIGNMENT)
_NOT_LISTED_PREFIXES = (DATABASE,)


def toc_generation(gen: Path) -> int:
    """The newest Whoosh table of contents in ``gen`` (-1: none)."""
    try:
        names = [p.name for p in Path(gen).iterdir()]
    except OSError:
        return -1
    return max((int(m.group(1)) for name in names if (m := _TOC.match(name))), default=-1)


def write_manifest(gen: Path) -> None:
    """List ``gen``'s files and sizes, atomically, as its last file. Only the writer calls this."""
    gen = Path(gen)
    files = {p.name: p.stat().st_size for p in sorted(gen.iterdir())
             if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST
             and p.name not in _NOT_LISTED and not p.name.startswith(_NOT_LISTED_PREFIXES)}
    manifest = {"generation": gen.name, "toc": toc_generation(gen), "files": files}
    store.write_atomically(gen / MANIFEST, json.dumps(manifest, sort_keys=True))


def read_manifest(gen: Path) -> dict | None:
    try:
        manifest = json.loads((Path(gen) / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("files"), dict) else None


def is_complete(gen: Path) -> bool:
    """Are all of ``gen``'s files there, as the writer left them?"""
    gen = Path(gen)
    meta = store.read_meta(gen)
    if not meta:
        return False
    if not meta.get(MANIFEST_KEY):  # built before manifests: complete once Whoosh can open it
        return toc_generation(gen) >= 0
    manifest = read_manifest(gen)
    if manifest is None:
        return False
    if toc_generation(gen) > manifest.get("toc", -1):
        return True  # an incremental commit since: its segments were in place before its TOC
    for name, size in manifest["files"].items():
        try:
            if (gen / name).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


def named_generation(index_dir: Path) -> str | None:
    """The generation CURRENT names (whether or not it is there yet)."""
    try:
        name = (Path(index_dir) / store.CURRENT).read_text("utf-8").strip()
    except OSError:
        return None
    return name if name.startswith("gen-") else None


def serving_generation(index_dir: Path, keep: Path | None = None) -> Path | None:
    """The generation to serve: CURRENT's when complete; else ``keep`` (the one a reader has
    open) if still complete; else the newest complete generation before CURRENT's; else None."""
    index_dir = Path(index_dir)
    named = named_generation(index_dir)
    if named is not None and is_complete(index_dir / named):
        return index_dir / named
    if keep is not None and is_complete(keep):
        return Path(keep)
    older = sorted((p for p in index_dir.glob("gen-*") if named is None or p.name < named),
                   key=lambda p: p.name, reverse=True)
    return next((p for p in older if is_complete(p)), None)



def generation_to_serve(index_dir: Path, keep: Path | None = None) -> Path:
    """``serving_generation``, else IndexOutdated (CURRENT's was built by another version of
    kb) or IndexMissing."""
    gen = serving_generation(index_dir, keep)
    if gen is not None:
        return gen
    if is_outdated(index_dir):
        raise store.IndexOutdated(Path(index_dir))
    raise store.IndexMissing(Path(index_dir))


def is_outdated(index_dir: Path) -> bool:
    """Was CURRENT's generation built by another version of kb (its metadata says so)?"""
    named = named_generation(index_dir)
    gen = Path(index_dir) / named if named else None
    return gen is not None and bool(store.read_meta(gen)) and not store.is_current_version(gen)
