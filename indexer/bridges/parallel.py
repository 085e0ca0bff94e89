"""Term translations from the clinic's own translations: the versions of one page_id are a
parallel corpus. Their titles, treatments, mechanism names and indications are aligned item by
item (the n-th treatment of the Russian page is the n-th of the Italian one when both lists have
the same length), and within each aligned pair words are linked one to one, best association
first (Dice over all aligned pairs, then cognate likeness, then position) — competitive linking.
A link's confidence grows with how often the two words were linked against how often each
occurred.

Learning is incremental (``Alignment``, kept between builds): a re-index counts again and relinks
only the page_id groups whose entries changed, with the statistics of the whole index at that
time; the other groups keep the links they were given. A full build links every group."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from indexer.bridges.cognates import similarity
from indexer.bridges.facts import EntryFacts
from indexer.bridges.transliterate import key

MIN_CONFIDENCE = 0.35
MIN_PREFIX = 3  # letters of a common beginning that say two words may be one
MAX_CONFIDENCE = 0.85
MAX_EVIDENCE = 3
SINGLE_LINK = 0.6
# An aligned item is a name: a title, a treatment, a mechanism's name or a short indication. The
# clinic's names run to six content words, one language often needing a word more than another
# ("Peeling Μέσου Βάθους με Τριχλωροξικό Οξύ (TCA)": 6, "Peeling Medio con Acido Tricloroacetico
# (TCA)": 5); an item of more is a sentence, whose one-to-one links are guesses and whose n x m
# candidate pairs make alignment slow.
MAX_ITEM_TERMS = 6


@dataclass(frozen=True)
class Evidence:
    page_id: str
    section: str
    source: str  # the aligned item in the first language
    target: str  # and in the second


def likeness(ka: str, kb: str) -> float:
    """Cognate likeness of two terms' keys: their similarity, or the share of the longer key
    their common beginning makes (трихлоруксусн / tricloroacet: "triklor"), counted from
    MIN_PREFIX letters (PRP / ПРП: "prp"; мигрен / μυικ begin alike by chance: "mi")."""
    common = 0
    for x, y in zip(ka, kb):
        if x != y:
            break
        common += 1
    prefix = common / max(len(ka), len(kb), 1) if common >= MIN_PREFIX else 0.0
    return max(similarity(ka, kb), prefix)


Link = tuple[str, str, str, str]  # (language, term, other language, other term)
Group = tuple[EntryFacts, ...]


def aligned_items(group: Group):
    """(facts A, facts B, section, item A, item B) for every aligned pair of a page_id group."""
    for a, b in combinations(sorted(group, key=lambda f: f.lang), 2):
        if a.lang == b.lang:
            continue
        sections_b = dict(b.sections)
        for section, items_a in a.sections:
            items_b = sections_b.get(section, ())
            if len(items_a) != len(items_b) or not items_a:
                continue
            for ia, ib in zip(items_a, items_b):
                if 0 < len(ia.terms) <= MAX_ITEM_TERMS and 0 < len(ib.terms) <= MAX_ITEM_TERMS:
                    yield a, b, section, ia, ib


def page_groups(facts) -> dict[str, Group]:
    """page_id -> its entries' facts (by language), for the groups of more than one language."""
    groups: dict[str, list[EntryFacts]] = defaultdict(list)
    for f in facts:
        if f.page_id:
            groups[f.page_id].append(f)
    return {pid: tuple(sorted(g, key=lambda f: (f.lang, f.id))) for pid, g in groups.items()
            if len({f.lang for f in g}) > 1}


