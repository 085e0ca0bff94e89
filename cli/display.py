"""How the command line prints results, entries and scores (presentation only)."""
from __future__ import annotations

import click

from kb.languages import NAMES


def print_results(results) -> None:
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}" + (" (searched for it)" if results.fuzzy else ""))
    if not results.hits:
        click.echo("No results.")
        return
    first = (results.page - 1) * results.request.limit + 1
    click.echo(f"{results.total} result(s); {first}–{first + len(results.hits) - 1} shown"
               f" (query language: {results.query_lang or 'any'})")
    for rank, hit in enumerate(results.hits, first):
        other = f"  [{NAMES.get(hit.lang, hit.lang)}]" if hit.other_language else ""
        click.echo()
        click.echo(f"{rank}. " + click.style(hit.title, bold=True) + other)
        click.echo(f"   {hit.id}  score {hit.score:.2f}  matched: {', '.join(hit.sections) or '-'}")
        snippet = "".join(click.style(s.text, bold=True, underline=True) if s.highlighted else s.text
                          for s in hit.snippet)
        if snippet:
            click.echo(f"   {snippet}")
        if hit.translations:
            click.echo("   also in: " + ", ".join(f"{t.lang_written} ({t.id})" for t in hit.translations))
        if hit.explanation:
            print_explanation(hit.explanation)


def print_explanation(explanation) -> None:
    """Each part of a hit's score, largest first, with its share; then the factors applied."""
    total = explanation.total
    click.echo(f"   why: score {total:.2f} =")
    for c in explanation.contributions:
        what = c.term if c.source in ("", c.term) else f"{c.source} → {c.term}"
        where = c.field + (f" ({c.lang})" if c.lang else "")
        share = f"{100 * c.score / total:3.0f}%" if total else "  -"
        click.echo(f"     {c.kind:<8} {what:<32} {where:<22} ×{c.weight:<5.3g} {c.score:7.2f}  {share}")
    for f in explanation.factors:
        before = f" (score before it {explanation.raw:.2f})" if f.value != 1.0 else ""
        click.echo(f"     factor   {f.name} ×{f.value:g}: {f.reason}{before}")
    for typed, searched in explanation.corrections:
        click.echo(f"     typo     {typed} → {searched} (searched corrected)")


def print_entry(entry, translations) -> None:
    click.echo(click.style(entry.title, bold=True))
    click.echo(f"{entry.id}  [{entry.lang_written}, language from {entry.lang_source}]  {entry.root}/{entry.path}")
    if entry.alt:
        click.echo(f"Image: {entry.alt}")
    _section("Treatments", entry.treatments)
    _section("How it works", [f"{m.name}: {m.explanation}" for m in entry.mechanisms])
    _section("Indications", entry.indications)
    if entry.structure.text:
        click.echo("\nText:\n" + entry.structure.text)
    if translations:
        _section("Translations", [f"{t.lang_written}: {t.title} ({t.id})" for t in translations])


def _section(title, items) -> None:
    if items:
        click.echo(f"\n{title}:")
        for item in items:
            click.echo(f"  - {item}")


def print_scores(scores: dict) -> None:
    def row(name, m):
        return f"{name:<14}{m['n']:>5}{m['mrr@10']:>10.3f}{m['recall@5']:>11.3f}{m['ndcg@10']:>10.3f}"

    header = f"{'':<14}{'n':>5}{'MRR@10':>10}{'Recall@5':>11}{'nDCG@10':>10}"
    click.echo(header)
    click.echo(row("overall", scores["overall"]))
    for title in ("by_lang", "by_kind"):
        click.echo(f"-- {title.replace('_', ' ')}")
        for name, m in scores[title].items():
            click.echo(row(name, m))
