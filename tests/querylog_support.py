"""Hostile query text for the query log's tests (a module of its own, like core_support)."""
from __future__ import annotations

import random

SQL = ["'; DROP TABLE searches; --", "\" OR 1=1 --", "') ON CONFLICT DO NOTHING; --",
       "1; DELETE FROM opens", "x' UNION SELECT sql FROM sqlite_master --", "%' OR query LIKE '%",
       "ATTACH DATABASE '/tmp/x' AS x; --", "PRAGMA writable_schema=1", "?", "?1 :a @b $c", "\\"]
HTML = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
        "javascript:alert(1)", "&lt;b&gt;", "&#x3C;script&#x3E;", "{{7*7}}", "{% raw %}", "${x}"]
CONTROL = ["\x00", "\x1b[31m", "\x1b]0;pwned\x07", "\x1b[2J", "\r", "\n", "\t", "\x7f", "\x85",
           "\x9b31m", "\u200b", "\u200f", "\u202e", "\u2066", "\ufeff", "\u2028", "\ud800",
           "\udfff", "\U000e0041", "\ue000", "\uffff"]
SCRIPTS = ["ботокс", "ΜΠΌΤΟΞ", "tossina botulinica", "Ёлка", "ημικρανία", "perché", "漢字",
           "لا", "שלום", "😀", "🇷🇺", "ﬁ", "Ⅻ", "𝔟𝔬𝔱𝔬𝔵", "İ", "ß", "e\u0301\u0301\u0301"]
PIECES = SQL + HTML + CONTROL + SCRIPTS


def hostile_queries(count: int, seed: int = 12) -> list[str]:
    """``count`` queries mixing SQL, markup, controls, surrogates and scripts; some huge."""
    rng = random.Random(seed)
    queries = []
    for n in range(count):
        shape = n % 10
        if shape == 0:
            text = rng.choice(PIECES) * rng.randint(50, 400)  # huge
        elif shape == 1:
            text = "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(1, 30)))
        else:
            text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
        queries.append(text)
    return queries


def web_text(text: str) -> str:
    """What can arrive over HTTP (no lone surrogates)."""
    return text.encode("utf-8", "replace").decode("utf-8")
