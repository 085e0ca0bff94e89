"""A search's counts by language and by section, from the matches the search found (no search
per language). A section's count: the matches of the search's own query tree restricted to that
section (its other sections' terms left out, its concepts read from the section's concepts
field), as the query built for that section alone matches them; only the matching documents
are computed, no scores, and the terms' matches come from the search's memo."""
from __future__ import annotations

import numpy as np

from kb.languages import LANGUAGES

from indexer.engine import queries as Q
from indexer.schema import SECTIONS, concepts_field, section_field

FACET_SECTIONS = ("treatments", "mechanisms", "indications")
_SECTION_OF = {section_field(s, lang): s for s in SECTIONS for lang in LANGUAGES}


def facets(snapshot, planned, by_lang: list[int] | None, lang_codes: np.ndarray, wanted: int | None,
           memo: dict) -> dict:
    """``planned``: the plan the results came from (pipeline.Planned); ``by_lang``: its matches
    counted by language code (None: count them here); ``wanted``: the language code results
    are restricted to (None: any)."""
    query = planned.plan.query
    if query is None:
        return {"lang": {}, "section": {}}
    if by_lang is None:
        by_lang = np.bincount(lang_codes[snapshot.evaluate(query, memo).ids],
                              minlength=len(LANGUAGES) + 1).tolist()
    langs = {lang: by_lang[i] for i, lang in enumerate(LANGUAGES) if by_lang[i]}
    parsed = planned.parsed
    sections = {}
    for section in FACET_SECTIONS:
        if parsed.request.field is None:  # the tree holds every section: restricted here
            ids = section_ids(snapshot, query, section, memo)
        else:  # restricted to another section already: built for this one
            plan = parsed.builder.build(planned.query, parsed.query_lang, section)
            ids = None if plan.query is None else snapshot.evaluate(plan.query, memo).ids
        if ids is not None:
            count = int(np.count_nonzero(lang_codes[ids] == wanted)) if wanted is not None else len(ids)
            if count:
                sections[section] = count
    return {"lang": langs, "section": sections}


def section_ids(snapshot, query, section: str, memo: dict) -> np.ndarray | None:
    """The documents ``query`` (built over every section, query.QueryBuilder) matches in
    ``section`` alone, ascending; None where the restricted tree has no clause left (the
    builder leaves such a clause out)."""
    if isinstance(query, (Q.Term, Q.Phrase)):
        of = _SECTION_OF.get(query.fieldname)
        if of is not None and of != section:
            return None
        if isinstance(query, Q.Term) and query.fieldname == "concepts":
            query = Q.Term(concepts_field(section), query.text)
        return snapshot.evaluate(query, memo).ids
    if isinstance(query, Q.AndMaybe):  # its matches are the required clause's
        return section_ids(snapshot, query.a, section, memo)
    found = [ids for ids in (section_ids(snapshot, s, section, memo) for s in query.subqueries)
             if ids is not None]
    if not found:
        return None
    if isinstance(query, Q.And):
        ids = found[0]
        for other in found[1:]:
            ids = ids[np.isin(ids, other, assume_unique=True)]
        return ids
    if len(found) == 1:
        return found[0]
    hit = np.zeros(snapshot.doc_count, bool)
    for ids in found:
        hit[ids] = True
    return np.flatnonzero(hit)
