"""A generator of clinic-like treatment pages for benchmarks (deterministic from a seed).

    python -m benchmarks.corpus OUT_DIR --entries 10000 [--seed 1]

Writes ``OUT_DIR/<page_id>/<lang>.md`` (lang ``ru``, ``gr``, ``it``; three entries per page_id,
as the site has), each shaped like the clinic's pages: YAML front matter with the nested
``caption:`` block, title, lang, page_id, source_hash; a ``###`` heading with a treatments list;
paragraphs; a nested mechanism list introduced by a sentence ending in ':'; an indications list
after its intro; ~300 words.

The words are real:
- Russian: the lemmas of the existing pages' words, inflected with pymorphy3 (each lemma's
  ``lexeme``), and put where a word of the same part of speech, case, number (and gender) stood;
- Greek and Italian: the words of the existing pages, varied (a word is replaced by another
  word of the pages with the same ending), so that inflection classes stay plausible.
Sentences follow the pages' own word sequences (a bigram walk over them), so word frequencies
are Zipf-like as in real text.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SOURCES = (PROJECT / "data",)
LANGS = ("ru", "gr", "it")
_CANONICAL = {"ru": "ru", "gr": "el", "it": "it"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+|[,;]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
SUBSTITUTION = 0.35  # chance that a content word is replaced by another (inflected) word
WORDS_TARGET = 300


@dataclass
class Vocabulary:
    lang: str
    starts: list[str] = field(default_factory=list)
    follow: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    titles: list[str] = field(default_factory=list)
    treatments: list[str] = field(default_factory=list)
    indications: list[str] = field(default_factory=list)
    mechanisms: list[str] = field(default_factory=list)  # mechanism names
    mech_intros: list[str] = field(default_factory=list)
    ind_intros: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)
    # word -> key of its replacement class; class -> words
    word_class: dict[str, object] = field(default_factory=dict)
    classes: dict[object, list[str]] = field(default_factory=lambda: defaultdict(list))

    def substitute(self, word: str, rng: random.Random) -> str:
        key = self.word_class.get(word.lower())
        if key is None:
            return word
        choices = self.classes[key]
        new = choices[rng.randrange(len(choices))]
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    def vary(self, text: str, rng: random.Random, chance: float = SUBSTITUTION) -> str:
        def repl(match):
            word = match.group()
            return self.substitute(word, rng) if len(word) > 3 and rng.random() < chance else word

        return _WORD.sub(repl, text)

    def sentence(self, rng: random.Random, min_words: int = 8, max_words: int = 22) -> str:
        """A bigram walk over the pages' sentences, with words varied."""
        out = [self.starts[rng.randrange(len(self.starts))]]
        while len(out) < max_words:
            nexts = self.follow.get(out[-1])
            nxt = nexts[rng.randrange(len(nexts))] if nexts else "."
            if nxt == ".":
                if len(out) >= min_words:
                    break
                nxt = self.starts[rng.randrange(len(self.starts))]  # too short: go on
            out.append(nxt)
        while out and out[-1] in ",;":
            out.pop()
        words = [self.substitute(w, rng) if len(w) > 3 and rng.random() < SUBSTITUTION else w
                 for w in out]
        text = " ".join(words).replace(" ,", ",").replace(" ;", ";")
        return text[:1].upper() + text[1:] + "."


def _texts(lang: str, sources=SOURCES):
    """(entry structure, text) of the existing pages of one language."""
    from kb.loader import load_entries

    result = load_entries(list(sources))
    return [e for e in result.entries if e.lang == _CANONICAL[lang]]


def _intros(body: str) -> tuple[list[str], list[str]]:
    """Lines ending with ':' right before a list: (mechanism intros, indication intros)."""
    mech, ind = [], []
    lines = body.split("\n")
    for i, line in enumerate(lines):
        line = line.strip()
        if not line.endswith(":") or line.startswith("-") or i + 1 >= len(lines):
            continue
        if not lines[i + 1].lstrip().startswith("-"):
            continue
        nested = any(l.startswith((" ", "\t")) and l.strip().startswith("-") for l in lines[i + 1:i + 4])
        (mech if nested else ind).append(line)
    return mech, ind