@dataclass
class Alignment:
    """The translations' statistics, kept between builds: how often each term occurred in
    aligned items and beside each other term, and each group's links (with the aligned items
    that gave them)."""
    occurs: Counter = field(default_factory=Counter)  # (lang, term, other lang) -> items
    together: Counter = field(default_factory=Counter)  # link -> aligned pairs having both
    links: dict[str, tuple[tuple[Link, str, str, str], ...]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # term -> transliterated key
    stamp: int = 0  # which rows of the fact store it goes with

    def update(self, before: dict[str, Group], after: dict[str, Group]) -> bool:
        """Replace groups as they were aligned (``before``) by what they are now (``after``;
        page_groups of both); whether any group changed."""
        touched = sorted(pid for pid in before.keys() | after.keys() if before.get(pid) != after.get(pid))
        for pid in touched:
            if pid in before:
                self._count(before[pid], -1)
            if pid in after:
                self._count(after[pid], 1)
        for pid in touched:
            if pid in after:
                self.links[pid] = self._link(after[pid])
            else:
                self.links.pop(pid, None)
        return bool(touched)

    def _count(self, group: Group, sign: int) -> None:
        def add(counter: Counter, k) -> None:
            n = counter[k] + sign
            if n:
                counter[k] = n
            else:
                del counter[k]

        for a, b, _, ia, ib in aligned_items(group):
            for t in ia.terms:
                add(self.occurs, (a.lang, t, b.lang))
            for t in ib.terms:
                add(self.occurs, (b.lang, t, a.lang))
            for ta in ia.terms:
                for tb in ib.terms:
                    add(self.together, (a.lang, ta, b.lang, tb))

    def _key(self, term: str) -> str:
        found = self.keys.get(term)
        if found is None:
            found = self.keys[term] = key(term)
        return found

    def _link(self, group: Group) -> tuple[tuple[Link, str, str, str], ...]:
        """Competitive linking within each aligned pair of one group."""
        occurs, together = self.occurs, self.together
        out = []
        for a, b, section, ia, ib in aligned_items(group):
            scored = []
            for i, ta in enumerate(ia.terms):
                ka = self._key(ta)
                for j, tb in enumerate(ib.terms):
                    dice = 2 * together[(a.lang, ta, b.lang, tb)] / (occurs[(a.lang, ta, b.lang)] + occurs[(b.lang, tb, a.lang)])
                    position = abs(i / len(ia.terms) - j / len(ib.terms))
                    scored.append((-dice, -likeness(ka, self._key(tb)), position, ta, tb))
            scored.sort()
            same_length = len(ia.terms) == len(ib.terms)
            used_a, used_b = set(), set()
            for n, (dice, like, _, ta, tb) in enumerate(scored):
                if ta in used_a or tb in used_b:
                    continue
                if not same_length:  # word order says little across items of unequal length
                    tied_a, tied_b = _ties(scored, n, used_a, used_b)
                    if tied_a or tied_b:  # only position would decide: no link for that word
                        used_a.update((ta,) if tied_a else ())
                        used_b.update((tb,) if tied_b else ())
                        continue
                used_a.add(ta)
                used_b.add(tb)
                out.append(((a.lang, ta, b.lang, tb), section, ia.text, ib.text))
        return tuple(out)

    def translations(self) -> dict[tuple[str, str], dict[tuple[str, str], tuple[float, tuple[Evidence, ...]]]]:
        """(lang, term) -> {(other lang, term): (confidence, evidence)} in both directions."""
        links: Counter = Counter()
        order = sorted(self.links)
        for pid in order:
            links.update(link for link, _, _, _ in self.links[pid])
        kept = {}
        for link, n in links.items():
            la, ta, lb, tb = link
            conf = n / max(self.occurs[(la, ta, lb)], self.occurs[(lb, tb, la)])
            if n == 1:  # linked once: the one-to-one choice may have been a tie
                conf *= SINGLE_LINK
            conf = round(min(MAX_CONFIDENCE, conf * MAX_CONFIDENCE), 3)
            if conf >= MIN_CONFIDENCE:
                kept[link] = conf
        evidence: dict[Link, list[Evidence]] = defaultdict(list)
        for pid in order:
            for link, section, text_a, text_b in self.links[pid]:
                if link in kept and len(evidence[link]) < MAX_EVIDENCE:
                    evidence[link].append(Evidence(pid, section, text_a, text_b))
        out: dict = defaultdict(dict)
        for (la, ta, lb, tb), conf in kept.items():
            ev = tuple(evidence[(la, ta, lb, tb)])
            out[(la, ta)][(lb, tb)] = (conf, ev)
            out[(lb, tb)][(la, ta)] = (conf, tuple(Evidence(e.page_id, e.section, e.target, e.source) for e in ev))
        return dict(out)


def _ties(scored: list, n: int, used_a: set, used_b: set) -> tuple[bool, bool]:
    """Has candidate ``n``'s first word (second word) another free partner as strongly
    associated and as alike, so that only position would choose between them?"""
    dice, like, _, ta, tb = scored[n]
    tied_a = tied_b = False
    for d, l, _, xa, xb in scored:
        if (d, l) != (dice, like):
            continue
        tied_a = tied_a or (xa == ta and xb != tb and xb not in used_b)
        tied_b = tied_b or (xb == tb and xa != ta and xa not in used_a)
    return tied_a, tied_b


def learn_translations(facts) -> dict[tuple[str, str], dict[tuple[str, str], tuple[float, tuple[Evidence, ...]]]]:
    """The translations of these entries' facts, learned from nothing."""
    alignment = Alignment()
    alignment.update({}, page_groups(facts))
    return alignment.translations()
