"""Concept entries proposed by the learned bridges, for staff to review (``kb concepts suggest``).

Two sources, each with its evidence: the items the translations of one page align position by
position (a treatment named in every language the page exists in), and the glosses a page gives
("гипергидроз (повышенная потливость)"). What the concept files already name (an item every
language of which matches an existing concept) is not proposed again. Nothing is written: the
output is TOML in the concept-file format.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from kb.languages import LANGUAGES

from indexer.bridges.store import Bridges
from indexer.bridges.transliterate import latin

KIND_OF_SECTION = {"title": "treatment", "treatments": "treatment", "mechanisms": "mechanism",
                   "indications": "condition"}
MAX_WORDS = 6  # an item longer than this is a sentence, not a name
MAX_ID = 48


@dataclass
class Proposal:
    id: str
    kind: str
    terms: dict[str, list[str]]
    evidence: list[str]


def _name(text: str) -> str:
    """An item as a concept term: the part before a colon or dash, without brackets."""
    text = re.split(r"[:—–]| - ", text, maxsplit=1)[0]
    text = re.sub(r"\([^)]*\)|«[^»]*»", " ", text)
    return " ".join(text.split()).strip(" .,;")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", latin(text).lower()).strip("-")[:MAX_ID].strip("-") or "concept"


def proposals(bridges: Bridges, matcher, analysis) -> list[Proposal]:
    """Proposals from the bridges of an index (aligned items first, then glosses)."""
    def known(text: str, lang: str) -> bool:
        return matcher is not None and bool(matcher.match(analysis.positions(text, lang), lang))

    out: list[Proposal] = []
    seen: set[tuple] = set()
    groups: dict[str, list] = defaultdict(list)
    for f in bridges.facts.values():
        if f.page_id:
            groups[f.page_id].append(f)
    for page_id in sorted(groups):
        versions = {f.lang: f for f in groups[page_id]}
        if len(versions) < 2:
            continue
        for section, kind in KIND_OF_SECTION.items():
            lists = {lang: dict(f.sections).get(section, ()) for lang, f in versions.items()}
            lengths = {len(items) for items in lists.values()}
            if len(lengths) != 1 or not lengths.pop():
                continue
            for i in range(len(next(iter(lists.values())))):
                terms = {lang: _name(lists[lang][i].text) for lang in LANGUAGES if lang in lists}
                if any(not t or len(t.split()) > MAX_WORDS for t in terms.values()):
                    continue
                if all(known(t, lang) for lang, t in terms.items()):
                    continue
                signature = tuple(sorted((l, t.lower()) for l, t in terms.items()))
                if signature in seen:
                    continue
                seen.add(signature)
                evidence = [f"{page_id}/{lang} {section}[{i}]: {t}" for lang, t in terms.items()]
                out.append(Proposal("", kind, {l: [t] for l, t in terms.items()}, evidence))
    for f in sorted(bridges.facts.values(), key=lambda f: f.id):
        for head, gloss in f.glosses:
            pair = (f.lang, head.text.lower(), gloss.text.lower())
            if pair in seen or (known(head.text, f.lang) and known(gloss.text, f.lang)):
                continue
            seen.add(pair)
            out.append(Proposal("", "condition", {f.lang: [head.text, gloss.text]},
                                [f"{f.id}: {head.text} ({gloss.text})"]))
    return out


def to_toml(items: list[Proposal], taken: set[str]) -> str:
    """The proposals as concept-file TOML, each with its evidence as comments; ids are made
    from the Latin spelling of a term and never repeat one in ``taken``."""
    lines = ["# Proposed by `kb concepts suggest` from the learned bridges: review, correct the",
             "# kind, and paste what is right into a file of data/concepts/.", ""]
    for p in items:
        first = p.terms.get("it") or next(iter(p.terms.values()))
        base = _slug(first[0])
        cid, n = base, 2
        while cid in taken:
            cid, n = f"{base}-{n}", n + 1
        taken.add(cid)
        p.id = cid
        lines.extend(f"# evidence: {e}" for e in p.evidence)
        lines.append(f"[{cid}]")
        lines.append(f'kind = "{p.kind}"')
        for lang in LANGUAGES:
            if lang in p.terms:
                lines.append(f"{lang} = [{', '.join(json.dumps(t, ensure_ascii=False) for t in p.terms[lang])}]")
        lines.append("")
    return "\n".join(lines)
