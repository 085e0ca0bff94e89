"""A search's counts by language and by section, from the matches the search found (no search
per language; one evaluation per section, its terms' matches shared through the search's memo)."""
from __future__ import annotations

import numpy as np

from kb.languages import LANGUAGES

FACET_SECTIONS = ("treatments", "mechanisms", "indications")


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
        plan = parsed.builder.build(planned.query, parsed.query_lang, section)
        if plan.query is not None:
            ids = snapshot.evaluate(plan.query, memo).ids
            count = int(np.count_nonzero(lang_codes[ids] == wanted)) if wanted is not None else len(ids)
            if count:
                sections[section] = count
    return {"lang": langs, "section": sections}
