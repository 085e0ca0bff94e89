"""Medical concepts: terms in each language that search expands queries through.

A concept file is TOML, ``<group>.toml``; each top-level table is a concept::

    [botulinum-toxin]
    kind = "substance"                 # treatment, condition, substance, mechanism, area, device
    ru = ["ботулинический токсин", "ботокс"]
    el = ["βοτουλινική τοξίνη", "μπότοξ"]   # "gr" is accepted as an alias of "el"
    it = ["tossina botulinica"]
    names = ["Botox", "Dysport"]       # Latin script, valid in every language

One table, ``[_title]``, is not a concept but the group's title on the home page, one string
per language (``ru``, ``el`` or ``gr``, ``it``); a file without it is titled by its name.
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from kb.languages import ALIASES, CODES_HELP, LANGUAGES, normalize_lang
from kb.text import script_counts

KINDS = frozenset({"treatment", "condition", "substance", "mechanism", "area", "device"})
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LINE = re.compile(r"at line (\d+)")
TITLE_TABLE = "_title"  # not a concept id (ids have no "_"): the group's title per language


class ConceptError(ValueError):
    """A concept file that cannot be loaded; the message names the file, line and concept."""

    def __init__(self, path, message: str, line: int | None = None, concept: str | None = None):
        about = f"concept {concept!r}: " if concept else ""
        super().__init__(f"{path}:{line}: {about}{message}" if line else f"{path}: {about}{message}")
        self.path, self.line, self.concept = str(path), line, concept


@dataclass(frozen=True)
class Concept:
    id: str
    group: str  # the file's stem
    kind: str
    terms: dict[str, tuple[str, ...]] = field(hash=False)  # ru/el/it -> terms (every key present)
    names: tuple[str, ...] = ()  # Latin-script names valid in every language (brands, INN)

    def terms_for(self, lang: str) -> tuple[str, ...]:
        """The terms of one language (``gr`` accepted), followed by the language-neutral names."""
        return self.terms[normalize_lang(lang)] + self.names

    def all_terms(self) -> tuple[str, ...]:
        return tuple(t for lang in LANGUAGES for t in self.terms[lang]) + self.names


@dataclass(frozen=True)
class ConceptSet:
    concepts: tuple[Concept, ...] = ()
    # group -> language -> the group's title on the home page (the files' [_title] tables);
    # not in the fingerprint: a new title needs no new index
    titles: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, compare=False)

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def by_id(self, concept_id: str) -> Concept:
        """The concept with this id; KeyError if there is none."""
        return self._index[concept_id]

    def groups(self) -> tuple[str, ...]:
        """The group names, in file order, each once."""
        return tuple(dict.fromkeys(c.group for c in self.concepts))

    @cached_property
    def _index(self) -> dict[str, Concept]:
        return {c.id: c for c in self.concepts}

    @cached_property
    def fingerprint(self) -> str:
        """A sha1 of the loaded content: it changes whenever the index must be rebuilt."""
        data = [[c.id, c.group, c.kind, [c.terms[l] for l in LANGUAGES], c.names] for c in self]
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_concepts(directory: Path) -> ConceptSet:
    """Load every ``*.toml`` of ``directory`` (sorted by name); raise ConceptError on any fault."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConceptError(directory, "concept directory not found")
    concepts, seen, titles = [], {}, {}
    for path in sorted(directory.glob("*.toml")):
        data = _read_file(path)
        if TITLE_TABLE in data:
            titles[path.stem] = _title(path, data.pop(TITLE_TABLE))
        for concept in (_concept(path, cid, body) for cid, body in data.items()):
            if concept.id in seen:
                raise ConceptError(path, f"duplicate id (also in {seen[concept.id]})", None, concept.id)
            seen[concept.id] = path
            concepts.append(concept)
    return ConceptSet(tuple(concepts), titles)


def load_group_titles(directory: Path) -> dict[str, dict[str, str]]:
    """Each group's title per language, from the files that give one; a file that cannot be
    read or whose title is malformed gives none (a page that shows titles never fails)."""
    titles = {}
    for path in sorted(Path(directory).glob("*.toml")) if Path(directory).is_dir() else ():
        try:
            table = _read_file(path).get(TITLE_TABLE)
            if table is not None:
                titles[path.stem] = _title(path, table)
        except ConceptError:
            continue
    return titles


def _read_file(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        found = _LINE.search(str(exc))
        raise ConceptError(path, f"invalid TOML: {exc}", found and int(found.group(1))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConceptError(path, f"cannot read: {exc}") from None


def _title(path: Path, table: object) -> dict[str, str]:
    """A [_title] table: one non-empty string per language."""
    if not isinstance(table, dict):
        raise ConceptError(path, f"[{TITLE_TABLE}] must be a table: ru = \"...\", el = \"...\", it = \"...\"")
    title = {}
    for key, value in table.items():
        lang = ALIASES.get(key)
        if lang is None or lang in title:
            raise ConceptError(path, f"[{TITLE_TABLE}]: unknown or repeated key {key!r} (expected {CODES_HELP})")
        if not isinstance(value, str) or not value.strip():
            raise ConceptError(path, f"[{TITLE_TABLE}]: {key} must be a non-empty string")
        title[lang] = " ".join(value.split())
    return title


def _concept(path: Path, cid: str, body: object) -> Concept:
    def fail(message: str):
        raise ConceptError(path, message, concept=cid)
    if not _ID.match(cid):
        fail("bad id (use lowercase ascii letters, digits and hyphens)")
    if not isinstance(body, dict):
        fail("expected a table: [id] followed by kind = ..., ru = [...], ...")
    terms: dict[str, tuple[str, ...]] = {lang: () for lang in LANGUAGES}
    kind, names = body.get("kind"), ()
    for key, value in body.items():
        if key == "kind":
            continue
        if key == "names":
            names = _terms(value, key, fail)
            if any(script_counts(n)["cyrillic"] + script_counts(n)["greek"] for n in names):
                fail("names must be written in Latin script")
            continue
        lang = ALIASES.get(key)
        if lang is None:
            fail(f"unknown key {key!r} (expected kind, {CODES_HELP}, names)")
        if terms[lang]:
            fail(f"terms for {lang!r} given twice (el and gr are the same language)")
        terms[lang] = _terms(value, key, fail)
    if not isinstance(kind, str) or kind not in KINDS:
        fail(f"kind must be one of: {', '.join(sorted(KINDS))} (got {kind!r})")
    if not names and not any(terms.values()):
        fail("no terms at all")
    return Concept(cid, path.stem, kind, terms, names)


def _terms(value: object, key: str, fail) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        fail(f"{key} must be a non-empty list of strings")
    terms = [" ".join(unicodedata.normalize("NFC", t).split()) if isinstance(t, str) else ""
             for t in value]
    if not all(terms):
        fail(f"{key}: {value[terms.index('')]!r} is not a non-empty string")
    return tuple(dict.fromkeys(terms))
