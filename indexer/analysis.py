"""Language analysis: one Whoosh analyzer per language (tokenizer | filter | filter ...).

- ru: case and ё folding, then one term per word where pymorphy3's lemmas and the Snowball
  stemmer agree, so that forms pymorphy3 does not know (гипергидроза, ботокса) or parses two ways
  (уколов -> уколоть or укол) still meet their other forms.
- el: case, final sigma, tonos and dialytika folded *before* the Snowball Greek stemmer, the same
  at index and query time.
- it: elisions (l', dell', un' ... with ' or ’) split off, accents folded, Snowball Italian.
Stop words stay in the index (phrases need them) and are dropped from free-text queries
(``mode="query"``); ``mode="phrase"`` keeps them.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import snowballstemmer

from kb.languages import LANGUAGES
from kb.text import fold, is_cyrillic, is_greek  # noqa: F401 (query.py imports them from here)

from indexer.engine.fields import Filter, RegexTokenizer

WORD_PATTERN = r"(?:\w|[\u0300-\u036f])+"
ITALIAN_WORD_PATTERN = r"(?:\w|[\u0300-\u036f])+(?:['’](?:\w|[\u0300-\u036f])+)*"
ITALIAN_ELISIONS = frozenset(
    "l dell all dall nell sull coll un d c s m t v n quest quell bell sant buon tutt".split()
)
_CACHE_LIMIT = 500_000
_SHORT_TEXT = 600  # characters: a text Analysis.positions remembers (queries are at most 500)
_POSITIONS_KEPT = 20_000
_SNOWBALL_NAMES = {"ru": "russian", "el": "greek", "it": "italian"}


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    text = (Path(__file__).parent / "stopwords" / f"{lang}.txt").read_text("utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(fold(w) for w in words if w and not w.startswith("#"))


class _CachingFilter(Filter):
    """A filter mapping one token text to one or more texts, with a bounded per-instance cache.

    The cache (and any loaded model) is dropped when the schema is pickled into the index.
    """

    def __init__(self, lang: str):
        self.lang = lang
        self._cache: dict[str, tuple[str, ...]] = {}

    def __getstate__(self):
        return {"lang": self.lang}

    def __setstate__(self, state):
        self.__init__(state["lang"])

    def __eq__(self, other):
        return type(self) is type(other) and self.lang == other.lang

    def __hash__(self):
        return hash((type(self).__name__, self.lang))

    def texts(self, text: str) -> tuple[str, ...]:
        found = self._cache.get(text)
        if found is None:
            found = self.compute(text)
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[text] = found
        return found

    def compute(self, text: str) -> tuple[str, ...]:
        """The texts one token becomes (subclasses say how; by default, itself)."""
        return (text,)

    def __call__(self, tokens):
        for token in tokens:
            texts = self.texts(token.text)
            if len(texts) == 1:
                token.text = texts[0]
                yield token
                continue
            for text in texts:  # alternatives share the position
                token.text = text
                yield token


class FoldFilter(_CachingFilter):
    def compute(self, text):
        return (fold(text),)


class ElisionFilter(_CachingFilter):
    """Italian: dell'acetilcolina -> acetilcolina; other apostrophes split the word."""

    def compute(self, text):
        parts = text.replace("’", "'").split("'")
        if len(parts) == 1:
            return (text,)
        while len(parts) > 1 and fold(parts[0]) in ITALIAN_ELISIONS:
            parts = parts[1:]
        return ("".join(parts),) if len(parts) == 1 else tuple(parts)

    def __call__(self, tokens):
        for token in tokens:
            if "'" not in token.text and "’" not in token.text:
                yield token
                continue
            texts = self.texts(token.text)
            if len(texts) == 1 and token.chars:
                token.startchar = token.endchar - len(texts[0])
            for text in texts:
                token.text = text
                yield token


class QueryStopFilter(_CachingFilter):
    """Drops stop words from free-text queries only (mode "query")."""

    def __call__(self, tokens):
        stops = stop_words(self.lang)
        for token in tokens:
            if token.mode == "query" and token.text in stops:
                continue
            yield token


