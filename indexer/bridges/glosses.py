"""In-language synonyms from the pages' own glosses: a word followed by its explanation in
brackets — "гипергидроз (повышенная потливость)", "χημικό peeling (πίλινγκ)",
"alopecia (caduta dei capelli)". The word and its gloss are taken as two names of one thing."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable, Iterator

_GLOSS = re.compile(r"([^\W\d_][\w\-’']*)\s*\(([^()\n]{2,80})\)")
_WORD = re.compile(r"[^\W\d_][\w\-’']*")
MAX_GLOSS_WORDS = 3
MAX_PARTS = 2  # "(PRP, platelet-rich plasma)"; "(рыбы, земноводные, рептилии)" is a list
GLOSS_CONFIDENCE = 0.6  # the gloss's words -> the glossed word
HEAD_CONFIDENCE = 0.5  # the glossed word -> the gloss's words
REPEATED_BONUS = 0.1  # each further page giving the same gloss
MAX_CONFIDENCE = 0.8


def find_glosses(text: str) -> Iterator[tuple[str, str]]:
    """(glossed word, gloss) pairs; a bracket holding several glosses (", ", "; ") gives each."""
    for match in _GLOSS.finditer(text):
        head, inside = match.group(1), match.group(2)
        parts = re.split(r"[;,]| или | ή | o | or ", inside)
        if len(parts) > MAX_PARTS:  # a list of examples, not another name
            continue
        for part in parts:
            part = part.strip()
            if not part or any(ch.isdigit() for ch in part):
                continue
            words = _WORD.findall(part)
            if 1 <= len(words) <= MAX_GLOSS_WORDS and len("".join(words)) >= 3:
                yield head, " ".join(words)


def learn_synonyms(glosses: Iterable[tuple[str, tuple[str, ...], tuple[str, ...]]],
                   specificity) -> dict[tuple[str, str], dict[str, float]]:
    """(lang, term) -> {synonym term: confidence}, from (lang, head terms, gloss terms).
    A gloss of several words maps each to the head in proportion to its specificity (in
    "повышенная потливость" it is потливость that names the thing); a synonym's confidence is
    also scaled by its own specificity."""
    out: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    for lang, head, gloss in glosses:
        weights = [specificity(lang, g) for g in gloss]
        total = sum(weights) or 1.0
        for g, w in zip(gloss, weights):
            share = w / total
            for h in head:
                for a, b, base in ((g, h, GLOSS_CONFIDENCE), (h, g, HEAD_CONFIDENCE)):
                    seen[(lang, a, b)] += 1
                    conf = base * share + REPEATED_BONUS * (seen[(lang, a, b)] - 1)
                    # a gloss into a common word ("вещество") names nothing in particular
                    conf = min(MAX_CONFIDENCE, conf) * specificity(lang, b)
                    if conf > out[(lang, a)].get(b, 0.0):
                        out[(lang, a)][b] = round(conf, 3)
    return dict(out)
