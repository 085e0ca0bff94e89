"""The query tree the engine evaluates: terms and phrases of a field, combined by Or (a sum),
DisjunctionMax (the best clause, plus ``tiebreak`` times the others), And and AndMaybe (the
required part, plus the optional one where it matches). Built by indexer/search/query.py, evaluated by
engine/matching.py, explained by indexer/search/explain.py; nodes are told apart by identity (an
explanation reads each node's recorded matches by ``id``), so they compare by identity too.

``to_whoosh`` gives the same tree as Whoosh query objects, for measuring against Whoosh's own
matchers (tests, benchmarks); the search path never needs it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union


@dataclass(eq=False)
class Term:
    fieldname: str
    text: str
    boost: float = 1.0


@dataclass(eq=False)
class Phrase:
    """``words`` at consecutive positions of the field; scored as the sum of the words' scores."""

    fieldname: str
    words: Sequence[str]
    boost: float = 1.0


@dataclass(eq=False)
class Or:
    subqueries: Sequence["Query"]
    boost: float = 1.0


@dataclass(eq=False)
class DisjunctionMax:
    subqueries: Sequence["Query"]
    tiebreak: float = 0.0
    boost: float = 1.0


@dataclass(eq=False)
class And:
    subqueries: Sequence["Query"]
    boost: float = 1.0


@dataclass(eq=False)
class AndMaybe:
    """The documents ``a`` matches, scored with ``b``'s score added where ``b`` matches too."""

    a: "Query"
    b: "Query"


Query = Union[Term, Phrase, Or, DisjunctionMax, And, AndMaybe]
SUMS = (Or, And)  # compounds whose score is the sum of their clauses'


def to_whoosh(query: Query):
    """The same query as Whoosh query objects."""
    from whoosh import query as Q

    if isinstance(query, Term):
        return Q.Term(query.fieldname, query.text, boost=query.boost)
    if isinstance(query, Phrase):
        return Q.Phrase(query.fieldname, list(query.words), boost=query.boost)
    if isinstance(query, DisjunctionMax):
        return Q.DisjunctionMax([to_whoosh(s) for s in query.subqueries], boost=query.boost,
                                tiebreak=query.tiebreak)
    if isinstance(query, AndMaybe):
        return Q.AndMaybe(to_whoosh(query.a), to_whoosh(query.b))
    kind = Q.Or if isinstance(query, Or) else Q.And
    return kind([to_whoosh(s) for s in query.subqueries], boost=query.boost)
