"""Why a page ranked where it did, read from the arrays the ranking computed.

With ``SearchRequest.explain`` the search's memo carries a trace (engine.TRACE): every query
node's Matches as ArrayScorer.evaluate produced them for the ranking. Here the query tree is
walked once more over those recorded arrays, for the shown hits only, and each leaf clause's
score is carried up through the same combination rules (a sum for Or, And and AndMaybe; for
DisjunctionMax the best clause whole and the others × tiebreak; each compound's boost), so the
leaves' parts add up to the score the ranking gave. Nothing is scored again.
"""
from __future__ import annotations

import numpy as np

from indexer.engine import SUMS as _SUMS, Matches
from indexer.engine import queries as Q
from indexer.search.rerank import LanguageFactor
from indexer.search.results import Contribution, Explanation, Factor



def explain_hits(plan, trace: dict, docnums: list[int], scores: list[float],
                 factors: dict[int, LanguageFactor], corrections: tuple[tuple[str, str], ...],
                 matcher=None) -> list[Explanation]:
    """An Explanation for each (docnum, final score) shown, from the ranking's trace of ``plan``
    (``matcher``: the concepts, to name the query words that evoked each concept)."""
    if not docnums:
        return []
    targets = np.asarray(docnums, np.int64)
    parts: list[tuple[Q.Query, tuple[str, str] | None, np.ndarray, np.ndarray]] = []
    origins = {**plan.origins, **_concept_words(plan, matcher)}
    if plan.query is not None:
        _walk(plan.query, None, np.ones(len(targets)), targets, trace, origins, parts)
    out = []
    for i, (docnum, score) in enumerate(zip(docnums, scores)):
        applied = factors.get(docnum)
        factor = applied.value if applied else 1.0
        contributions = [_contribution(node, origin, float(values[i]) * factor, float(weights[i]))
                         for node, origin, values, weights in parts if values[i]]
        contributions.sort(key=lambda c: -c.score)
        raw = sum(float(values[i]) for _, _, values, _ in parts)
        out.append(Explanation(
            contributions=tuple(contributions),
            factors=(Factor("other-language", applied.value, applied.reason),) if applied else (),
            total=score, raw=raw, corrections=corrections))
    return out


def _concept_words(plan, matcher) -> dict[int, tuple[str, str]]:
    """Each concept clause's origin named by the query words among its terms (ботокс for
    botulinum-toxin); a concept only a phrase or several words together evoke keeps its id."""
    if matcher is None:
        return {}
    named = {}
    for key, (kind, concept) in plan.origins.items():
        if kind != "concept":
            continue
        words = [w for w, by_lang in plan.word_terms.items()
                 if any(t in matcher.terms(concept, lang) for lang, terms in by_lang.items() for t in terms)]
        if words:
            named[key] = (kind, " ".join(words))
    return named


def _walk(node, origin, weight: np.ndarray, targets, trace, origins, parts) -> None:
    """Each leaf's points at the targets: its recorded score × the path's weight."""
    origin = origins.get(id(node), origin)
    recorded = trace.get(id(node))
    if recorded is None or recorded[0] is not node:
        return  # never evaluated (an And whose required part matched nothing)
    if isinstance(node, _SUMS):
        for sub in node.subqueries:
            _walk(sub, origin, weight * node.boost, targets, trace, origins, parts)
    elif isinstance(node, Q.AndMaybe):  # matching._AndMaybe: no boost of its own
        _walk(node.a, origin, weight, targets, trace, origins, parts)
        _walk(node.b, origin, weight, targets, trace, origins, parts)
    elif isinstance(node, Q.DisjunctionMax):
        subs = node.subqueries
        found = np.full((len(subs), len(targets)), -np.inf)
        for row, sub in enumerate(subs):
            sub_recorded = trace.get(id(sub))
            if sub_recorded is not None and sub_recorded[0] is sub:
                present, values = _at(sub_recorded[1], targets)
                found[row, present] = values[present]
        best = np.argmax(found, axis=0)
        for row, sub in enumerate(subs):
            share = np.where(best == row, 1.0, node.tiebreak)
            _walk(sub, origin, weight * share * node.boost, targets, trace, origins, parts)
    else:  # a leaf: a Term or a Phrase
        present, values = _at(recorded[1], targets)
        if present.any():
            leaf_boost = getattr(node, "boost", 1.0)
            parts.append((node, origin, np.where(present, values * weight, 0.0), weight * leaf_boost))


def _at(matches: Matches, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which targets the matches hold, and their scores there (0 elsewhere)."""
    values = np.zeros(len(targets))
    if not len(matches):
        return np.zeros(len(targets), bool), values
    where = np.searchsorted(matches.ids, targets)
    where[where == len(matches.ids)] = 0
    present = matches.ids[where] == targets
    values[present] = matches.scores[where[present]]
    return present, values


def _contribution(node, origin, score: float, weight: float) -> Contribution:
    fieldname = getattr(node, "fieldname", "") or ""
    if isinstance(node, Q.Phrase):
        term = " ".join(node.words)
    else:
        term = str(getattr(node, "text", node))
    section, _, lang = fieldname.rpartition("_")
    if not section:  # a language-neutral field ("concepts")
        section, lang = fieldname, None
    if fieldname.startswith("concepts"):
        section, lang = ("any section" if fieldname == "concepts" else lang), None
    elif section == "words":
        section = "as typed"
    kind, source = origin if origin else ("concept" if fieldname.startswith("concepts") else "word", "")
    return Contribution(kind=kind, term=term, field=section, lang=lang, score=score,
                        source=source, weight=weight)
