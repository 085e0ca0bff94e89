"""Suggestions as a person types: entries whose title or treatments hold words starting with
what has been typed (the ``heads`` field), best first, the asked language's first."""
from __future__ import annotations

import json
from itertools import islice

from indexer.analysis import fold
from indexer.engine import queries as Q
from indexer.engine.segments import text_bytes
from indexer.search.query import parse_query
from indexer.search.rerank import top
from indexer.search.results import MAX_QUERY_LENGTH, QueryError, Suggestion, lang_param

EXPANSIONS = 50  # words of the index a prefix stands for, at most


def suggest(snapshot, prefix: str, lang: str | None = None, limit: int = 8) -> list[Suggestion]:
    if len(prefix) > MAX_QUERY_LENGTH:
        raise QueryError("q", f"is longer than {MAX_QUERY_LENGTH} characters")
    lang = lang_param("lang", lang) if lang else None
    words = [fold(w) for w in parse_query(prefix).words]
    if not words or len(words[-1]) < 2:
        return []
    # kept per snapshot (a commit makes a new one): as-you-type prefixes come back
    found = snapshot.cache.fetch((snapshot.key, "suggest", tuple(words), lang, limit),
                                 lambda: tuple(_suggest(snapshot, words, lang, limit)), text_bytes)
    return list(found)


def _suggest(snapshot, words: list[str], lang: str | None, limit: int) -> list[Suggestion]:
    expansions = list(islice(snapshot.expand_prefix("heads", words[-1]), EXPANSIONS))
    if not expansions:
        return []
    last = Q.Or([Q.Term("heads", e) for e in expansions])
    query = Q.And([Q.Term("heads", w) for w in words[:-1]] + [last]) if len(words) > 1 else last
    out = []
    matches = snapshot.evaluate(query)
    for i in top(matches.ids, matches.scores, max(limit * 3, 20)):
        data = json.loads(snapshot.stored(int(matches.ids[i]))["data"])
        heads = [data["title"], *data["structure"]["treatments"]]
        text = next((h for h in heads if _starts_word(h, words[-1])), data["title"])
        out.append(Suggestion(data["id"], data["title"], data["lang"], data["lang_written"], text))
    out.sort(key=lambda s: s.lang != lang)
    return out[:limit]


def _starts_word(text: str, prefix: str) -> bool:
    return any(fold(w).startswith(prefix) for w in text.split())