class SnowballFilter(_CachingFilter):
    """Snowball stemming of the language's own script; other words (names) pass unchanged."""

    def __init__(self, lang):
        super().__init__(lang)
        self._stemmer = None

    def _stem(self, word: str) -> str:
        if self._stemmer is None:
            self._stemmer = snowballstemmer.stemmer(_SNOWBALL_NAMES[self.lang])
        return self._stemmer.stemWord(word)

    def compute(self, text):
        if self.lang == "it":
            return (_conflate_italian(self._stem(text)),) if text.isalpha() else (text,)
        if self.lang == "el":
            if not is_greek(text):
                return (text,)
            stem = self._stem(text)
            if len(stem) < 2 <= len(text):  # Snowball Greek strips ιστός, ιστών to nothing
                stem = _greek_fallback(text)
            return (_conflate_greek(stem),)
        return (self._stem(text),) if is_cyrillic(text) else (text,)


def _conflate_greek(stem: str) -> str:
    """Snowball Greek leaves a stem-final vowel for some cases only (ημικραν / ημικρανι for
    ημικρανία / ημικρανίας): drop final vowels so that the forms of a word meet."""
    while len(stem) > 4 and stem[-1] in "αεηιουω":
        stem = stem[:-1]
    return stem


_GREEK_ENDINGS = ("ουσ", "ων", "ου", "οσ", "ον", "εσ", "ασ", "ησ", "οι", "ο", "α", "η", "ι", "ε", "υ", "ω", "σ")


def _greek_fallback(word: str) -> str:
    """A stem for the folded Greek words Snowball reduces to nothing or to one letter: the word
    without its longest common inflectional ending, two letters at least (ιστόσ, ιστών -> ιστ)."""
    for ending in _GREEK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
    return word


def _conflate_italian(stem: str) -> str:
    """-ca/-ga nouns write their plural -che/-ghe (ruga, rughe): rugh and rug meet."""
    if len(stem) > 3 and stem[-1] == "h" and stem[-2] in "cg":
        return stem[:-1]
    return stem


class RussianMorphFilter(SnowballFilter):
    """Russian: one term per word, where pymorphy3 and Snowball agree.

    The Snowball stem of the word itself when it is also the stem of one of the word's dictionary
    lemmas (уколов: lemmas уколоть and укол -> "укол", the form that meets уколы) or when pymorphy3
    does not know the word (гипергидроза, ботокса); otherwise the stem of the likeliest lemma, so
    that irregular forms meet their lemma (людей -> человек). Measured on the real Russian set:
    one agreed term per position ranks better than indexing every alternative (MRR +0.02).
    """

    _lock = threading.Lock()

    def __init__(self, lang="ru"):
        super().__init__("ru")
        self._morph = None

    def _analyzer(self):
        if self._morph is None:
            with self._lock:
                if self._morph is None:
                    import pymorphy3  # loaded when the first Russian word is analyzed

                    self._morph = pymorphy3.MorphAnalyzer()
        return self._morph

    def compute(self, text):
        if not is_cyrillic(text):
            return (text,)
        own = self._stem(text)
        lemmas = [self._stem(fold(p.normal_form)) for p in self._analyzer().parse(text)[:4]
                  if p.is_known and p.score >= 0.05]
        if not lemmas or own in lemmas:
            return (own,)
        return (lemmas[0],)


def build_analyzer(lang: str):
    """The Whoosh analyzer of one language."""
    if lang == "it":
        return (RegexTokenizer(ITALIAN_WORD_PATTERN) | ElisionFilter("it") | FoldFilter("it")
                | QueryStopFilter("it") | SnowballFilter("it"))
    if lang == "ru":
        return (RegexTokenizer(WORD_PATTERN) | FoldFilter("ru") | QueryStopFilter("ru")
                | RussianMorphFilter("ru"))
    if lang == "el":
        return (RegexTokenizer(WORD_PATTERN) | FoldFilter("el") | QueryStopFilter("el")
                | SnowballFilter("el"))
    raise ValueError(f"no analyzer for language {lang!r}")


