"""What the learned bridges add to a ranking, as their own kind of contribution: a page that
exists only in another language reached through a strong bridge, and each entry's score from
bridged terms alone (for explaining a ranking)."""
from __future__ import annotations

from indexer.engine import queries as Q
from indexer.schema import SECTIONS, section_field
from indexer.bridges.store import Bridge


def foreign_coverage(snapshot, foreign: dict[str, tuple[Bridge, ...]], docnums,
                     query_lang: str) -> set[int]:
    """The documents among ``docnums`` holding a strong bridge of a word the query's language
    lacks (QueryPlan.foreign) and having no version in the query's language (that version
    would be the answer): they rank without the other-language factor."""
    if not foreign or not docnums:
        return set()
    found: set[int] = set()
    for bridges in foreign.values():
        for b in bridges:
            for section in SECTIONS:
                ids, _ = snapshot.postings(section_field(section, b.lang), b.term)
                found.update(ids.tolist())
    return {d for d in found & set(docnums) if not _has_version(snapshot, d, query_lang)}


def _has_version(snapshot, docnum: int, lang: str) -> bool:
    page_id = snapshot.stored(docnum).get("page_id")
    return bool(page_id) and any(v.get("lang") == lang for v in snapshot.documents(page_id=page_id))


def bridge_scores(snapshot, plan, docnums=None) -> dict[int, float]:
    """Each entry's score from the plan's bridged terms alone (the query's words left out),
    weighed as the query weighs them: docnum -> score."""
    clauses = [q for q in plan.bridge_queries.values() if q is not None]
    if not clauses:
        return {}
    matches = snapshot.evaluate(Q.Or(clauses) if len(clauses) > 1 else clauses[0])
    wanted = None if docnums is None else set(docnums)
    return {int(d): float(s) for d, s in zip(matches.ids, matches.scores)
            if wanted is None or int(d) in wanted}
