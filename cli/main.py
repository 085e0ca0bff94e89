"""The `kb` command line: a thin layer over the knowledge base, its index and its web pages.

Exit statuses: 0 success; 1 failure (nothing was changed); 2 bad usage or a bad option;
3 done, but some content files were skipped (each is named with the reason).
"""
from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import sys
from pathlib import Path

import click

from kb.config import Settings, SettingsError
from kb.languages import UnknownLanguage, normalize_lang

EXIT_FAILURE, EXIT_USAGE, EXIT_SKIPPED = 1, 2, 3


def fail(message: str, status: int = EXIT_FAILURE):
    click.echo(f"kb: error: {message}", err=True)
    sys.exit(status)


def handle_errors(command):
    """Known failures become one clear line and an exit status, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        # the failures' classes are looked up only when something fails (an except clause is
        # evaluated then): a command does not load the modules of failures it cannot have
        try:
            return command(*args, **kwargs)
        except _query_error() as exc:
            fail(f"--{_option_name(exc.param)}: {exc.message}", EXIT_USAGE)
        except _one_line_failures() as exc:
            fail(str(exc))
        except SettingsError as exc:
            fail(str(exc), EXIT_USAGE)
        except BrokenPipeError:  # the reader went away (kb search ... | head): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_FAILURE)
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
            if os.environ.get("KB_DEBUG"):
                raise
            fail(f"unexpected {type(exc).__name__}: {exc} (set KB_DEBUG=1 for the traceback)")

    return wrapper


def _query_error() -> type:
    from indexer.search.results import QueryError

    return QueryError


def _one_line_failures() -> tuple[type, ...]:
    from indexer.search.evaluation import LabelError
    from indexer.store import IndexBusy, IndexMissing, IndexNotWritable

    from kb.concepts import ConceptError

    return IndexMissing, IndexBusy, IndexNotWritable, ConceptError, LabelError


def _option_name(param: str) -> str:
    return {"q": "query", "in": "in"}.get(param, param)


def text_argument(ctx, param, value):
    """Command-line text as valid Unicode: bytes the locale could not decode (which Python keeps
    as lone surrogates) become U+FFFD, so they can be searched for, shown and printed."""
    if value is None:
        return None
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")


def lang_option(ctx, param, value):
    if value is None:
        return None
    try:
        return normalize_lang(value)
    except UnknownLanguage as exc:
        raise click.BadParameter(str(exc)) from exc


index_option = click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                             help="Index directory (default: $KB_INDEX or ~/.cache/clinic-kb/index).")


def settings_for(index_dir=None, roots=()) -> Settings:
    return Settings.from_env(index_dir=index_dir, content_roots=tuple(roots) or None)


class KbGroup(click.Group):
    """Bad usage is one line naming the option, and exit status 2 (not click's three lines)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        # When the process exits, leave the command's objects to the operating system: the
        # collector's passes over them at exit (the index's readers, numpy, the morphology
        # dictionaries) took 30-50 ms of a 0.3 s `kb search`. Streams are flushed as usual.
        atexit.unregister(gc.freeze)
        atexit.register(gc.freeze)
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f" (see: kb {exc.ctx.info_name if exc.ctx else ''} --help)".replace("kb kb", "kb")
            fail(exc.format_message() + hint, EXIT_USAGE)
        except click.Abort:
            fail("aborted", EXIT_FAILURE)


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """The clinic's knowledge base: index and search its pages in Russian, Greek and Italian."""


@main.command()
@click.argument("roots", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--full", is_flag=True, help="Rebuild everything instead of only what changed.")
@handle_errors
def index(roots, index_dir, full):
    """Index content roots (default: the project's data/): only files that changed."""
    from indexer.build.builder import build_index

    settings = settings_for(index_dir, roots)
    with _progress() as progress:
        report = build_index(settings, progress=progress, full=full)
    click.echo(report.summary())
    for problem in report.problems:
        click.echo(f"  {'skipped' if problem.skipped else 'warning'}: {problem}", err=True)
    if report.skipped:
        click.echo(f"{len(report.skipped)} file(s) skipped", err=True)
        sys.exit(EXIT_SKIPPED)


class _progress:
    """A progress bar on a terminal; nothing when the output is a file or a pipe."""

    def __enter__(self):
        self.bar = None
        if not sys.stderr.isatty():
            return None
        return self.update

    def update(self, done, total, path):
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="indexing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


@main.command()
@click.argument("query", callback=text_argument)
@click.option("--lang", callback=lang_option, help="The query's language (ru, el or gr, it); detected when omitted.")
@click.option("--field", type=click.Choice(["treatments", "mechanisms", "indications", "title", "body"]),
              help="Search one section only.")
@click.option("--in", "in_lang", callback=lang_option, help="Only results in this language.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--explain", is_flag=True, help="Show what each result matched and each part's share of its score.")
@index_option
@handle_errors
def search(query, lang, field, in_lang, limit, page, as_json, explain, index_dir):
    """Search the knowledge base."""
    from indexer.search.results import SearchRequest
    from indexer.search.knowledgebase import KnowledgeBase

    settings = settings_for(index_dir)
    kb = KnowledgeBase.open(settings)
    results = kb.search(SearchRequest(query, lang=lang, field=field, in_lang=in_lang,
                                      limit=limit, page=page, facets=as_json, explain=explain))
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    from .display import print_results

    print_results(results)


@main.command()
@click.argument("entry_id", callback=text_argument)
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
@index_option
@handle_errors
def show(entry_id, as_json, index_dir):
    """Show an entry: its sections and its translations."""
    from indexer.search.knowledgebase import KnowledgeBase

    settings = settings_for(index_dir)
    kb = KnowledgeBase.open(settings)
    entry = kb.entry(entry_id)
    if entry is None:
        fail(f"no entry {entry_id!r} in the index")
    translations = kb.translations(entry.id)
    if as_json:
        data = entry.to_dict() | {"translations": [t.__dict__ for t in translations]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from .display import print_entry

    print_entry(entry, translations)


@main.command()
@click.argument("roots", nargs=-1, type=click.Path(path_type=Path))
@handle_errors
def check(roots):
    """Check content: bad files, and translations whose source_hash drifted."""
    from kb.loader import load_entries
    from kb.translations import find_drift

    settings = settings_for(roots=roots)
    result = load_entries(settings.content_roots, settings.max_file_bytes)
    drift = find_drift(result.entries)
    for problem in result.problems:
        click.echo(f"{'skipped' if problem.skipped else 'warning'}: {problem}")
    for item in drift:
        click.echo(f"drift: {item}")
    click.echo(f"{len(result.entries)} entries, {len(result.skipped)} file(s) skipped, "
               f"{len(result.problems) - len(result.skipped)} warning(s), {len(drift)} translation(s) drifted")
    if result.problems or drift:
        sys.exit(EXIT_SKIPPED if result.skipped else EXIT_FAILURE)


@main.command(name="eval")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_option
@click.option("--run-file", type=click.Path(dir_okay=False, path_type=Path),
              help='Write each query\'s ranking there: {"id": ..., "ranking": [...]} per line.')
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@handle_errors
def evaluate(queries, index_dir, run_file, as_json):
    """Score search on labelled queries: MRR@10, Recall@5, nDCG@10 overall, by lang and by kind."""
    from indexer.search.evaluation import evaluate as score, read_labelled
    from indexer.search.results import SearchRequest
    from indexer.search.knowledgebase import KnowledgeBase

    labelled = read_labelled(queries)
    settings = settings_for(index_dir)
    kb = KnowledgeBase.open(settings)
    rankings = {}
    for q in labelled:
        lang = normalize_lang(q.lang) if q.lang else None
        results = kb.search(SearchRequest(q.query, lang=lang, limit=10))
        rankings[q.id] = [hit.id for hit in results.hits]
    if run_file:
        with open(run_file, "w", encoding="utf-8") as handle:
            for q in labelled:
                handle.write(json.dumps({"id": q.id, "ranking": rankings[q.id]}, ensure_ascii=False) + "\n")
    scores = score(labelled, rankings)
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False, indent=2))
        return
    from .display import print_scores

    print_scores(scores)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes (gunicorn); 1 serves in this process (waitress). Default: one per core.")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Threads per process (default: 4 per worker; 8 with --workers 1).")
@index_option
@handle_errors
def serve(host, port, workers, threads, index_dir):
    """Serve the search and entry pages; builds the default index first if there is none."""
    from web.server import default_workers

    from .serving import build_and_serve

    build_and_serve(settings_for(index_dir), host=host, port=port, threads=threads,
        workers=workers or default_workers())


from cli import queries as _queries  # noqa: E402,F401 - registers `kb queries`
from cli.concepts import concepts as _concepts  # noqa: E402 - the group needs main's helpers

main.add_command(_concepts)
