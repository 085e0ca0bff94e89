"""Configuration in one place, with sane defaults (overridable by environment and options)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = PROJECT_DIR / "data"
DEFAULT_CONCEPTS = PROJECT_DIR / "data" / "concepts"


def _default_index_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "clinic-kb" / "index"


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class SettingsError(ValueError):
    """A setting from the environment that cannot be used (the message names it)."""


@dataclass(frozen=True)
class Settings:
    content_roots: tuple[Path, ...] = (DEFAULT_CONTENT,)
    index_dir: Path = field(default_factory=_default_index_dir)
    concepts_dir: Path = DEFAULT_CONCEPTS
    max_file_bytes: int = 2 * 1024 * 1024  # larger content files are skipped, with a message
    default_lang: str = "ru"  # the web's language when nothing else tells
    lock_timeout: float = 30.0  # seconds a second `kb index` waits for the first
    postings_cache_mb: int = 32  # decoded postings a search process keeps (indexer/postings.py)
    query_log: str = ""  # KB_QUERY_LOG: the query log's SQLite file; "" beside the index; "off"
    query_log_days: int = 90  # KB_QUERY_LOG_DAYS: days of the query log kept
    build_workers: int = field(default_factory=_cores)  # processes analysing files in a build; 1: in-process

    @property
    def query_log_path(self) -> Path | None:
        """Where the web pages count searches (querylog/): KB_QUERY_LOG, else ``queries.sqlite3``
        beside the index directory; None when the log is off."""
        if self.query_log.strip().lower() == "off":
            return None
        if self.query_log:
            return Path(self.query_log)
        return Path(self.index_dir).parent / "queries.sqlite3"

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then KB_INDEX / KB_CONTENT / KB_CONCEPTS / KB_LOCK_TIMEOUT /
        KB_POSTINGS_CACHE_MB / KB_QUERY_LOG / KB_QUERY_LOG_DAYS / KB_BUILD_WORKERS, then explicit
        overrides."""
        settings = cls()
        env = os.environ
        if env.get("KB_INDEX"):
            settings = replace(settings, index_dir=Path(env["KB_INDEX"]))
        if env.get("KB_CONTENT"):
            roots = tuple(Path(p) for p in env["KB_CONTENT"].split(os.pathsep) if p)
            settings = replace(settings, content_roots=roots)
        if env.get("KB_CONCEPTS"):
            settings = replace(settings, concepts_dir=Path(env["KB_CONCEPTS"]))
        if env.get("KB_LOCK_TIMEOUT"):
            try:
                timeout = float(env["KB_LOCK_TIMEOUT"])
            except ValueError:
                timeout = -1.0
            if not 0 <= timeout < float("inf"):
                raise SettingsError(f"KB_LOCK_TIMEOUT must be a number of seconds >= 0, "
                                 f"got {env['KB_LOCK_TIMEOUT']!r}")
            settings = replace(settings, lock_timeout=timeout)
        if env.get("KB_POSTINGS_CACHE_MB"):
            settings = replace(settings, postings_cache_mb=_whole(env, "KB_POSTINGS_CACHE_MB", "MiB", 0))
        if env.get("KB_QUERY_LOG"):
            settings = replace(settings, query_log=env["KB_QUERY_LOG"].strip())
        if env.get("KB_QUERY_LOG_DAYS"):
            settings = replace(settings, query_log_days=_whole(env, "KB_QUERY_LOG_DAYS", "days", 1))
        if env.get("KB_BUILD_WORKERS"):
            settings = replace(settings, build_workers=_whole(env, "KB_BUILD_WORKERS", "processes", 1))
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **clean)


def _whole(env, name: str, unit: str, least: int) -> int:
    """The whole number ``env[name]`` holds, at least ``least``; else a SettingsError naming it."""
    value = env[name].strip()
    if not value.isdigit() or int(value) < least:
        raise SettingsError(f"{name} must be a whole number of {unit} >= {least}, got {env[name]!r}")
    return int(value)