def build_vocabulary(lang: str, sources=SOURCES) -> Vocabulary:
    voc = Vocabulary(lang)
    entries = _texts(lang, sources)
    words: set[str] = set()
    for entry in entries:
        s = entry.structure
        if entry.page_id:
            voc.titles.append(entry.title)
        voc.treatments.extend(s.treatments)
        voc.indications.extend(s.indications)
        voc.mechanisms.extend(m.name for m in s.mechanisms)
        if entry.alt:
            voc.alts.append(entry.alt)
        mech, ind = _intros(entry.body)
        voc.mech_intros.extend(mech)
        voc.ind_intros.extend(i for i in ind if len(i) < 120)
        prose = [s.text, *(m.explanation for m in s.mechanisms)]
        for block in prose:
            for sent in _SENTENCE_SPLIT.split(block.replace("\n", " ")):
                tokens = [t for t in _TOKEN.findall(sent)]
                tokens = [t for t in tokens if not t.isdigit()]
                if len(tokens) < 4:
                    continue
                voc.starts.append(tokens[0])
                for a, b in zip(tokens, tokens[1:] + ["."]):
                    voc.follow[a].append(b)
                words.update(t for t in tokens if t[0].isalpha())
    voc.follow = dict(voc.follow)
    if lang == "ru":
        _russian_classes(voc, words)
    else:
        _ending_classes(voc, words)
    return voc


def _ending_classes(voc: Vocabulary, words: set[str]) -> None:
    """Greek, Italian: a word may be replaced by another word of the pages with its ending."""
    for word in sorted(words):
        low = word.lower()
        if len(low) > 4 and low.isalpha():
            voc.word_class[low] = low[-3:]
            voc.classes[low[-3:]].append(low)
    for key in [k for k, v in voc.classes.items() if len(v) < 2]:
        for w in voc.classes.pop(key):
            voc.word_class.pop(w, None)


_RU_POS = {"NOUN": ("case", "number"), "ADJF": ("case", "number", "gender"),
           "VERB": ("tense", "number", "person", "gender"), "INFN": (),
           "PRTF": ("case", "number", "gender"), "ADVB": ()}


def _russian_key(tag):
    attrs = _RU_POS.get(tag.POS)
    if attrs is None:
        return None
    return (tag.POS, *(getattr(tag, a) for a in attrs))


def _russian_classes(voc: Vocabulary, words: set[str]) -> None:
    """Russian: every form (pymorphy3 lexeme) of every lemma of the pages' words, by POS and
    grammemes; a word is replaced by a form of another lemma with the same grammemes."""
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    lemmas = set()
    for word in sorted(words):
        parse = morph.parse(word.lower())[0]
        key = _russian_key(parse.tag)
        if key is None or not parse.is_known or len(word) < 4:
            continue
        voc.word_class[word.lower()] = key
        if parse.normal_form in lemmas:
            continue
        lemmas.add(parse.normal_form)
        for form in parse.lexeme:
            fkey = _russian_key(form.tag)
            if fkey is not None and "ё" not in form.word:
                voc.classes[fkey].append(form.word)
    for key, forms in voc.classes.items():
        voc.classes[key] = sorted(set(forms))
    for word in [w for w, k in voc.word_class.items() if not voc.classes.get(k)]:
        del voc.word_class[word]


def _yaml_value(text: str) -> str:
    if re.search(r"[:#\"'\[\]{}&*!|>%@`]", text) or text != text.strip():
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _pick(rng: random.Random, items: list[str], k: int) -> list[str]:
    return rng.sample(items, min(k, len(items)))