def build_word_analyzer(lang: str):
    """Surface words, folded but not stemmed: the vocabulary for spelling and suggestions."""
    pattern = ITALIAN_WORD_PATTERN if lang == "it" else WORD_PATTERN
    chain = RegexTokenizer(pattern)
    if lang == "it":
        chain = chain | ElisionFilter("it")
    return chain | FoldFilter(lang)


class Analysis:
    """The analyzers of all languages, plus cached word-level helpers for queries and snippets."""

    def __init__(self):
        self.analyzers = {lang: build_analyzer(lang) for lang in LANGUAGES}
        self.word_analyzers = {lang: build_word_analyzer(lang) for lang in LANGUAGES}
        self._word_cache: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self.snippet_words: dict = {}  # lang -> snippets.SurfaceWords, kept between searches
        self._positions_cache: dict[tuple[str, str, str], tuple[tuple[str, ...], ...]] = {}
        self._index_cache: dict[tuple[str, str], tuple[str, ...]] = {}
        self._surface_cache: dict[tuple[str, str], tuple[str, ...]] = {}

    def positions(self, text: str, lang: str, mode: str = "index") -> list[tuple[str, ...]]:
        """The terms of ``text`` position by position (alternatives share a position). A short
        text's are remembered (a query's text is analyzed for concepts in every language each
        time its query is built: the search, and each section's facet)."""
        if len(text) > _SHORT_TEXT:
            return self._positions(text, lang, mode)
        key = (text, lang, mode)
        found = self._positions_cache.get(key)
        if found is None:
            found = tuple(self._positions(text, lang, mode))
            if len(self._positions_cache) >= _POSITIONS_KEPT:
                self._positions_cache.clear()
            self._positions_cache[key] = found
        return list(found)

    def _positions(self, text: str, lang: str, mode: str) -> list[tuple[str, ...]]:
        out: list[list[str]] = []
        last = None
        for token in self.analyzers[lang](text, positions=True, mode=mode):
            if token.pos == last:
                out[-1].append(token.text)
            else:
                out.append([token.text])
                last = token.pos
        return [tuple(dict.fromkeys(p)) for p in out]

    def word_terms(self, word: str, lang: str, mode: str = "index") -> tuple[str, ...]:
        """All terms one surface word yields (cached): used to highlight the original words."""
        key = (word, lang, mode)
        found = self._word_cache.get(key)
        if found is None:
            found = tuple(dict.fromkeys(t.text for t in self.analyzers[lang](word, mode=mode)))
            if len(self._word_cache) < _CACHE_LIMIT:
                self._word_cache[key] = found
        return found

    def words(self, text: str, lang: str) -> list[str]:
        return [t.text for t in self.word_analyzers[lang](text)]

    # Indexing a text word by word. Both analyzers of a language start with the same tokenizer
    # (one regular expression), and every filter after it maps one token's text to texts at the
    # same position, whatever the tokens around it: so a text's index tokens are its words'
    # (the expression's matches), each word's as the analyzer makes them of that word alone,
    # which is cached. The same tokens as the analyzer run over the text, at a dictionary lookup
    # a word (tests/test_analysis.py compares them).

    def split_words(self, text: str, lang: str) -> list[str]:
        """The words of ``text`` as the language's tokenizer finds them."""
        return self.analyzers[lang].items[0].expression.findall(text)

    def index_tokens(self, word: str, lang: str) -> tuple[str, ...]:
        """Every token (in order, repeats kept) the index analyzer makes of one word."""
        key = (word, lang)
        found = self._index_cache.get(key)
        if found is None:
            found = tuple(t.text for t in self.analyzers[lang](word, mode="index"))
            if len(self._index_cache) < _CACHE_LIMIT:
                self._index_cache[key] = found
        return found

    def surface_tokens(self, word: str, lang: str) -> tuple[str, ...]:
        """Every token the word analyzer (`build_word_analyzer`) makes of one word."""
        key = (word, lang)
        found = self._surface_cache.get(key)
        if found is None:
            found = tuple(t.text for t in self.word_analyzers[lang](word))
            if len(self._surface_cache) < _CACHE_LIMIT:
                self._surface_cache[key] = found
        return found
