"""Bridges learned from the content at index time: between languages (the translations a
page_id group makes parallel, cognates across scripts) and within one language (the glosses a
page writes: "гипергидроз (повышенная потливость)").

Every bridge carries a confidence in (0, 1]; search weighs a bridged match by it, and a bridged
match in another language also by the other-language factor, so a weak bridge never outranks a
page in the query's own language that matches the words themselves.
"""
from indexer.bridges.ranking import bridge_scores, foreign_coverage
from indexer.bridges.store import Bridge, Bridges, learn_bridges, refresh_bridges

__all__ = ["Bridge", "Bridges", "bridge_scores", "foreign_coverage", "learn_bridges", "refresh_bridges"]