def render_page(voc: Vocabulary, page_id: str, rng: random.Random) -> str:
    """One page of ~300 words."""
    title = voc.vary(voc.titles[rng.randrange(len(voc.titles))], rng, 0.5)
    treatments = [voc.vary(t, rng) for t in _pick(rng, voc.treatments, rng.randint(4, 7))]
    heading = voc.vary(voc.titles[rng.randrange(len(voc.titles))], rng, 0.3)
    alt = voc.vary(voc.alts[rng.randrange(len(voc.alts))], rng) if voc.alts else ""
    lines = ["---", "",
             "caption: #what displays in the portfolio grid:",
             f"  title: {_yaml_value(title)}",
             "  subtitle: ",
             f"  thumbnail: assets/img/portfolio/{page_id}.webp",
             "  ",
             "#what displays when the item is clicked:",
             f"title: {_yaml_value(title)}",
             "subtitle: ",
             f"image: assets/img/portfolio/{page_id}.webp",
             f"alt: {_yaml_value(alt)}",
             f"lang: {voc.lang}",
             f"page_id: {page_id}",
             ""]
    if voc.lang != "it" or rng.random() < 0.5:  # the Italian pages often lack it
        lines.append(f"source_hash: {hashlib.md5(page_id.encode()).hexdigest()}")
    lines += ["---", f"### {heading}"]
    lines += [f"- {t}" for t in treatments]
    words = sum(len(t.split()) for t in treatments) + len(title.split())
    body: list[str] = []

    def paragraph(sentences: int) -> str:
        return " ".join(voc.sentence(rng) for _ in range(sentences))

    body.append(paragraph(rng.randint(2, 3)))
    body.append(paragraph(rng.randint(1, 2)))
    mech = [voc.mech_intros[rng.randrange(len(voc.mech_intros))]]
    for name in _pick(rng, voc.mechanisms, 3):
        name = voc.vary(name, rng).rstrip(":")
        mech.append(f"- {name}:\n  - {voc.sentence(rng)} {voc.sentence(rng, 6, 14)}\n")
    body.append("\n".join(mech).rstrip())
    body.append(paragraph(1))
    ind = [voc.ind_intros[rng.randrange(len(voc.ind_intros))]]
    ind += [f"- {voc.vary(i, rng)}" for i in _pick(rng, voc.indications, rng.randint(3, 6))]
    body.append("\n".join(ind))
    text = "\n".join(lines) + "\n\n" + "\n\n".join(body)
    words += sum(len(b.split()) for b in body)
    while words < WORDS_TARGET - 20:
        extra = paragraph(2)
        text += "\n\n" + extra
        words += len(extra.split())
    return text + "\n"


SLUGS = ("acne-scar-treatment", "botulinum-treatment", "chemical-peels", "cryolipolysis",
         "dermal-fillers", "laser-hair-removal", "mesotherapy", "microneedling", "prp-therapy",
         "sclerotherapy", "thread-lift")


def entry_path(i: int) -> tuple[str, str]:
    """(page_id, lang) of the i-th generated entry: three languages per page_id."""
    page = i // 3
    return f"{SLUGS[page % len(SLUGS)]}-{page:06d}", LANGS[i % 3]


_VOCABULARIES: dict[str, Vocabulary] = {}


def vocabularies() -> dict[str, Vocabulary]:
    if not _VOCABULARIES:
        for lang in LANGS:
            _VOCABULARIES[lang] = build_vocabulary(lang)
    return _VOCABULARIES


def page_text(i: int, seed: int = 1) -> tuple[str, str, str]:
    """(page_id, lang, text) of the i-th entry for this seed (independent of the others)."""
    page_id, lang = entry_path(i)
    rng = random.Random(f"{seed}:{i}")
    return page_id, lang, render_page(vocabularies()[lang], page_id, rng)


def generate(out: Path, entries: int, seed: int = 1) -> Path:
    """Write ``entries`` pages under ``out`` (skipped when a complete set is already there)."""
    out = Path(out)
    stamp = out / ".generated"
    want = f"entries={entries} seed={seed}\n"
    if stamp.exists() and stamp.read_text() == want:
        return out
    out.mkdir(parents=True, exist_ok=True)
    for i in range(entries):
        page_id, lang, text = page_text(i, seed)
        d = out / page_id
        d.mkdir(exist_ok=True)
        (d / f"{lang}.md").write_text(text, encoding="utf-8")
    stamp.write_text(want)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.entries, args.seed)
    print(f"{args.entries} entries in {args.out} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
