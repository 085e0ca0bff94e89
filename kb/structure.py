"""A page's structure, read from the shape of its Markdown.

The body is parsed by kb.markdown (markdown-it-py, the parser the entry pages are rendered
with) into headings (ATX and setext), paragraphs and lists with their nested items. Each list
is then given a role by its shape and by the block right before it:

* a list whose items mostly have nested sub-items: mechanisms (name, explanation);
* a flat list right after a heading: treatments;
* a flat list after a sentence ending with ':' that announces uses: indications.

Intros announcing contraindications, side effects, risks, rules, steps or comparisons give a
list no role. Everything without a role, and every heading and paragraph, goes to ``text``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from kb.languages import ALIASES
from kb.markdown import block_tokens
from kb.model import Mechanism, Structure
from kb.text import strip_marks

_EMPHASIS = re.compile(r"\*\*|__")
_SENTENCE_END = re.compile(r"(?<=[.!?;…·\u0387])\s+")
_INTRO_WINDOW = 500  # the cue words of an intro are right before its list


@dataclass
class Item:
    depth: int
    parts: list[str]  # the item's first line, then any continuation lines


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "list"
    lines: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


# ---- parsing -------------------------------------------------------------------------------

_LIST_OPEN = ("bullet_list_open", "ordered_list_open")
_LIST_CLOSE = ("bullet_list_close", "ordered_list_close")


def _lines(token: Token) -> list[str]:
    """A leaf token's source lines (inline text, or a code block's lines), blank ones left out."""
    return [line.rstrip() for line in token.content.split("\n") if line.strip()]


def parse_blocks(body: str) -> list[Block]:
    """Headings, paragraphs and lists of a Markdown body, from kb.markdown's block tokens.

    Lists that follow each other with no other block between them are one list; a list item's
    text is its paragraphs' lines, its nested lists' items come after it one level deeper.
    Code is text (its lines as a paragraph); a thematic break ends a list.
    """
    blocks: list[Block] = []
    depth = 0  # lists open around the current token
    items: list[tuple[Item, int]] = []  # open list items, innermost last, with their first line
    in_heading = False
    broken = True  # a list opened now starts a new block (it does not continue the last one)
    for token in block_tokens(body.lstrip("\ufeff")):
        kind = token.type
        if kind in _LIST_OPEN:
            if depth == 0 and (broken or not blocks or blocks[-1].kind != "list"):
                blocks.append(Block("list"))
            depth += 1
            broken = False
        elif kind in _LIST_CLOSE:
            depth -= 1
        elif kind == "list_item_open":
            item = Item(depth - 1, [])
            blocks[-1].items.append(item)
            items.append((item, token.map[0] if token.map else 0))
        elif kind == "list_item_close":
            item, _ = items.pop()
            if not item.parts:
                item.parts.append("")  # an empty item
        elif kind == "heading_open":
            in_heading = True
        elif kind == "heading_close":
            in_heading = False
        elif kind == "hr":
            broken = True
        elif kind in ("inline", "code_block", "fence"):
            lines = _lines(token)
            if items:
                item, first = items[-1]
                if not item.parts and token.map and token.map[0] > first:
                    item.parts.append("")  # the marker's line is empty, the text starts below
                item.parts.extend(lines)
            elif lines:
                blocks.append(Block("heading" if in_heading else "paragraph", lines))
    return [b for b in blocks if b.lines or b.items]


# ---- cue words -----------------------------------------------------------------------------

def _fold(text: str) -> str:
    """Lower case without accents (and ё as е, й as и, ς as σ), for matching cue words."""
    return strip_marks(text.casefold())


def _cues(*patterns: str) -> re.Pattern[str]:
    """Word stems (regex fragments) matched at the start of a word, accent-insensitively."""
    return re.compile("|".join(rf"(?<!\w){_fold(p)}" for p in patterns))


_INDICATION = {
    "ru": _cues("примен", "показан", "использ", "включа", "назнача", "лечени", "лечит",
                "устран", "коррекц", "подходит", "состояни", "проблем", "случа"),
    "el": _cues("ενδείκν", "ενδείξ", "χρήσ", "χρησιμοποι", "εφαρμογ", "εφαρμόζ", "περιλαμβάν",
                "αντιμετώπ", "θεραπεί", "καταστάσ", "προβλήματ", "περιπτώσ"),
    "it": _cues("indicazion", "indicat", "utilizz", r"us[ioa]\b", "impieg", "condizion",
                "trattar", "comprend", "applicazion", "problem", r"casi\b"),
}
_HEADING_INDICATION = _cues("показан", "ενδείκν", "ενδείξ", "indicazion", "indicat")
_MECHANISM = _cues(r"как (\w+ )?(действу|работа)", "механизм", "принцип действ",
                   r"πώς (\w+ )?(δρα|δρουν|λειτουργ)", "μηχανισμ",
                   r"come (\w+ )?(agisc|funzion)", "meccanism", "principio d'azione")
_EXCLUDED = _cues(  # contraindications, side effects, risks, rules, comparisons, steps, pros/cons
    "противопоказ", "побочн", r"нежелательн\w* (эффект|реакц|явлен|последств|действ)",
    "осложнен", "риск", "опасн", r"правил(а|о|ам|ами|ах)?\b", "предосторож", "нельзя",
    r"ограничени(я|й|ям|ях)\b", "запрещ", "сравн", r"отличи(е|я|й|ях)\b", "миф", "этап",
    "шаг", "подготовк", "уход", "преимуществ", "недостат",
    "αντενδείξ", "παρενέργ", r"ανεπιθύμητ\w* (ενέργει|επιδράσ|αντιδράσ|συμβάντ|δράσ)",
    "επιπλοκ", "κίνδυν", r"κανόν(ες|ας|ων|α)?\b", "προφύλαξ", "προσοχ", "αποφυγ", "απαγορ",
    "σύγκρισ", "συγκρίν", "μύθ", r"στάδι(α|ο|ου|ων)\b", "βήμα", "προετοιμασ", "φροντίδ",
    "πλεονεκτ", "μειονεκτ",
    "controindicaz", r"effett\w* (collateral|indesiderat|avvers)", r"reazion\w* avvers",
    "complicanz", "rischi", "pericol", r"regol[ae]\b", "precauzion", "evitar", "divieti",
    "vietat", "confront", "paragon", "differenz", r"mit[oi]\b", r"fas[ei]\b", "passagg",
    r"tapp[ae]\b", "preparazion", "vantagg", "svantagg",
)
_ANY_INDICATION = re.compile("|".join(p.pattern for p in _INDICATION.values()))


# ---- roles ---------------------------------------------------------------------------------

@dataclass
class Group:
    """A top-level list item: its first line, its continuation lines, its nested items."""

    name: str
    more: list[str] = field(default_factory=list)
    kids: list[str] = field(default_factory=list)

    @property
    def whole(self) -> str:
        return " ".join(t for t in (self.name, *self.more) if t)


def _groups(items: list[Item]) -> list[Group]:
    """The list's top-level items, each with the text of the items nested under it."""
    groups: list[Group] = []
    for item in items:
        if item.depth == 0 or not groups:
            more = _clean(" ".join(item.parts[1:]))
            groups.append(Group(_clean(item.parts[0]), [more] if more else []))
        else:
            groups[-1].kids.append(_clean(" ".join(item.parts)))
    return groups


