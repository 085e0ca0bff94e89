"""Analysis: words per second of each language's analyzer (the index analyzer, as the schema
uses it), on a fresh analyzer (cold caches, models loaded first) and again on the same one (warm)."""
from __future__ import annotations

import re
import time

from . import corpus

_WORD = re.compile(r"\w+")


def sample_texts(lang: str, pages: int, seed: int = 7) -> list[str]:
    """Generated pages of one language (front matter and Markdown included, as indexed)."""
    texts = []
    i = corpus.LANGS.index(lang)
    while len(texts) < pages:
        texts.append(corpus.page_text(i, seed)[2])
        i += 3
    return texts


def _run(analyzer, texts) -> float:
    started = time.perf_counter()
    for text in texts:
        for _ in analyzer(text, positions=True, chars=True):
            pass
    return time.perf_counter() - started


def measure(pages: int = 300, runs: int = 3) -> dict:
    from indexer.analysis import Analysis

    out = {}
    for site_lang, lang in (("ru", "ru"), ("gr", "el"), ("it", "it")):
        texts = sample_texts(site_lang, pages)
        words = sum(len(_WORD.findall(t)) for t in texts)
        cold, warm = [], []
        for _ in range(runs):
            analysis = Analysis()
            analyzer = analysis.analyzers[lang]
            list(analyzer("прогрев модели" if lang == "ru" else "warm"))  # loads pymorphy3 / stemmers
            # a word first seen is analyzed; "cold" still hits the cache for the text's repeats
            analysis = Analysis()
            analyzer = analysis.analyzers[lang]
            if lang == "ru":
                analyzer.items[-1]._morph = _shared_morph()
            cold.append(_run(analyzer, texts))
            warm.append(_run(analyzer, texts))
        out[site_lang] = {"words": words, "cold_words_per_s": round(words / sorted(cold)[len(cold) // 2]),
                          "warm_words_per_s": round(words / sorted(warm)[len(warm) // 2])}
    return out


_MORPH = None


def _shared_morph():
    """The pymorphy3 model loaded once: its load time is the cold start's business, not this."""
    global _MORPH
    if _MORPH is None:
        import pymorphy3

        _MORPH = pymorphy3.MorphAnalyzer()
    return _MORPH
