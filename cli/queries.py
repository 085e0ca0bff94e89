"""`kb queries`: what patients searched for, from the query log the web pages write.

Rows of queries counted fewer than --min-count times or on fewer than --min-days days (3 and 3
by default) are held back, and the report says how many. Query text is printed escaped: any
character that is not printable text shows as ``\\x..``/``\\u....``, never reaches the terminal.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import click

from cli.main import fail, handle_errors, index_option, lang_option, main, settings_for

REPORT_TITLES = {"top": "Top queries", "zero": "Queries that found nothing",
                 "unopened": "Queries whose results nobody opened"}
QUERY_WIDTH = 40


@main.command()
@click.option("--zero", "kind", flag_value="zero", help="Queries that found nothing (with the "
              "concepts in data/concepts/ they are close to, and what today's index finds).")
@click.option("--unopened", "kind", flag_value="unopened",
              help="Queries that found results of which none was opened.")
@click.option("--top", "kind", flag_value="top", default=True, help="The most searched (default).")
@click.option("--since", help="From this day: 2026-11-30, or 30d for the last 30 days.")
@click.option("--lang", callback=lang_option, help="Only queries in ru, el (gr) or it.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--min-count", type=click.IntRange(1), default=3, show_default=True,
              help="Hide queries searched fewer times in the period (privacy floor).")
@click.option("--min-days", type=click.IntRange(1), default=3, show_default=True,
              help="Hide queries searched on fewer distinct days (privacy floor).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The query log (default: $KB_QUERY_LOG, else queries.sqlite3 beside the index).")
@index_option
@handle_errors
def queries(kind, since, lang, limit, min_count, min_days, as_json, log_path, index_dir):
    """What patients search for: top queries, --zero (found nothing), --unopened."""
    from kb.concepts import load_concepts
    from querylog.recorder import utc_today
    from querylog.report import ReportError, build_report, parse_since

    settings = settings_for(index_dir)
    path = log_path or settings.query_log_path
    if path is None:
        fail("the query log is off (KB_QUERY_LOG=off): nothing is counted")
    if not path.is_file():
        fail(f"no query log at {path} (kb serve writes it once a search is made)")
    today = utc_today()
    try:
        start = parse_since(since, today) if since else None
    except ReportError as exc:
        fail(str(exc), 2)
    concepts = load_concepts(settings.concepts_dir) if kind == "zero" else None
    store = _open(path, settings.query_log_days, today)
    try:
        report = build_report(store, kind, today, settings.query_log_days, start, lang, limit,
                              min_count, min_days, concepts)
    finally:
        store.close()
    found = search_again(settings, report) if kind == "zero" else {}
    if as_json:
        data = report.to_dict()
        for row in data["queries"]:
            if (row["query"], row["lang"]) in found:
                row["now_found"] = found[(row["query"], row["lang"])].to_dict()
        click.echo(escaped(json.dumps(data, ensure_ascii=False, indent=2)))
    else:
        print_report(report, found)


@dataclass(frozen=True)
class FoundNow:
    """A query that found nothing when it was searched and finds pages in today's index (a page
    or concept added since, or a bridge the index learned): what staff no longer need to fix."""
    total: int
    first: str
    bridges: tuple[str, ...]  # the learned bridges that reach the first page ("word → term ...")

    def to_dict(self) -> dict:
        return {"total": self.total, "first": self.first, "through_bridges": list(self.bridges)}


def search_again(settings, report) -> dict[tuple[str, str | None], FoundNow]:
    """Each listed zero-result query searched again in the index as it is now (if there is one;
    nothing is built): the ones that find pages now."""
    from indexer.search.results import QueryError, SearchRequest
    from indexer.search.knowledgebase import KnowledgeBase

    try:
        kb = KnowledgeBase.open(settings)
    except OSError:  # no index (or one of another version): nothing to say
        return {}
    found = {}
    try:
        for line in report.lines:
            row = line.row
            try:
                results = kb.search(SearchRequest(row.query, lang=row.lang, limit=1, explain=True))
            except QueryError:  # a logged text search refuses (too long, say): it still finds nothing
                continue
            if results.total:
                (hit,) = results.hits
                bridges = tuple(dict.fromkeys(c.source for c in hit.explanation.contributions
                                              if c.kind == "bridge"))
                found[(row.query, row.lang)] = FoundNow(results.total, hit.id, bridges)
    finally:
        kb.close()
    return found


def _open(path: Path, keep_days: int, today):
    """The log, pruned to its retention when this process may write it, else read-only (the
    report never shows older days either way)."""
    import sqlite3

    from querylog.store import QueryStore

    try:
        store = QueryStore(path)
        store.prune(keep_days, today)
        return store
    except (sqlite3.Error, OSError):
        return QueryStore(path, readonly=True)


def escaped(text: str) -> str:
    """``text`` with every character that is not printable (controls, bidirectional and other
    format characters, surrogates, unassigned) as an escape; spaces and newlines kept."""
    return "".join(c if c.isprintable() or c in " \n" else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shown_query(query: str) -> str:
    text = escaped(query)
    return text if _width(text) <= QUERY_WIDTH else text[:QUERY_WIDTH - 1] + "…"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_report(report, found: dict | None = None) -> None:
    where = f"in {report.lang}" if report.lang else "all languages"
    click.echo(f"{REPORT_TITLES[report.kind]}, {where}, {report.since} .. {report.until} "
               f"({report.days_logged} {'day' if report.days_logged == 1 else 'days'} logged)")
    if report.lines:
        click.echo(f"  {'query':<{QUERY_WIDTH}}  lang  searches  no results  opens  days")
    for line in report.lines:
        row, query = line.row, shown_query(line.row.query)
        pad = " " * max(0, QUERY_WIDTH - _width(query))
        click.echo(f"  {query}{pad}  {row.lang or '-':<4}  {row.searches:>8}  "
                   f"{row.zero_results:>10}  {row.opens:>5}  {row.days:>4}")
        now = (found or {}).get((row.query, row.lang))
        if now is not None:
            through = f"; through learned bridges: {escaped(', '.join(now.bridges))}" if now.bridges else ""
            click.echo(f"      finds {now.total} result(s) in today's index (first: {now.first}{through})")
        for hint in line.hints:
            where = f"{hint.concept} ({hint.group}.toml): {escaped(hint.term)}"
            click.echo(f"      a term of concept {where} (no page carries it)" if hint.exact
                       else f"      close to concept {where}")
    if not report.lines:
        click.echo("  (none to list)")
    if report.shown_of > len(report.lines):
        click.echo(f"{report.shown_of - len(report.lines)} more above the floor (--limit).")
    floor = f"searched fewer than {report.min_count} times or on fewer than {report.min_days} days"
    click.echo(f"{report.hidden} {'query' if report.hidden == 1 else 'queries'} hidden: {floor} "
               f"(--min-count, --min-days).")
