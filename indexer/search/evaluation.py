"""Measuring search quality on labelled queries: MRR@10, Recall@5, nDCG@10."""
from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from kb.languages import ALIASES, canonical_id


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    query: str
    lang: str
    kind: str
    relevant: tuple[str, ...]  # best first


class LabelError(ValueError):
    pass


def read_labelled(path: Path) -> list[LabelledQuery]:
    queries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                queries.append(LabelledQuery(row["id"], row["query"], row.get("lang", ""),
                                             row.get("kind", "other"), tuple(row["relevant"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise LabelError(f"{path}:{number}: not a labelled query ({exc})") from exc
    return queries


def reciprocal_rank(ranking, relevant, k=10) -> float:
    for rank, entry_id in enumerate(ranking[:k], 1):
        if entry_id in relevant:
            return 1.0 / rank
    return 0.0


def recall(ranking, relevant, k=5) -> float:
    return len(set(ranking[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def ndcg(ranking, relevant: tuple[str, ...], k=10) -> float:
    """Gain 2 for the first listed relevant entry, 1 for the others."""
    gains = {entry_id: (2 if i == 0 else 1) for i, entry_id in enumerate(relevant)}
    dcg = sum(gains.get(e, 0) / math.log2(r + 1) for r, e in enumerate(ranking[:k], 1))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(r + 1) for r, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


@dataclass
class Scores:
    count: int = 0
    mrr: float = 0.0
    recall: float = 0.0
    ndcg: float = 0.0

    def add(self, rr, rec, nd):
        self.count += 1
        self.mrr += rr
        self.recall += rec
        self.ndcg += nd

    def means(self) -> dict:
        n = self.count or 1
        return {"n": self.count, "mrr@10": self.mrr / n, "recall@5": self.recall / n, "ndcg@10": self.ndcg / n}


def evaluate(queries, rankings: dict[str, list[str]]) -> dict:
    """Scores overall, by language and by kind; and the per-query reciprocal ranks."""
    overall, by_lang, by_kind = Scores(), defaultdict(Scores), defaultdict(Scores)
    per_query = {}
    for q in queries:
        relevant = tuple(canonical_id(r) for r in q.relevant)
        ranking = [canonical_id(r) for r in rankings.get(q.id, [])]
        rr, rec, nd = reciprocal_rank(ranking, relevant), recall(ranking, relevant), ndcg(ranking, relevant)
        per_query[q.id] = rr
        for scores in (overall, by_lang[canonical_lang(q.lang)], by_kind[q.kind]):
            scores.add(rr, rec, nd)
    return {
        "overall": overall.means(),
        "by_lang": {k: v.means() for k, v in sorted(by_lang.items())},
        "by_kind": {k: v.means() for k, v in sorted(by_kind.items())},
        "per_query": per_query,
    }


def canonical_lang(lang: str) -> str:
    return ALIASES.get(lang, lang)
