"""Term translations from the clinic's own translations: the versions of one page_id are a
parallel corpus. Their titles, treatments, mechanism names and indications are aligned item by
item (the n-th treatment of the Russian page is the n-th of the Italian one when both lists have
the same length), and within each aligned pair words are linked one to one, best association
first (Dice over all aligned pairs, then cognate likeness, then position) — competitive linking.
A link's confidence grows with how often the two words were linked against how often each
occurred."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from .cognates import similarity
from .facts import EntryFacts
from .transliterate import key

MIN_CONFIDENCE = 0.35
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
    their common beginning makes (трихлоруксусн / tricloroacet: "triklor")."""
    common = 0
    for x, y in zip(ka, kb):
        if x != y:
            break
        common += 1
    return max(similarity(ka, kb), common / max(len(ka), len(kb), 1))


def aligned_items(group: list[EntryFacts]):
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


def learn_translations(facts: list[EntryFacts]) -> dict[tuple[str, str], dict[tuple[str, str], tuple[float, tuple[Evidence, ...]]]]:
    """(lang, term) -> {(other lang, term): (confidence, evidence)} in both directions."""
    groups: dict[str, list[EntryFacts]] = defaultdict(list)
    for f in facts:
        if f.page_id:
            groups[f.page_id].append(f)
    pairs = [p for g in groups.values() if len({f.lang for f in g}) > 1 for p in aligned_items(g)]
    occurs: Counter = Counter()
    together: Counter = Counter()
    for a, b, _, ia, ib in pairs:
        for t in ia.terms:
            occurs[(a.lang, t, b.lang)] += 1
        for t in ib.terms:
            occurs[(b.lang, t, a.lang)] += 1
        for ta in ia.terms:
            for tb in ib.terms:
                together[(a.lang, ta, b.lang, tb)] += 1

    def dice(la, ta, lb, tb):
        return 2 * together[(la, ta, lb, tb)] / (occurs[(la, ta, lb)] + occurs[(lb, tb, la)])

    keys: dict[str, str] = {}
    alike: dict[tuple[str, str], float] = {}

    def like(ta: str, tb: str) -> float:
        found = alike.get((ta, tb))
        if found is None:
            ka = keys.get(ta) or keys.setdefault(ta, key(ta))
            kb = keys.get(tb) or keys.setdefault(tb, key(tb))
            found = alike[(ta, tb)] = likeness(ka, kb)
        return found

    links: Counter = Counter()
    evidence: dict[tuple, list[Evidence]] = defaultdict(list)
    for a, b, section, ia, ib in pairs:
        scored = []
        for i, ta in enumerate(ia.terms):
            for j, tb in enumerate(ib.terms):
                position = abs(i / len(ia.terms) - j / len(ib.terms))
                scored.append((-dice(a.lang, ta, b.lang, tb), -like(ta, tb), position, ta, tb))
        scored.sort()
        used_a, used_b = set(), set()
        for _, _, _, ta, tb in scored:
            if ta in used_a or tb in used_b:
                continue
            used_a.add(ta)
            used_b.add(tb)
            link = (a.lang, ta, b.lang, tb)
            links[link] += 1
            if len(evidence[link]) < MAX_EVIDENCE:
                evidence[link].append(Evidence(a.page_id, section, ia.text, ib.text))
    out: dict = defaultdict(dict)
    for (la, ta, lb, tb), n in links.items():
        conf = n / max(occurs[(la, ta, lb)], occurs[(lb, tb, la)])
        if n == 1:  # linked once: the one-to-one choice may have been a tie
            conf *= SINGLE_LINK
        conf = round(min(MAX_CONFIDENCE, conf * MAX_CONFIDENCE), 3)
        if conf < MIN_CONFIDENCE:
            continue
        ev = tuple(evidence[(la, ta, lb, tb)])
        out[(la, ta)][(lb, tb)] = (conf, ev)
        out[(lb, tb)][(la, ta)] = (conf, tuple(Evidence(e.page_id, e.section, e.target, e.source) for e in ev))
    return dict(out)