def _intro(prev: Block | None) -> tuple[str, bool]:
    """The folded heading or last paragraph line right before a list; whether a heading."""
    if prev is None or prev.kind == "list":
        return "", False
    return _fold(_clean(prev.lines[-1][-_INTRO_WINDOW:])), prev.kind == "heading"


def _announces_uses(intro: str, is_heading: bool, lang: str) -> bool:
    if is_heading:
        return bool(_HEADING_INDICATION.search(intro))
    cues = _INDICATION.get(ALIASES.get(str(lang).strip().lower(), ""), _ANY_INDICATION)
    return intro.endswith(":") and bool(cues.search(_SENTENCE_END.split(intro)[-1]))


def _role(groups: list[Group], prev: Block | None, lang: str) -> str:
    """What a list is, from its shape and the heading or paragraph right before it."""
    intro, is_heading = _intro(prev)
    if _EXCLUDED.search(intro):
        return "text"
    explains = bool(_MECHANISM.search(intro))
    announces = _announces_uses(intro, is_heading, lang)
    if 2 * sum(1 for g in groups if g.kids) > len(groups):  # nested: names and explanations
        return "indications" if announces and not explains else "mechanisms"
    if explains:  # "how it works:" then "- Name: explanation" items
        return "mechanisms" if 2 * sum(": " in g.whole for g in groups) > len(groups) else "text"
    if announces:
        return "indications"
    return "treatments" if is_heading else "text"


def _clean(text: str) -> str:
    """Text without emphasis markers, whitespace collapsed."""
    return " ".join(_EMPHASIS.sub("", text).split())


def _mechanism(group: Group) -> Mechanism:
    explanation = " ".join(t for t in (*group.more, *group.kids) if t)
    if not group.kids and ": " in group.whole:
        name, explanation = group.whole.split(": ", 1)
        return Mechanism(name.strip(), explanation.strip())
    return Mechanism(group.name.rstrip(":").strip(), explanation)


def _indication(group: Group) -> str:
    return " ".join([group.whole, *group.kids]).strip().rstrip(";.").strip()


def _text(groups: list[Group], tops: bool = True) -> str:
    """A list as plain text, one line per item (the nested items only, unless tops)."""
    lines = [t for g in groups for t in ([g.whole] if tops else []) + g.kids]
    return "\n".join(t for t in lines if t)


def extract_structure(body: str, lang: str) -> Structure:
    """Treatments, mechanisms, indications and the remaining text of a Markdown body."""
    treatments: list[str] = []
    mechanisms: list[Mechanism] = []
    indications: list[str] = []
    text: list[str] = []
    prev: Block | None = None
    for block in parse_blocks(body or ""):
        if block.kind != "list":
            text.append("\n".join(_clean(line) for line in block.lines))
            prev = block
            continue
        groups = _groups(block.items)
        role = _role(groups, prev, lang)
        prev = block
        if role == "mechanisms":
            mechanisms.extend(_mechanism(g) for g in groups if g.whole or g.kids)
        elif role == "indications":
            indications.extend(i for i in map(_indication, groups) if i)
        elif role == "treatments":
            treatments.extend(g.whole for g in groups if g.whole)
            text.append(_text(groups, tops=False))
        else:
            text.append(_text(groups))
    return Structure(
        treatments=tuple(treatments),
        mechanisms=tuple(mechanisms),
        indications=tuple(indications),
        text="\n\n".join(t for t in text if t),
    )
