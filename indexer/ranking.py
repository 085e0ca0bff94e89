"""Every weight and factor that decides a ranking, in one frozen settings object, and the one
scoring formula (PL2).

A search is given one ``Ranking`` (``DEFAULT``) and hands it down: the query builder takes the
section boosts, the concept and exact-form weights and the bridge weights from it, the array
scorer the PL2 constant, the reranker the depth and the other-language factor. Nothing reads
these numbers from module globals, so a measurement can try another value by passing another
object (``dataclasses.replace(DEFAULT, pl2_c=5.0)``) and every number has one place to look.

Where each value came from is written beside it (MRR@10 on the clinic's dev queries and on
RuMedDaNet, benchmarks/README.md and the README's search section).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import log, pi
from types import MappingProxyType
from typing import Mapping

import numpy as np

from indexer.concepts import SOFT_FLOOR, SOFT_MAX, SOFT_SCALE, SOFT_SPECIFIC

_REC_LOG2_OF_E = 1.0 / log(2)


def _section_boosts() -> Mapping[str, float]:
    # How much a match in each section weighs against the body text. Mild, because PL2 already
    # favours a short field: on the clinic's dev queries, boosts of 3.0/2.2/2.0/1.5 let a page
    # whose title holds one query word outrank the article that answers the whole question
    # (MRR@10 0.956 against 0.981 with these; the Russian question set, all articles, 0.832 either way).
    return MappingProxyType({"title": 1.3, "treatments": 1.2, "indications": 1.2, "mechanisms": 1.1,
                             "body": 1.0})


@dataclass(frozen=True)
class BridgeWeights:
    """How a query word's learned bridges (indexer/bridges/) are weighed when it is expanded."""

    cognate_weight: float = 0.9  # a cognate's key likeness -> its confidence
    min_confidence: float = 0.25  # weaker bridges are dropped
    max_bridges: int = 8  # per query word
    # a bridge's confidence times (floor + (1 - floor) × the word's own specificity): a common
    # word's bridges are mostly noise
    specificity_floor: float = 0.5
    # a bridged term weighs its confidence times this when it stays in the query's own language
    # (a gloss, a Latin spelling on a Greek page): as little as another language's page would; a
    # bridge into another language is weighed again by the other-language factor
    own_language: float = 0.6
    strong: float = 0.7  # a word unknown in its language and bridged this surely names a page elsewhere


@dataclass(frozen=True)
class Ranking:
    # -- first stage: the query's clauses, scored over postings arrays (query.py, engine/)
    section_boosts: Mapping[str, float] = field(default_factory=_section_boosts)
    # Ranking model: divergence from randomness (PL2). Measured beside BM25F (B 0.75, K1 1.2) on
    # the same index: RuMedDaNet MRR@10 0.832 vs 0.824, clinic queries 0.974 vs 0.972.
    pl2_c: float = 7.0
    concept_boost: float = 2.5  # a concept of the query found in a page's concepts field
    word_tiebreak: float = 0.1  # a word's other sections add a tenth of their score to its best one
    exact_boost: float = 0.3  # the very word as typed (folded, unstemmed) counts a little extra
    bridges: BridgeWeights = field(default_factory=BridgeWeights)
    # Concepts a query names only in part ("soft" concepts, indexer/concepts.py): a partial
    # match weighs its share of the concept's specificity × soft_scale × concept_boost. These
    # are read from indexer/concepts.py, whose matcher applies the floor, the specific-word
    # threshold and the scale itself; the query builder applies soft_max.
    soft_floor: float = SOFT_FLOOR
    soft_specific: float = SOFT_SPECIFIC
    soft_scale: float = SOFT_SCALE
    soft_max: int = SOFT_MAX
    # -- second stage: the top matches reweighed (rerank.py)
    rerank_depth: int = 200  # matches reweighed (at least a page's worth beyond the shown page)
    other_language_factor: float = 0.6  # the query's own language ranks first among comparable matches


DEFAULT = Ranking()


def pl2(tf, cf: float, doc_count: int, fl, avgfl: float, c: float):
    """PL2 (divergence from randomness; Whoosh's scoring.pl2 with query frequency 1), over
    arrays: ``tf`` a term's frequency in each document, ``fl`` each document's field length,
    ``cf`` the term's frequency in the collection of ``doc_count`` documents."""
    TF = tf * np.log(1.0 + (c * avgfl) / fl)
    norm = 1.0 / (TF + 1.0)
    f = cf / doc_count
    return norm * (TF * log(1.0 / f) + f * _REC_LOG2_OF_E + 0.5 * np.log(2 * pi * TF)
                   + TF * (np.log(TF) - _REC_LOG2_OF_E))
