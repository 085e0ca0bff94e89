"""Generated hostile input for every way a query reaches the knowledge base.

Any text, of any length, in any script (combining marks, right-to-left, NUL and other controls,
lone surrogates where they can arrive, invalid UTF-8 percent-encoded in URLs), and Whoosh's own
query syntax (``*``, ``?``, ``field:``, brackets, quotes, ``~``, ``^``, ``TO``), given to:
the query parser, KnowledgeBase.search/suggest/entry, the `kb` CLI's options (CliRunner) and
every web parameter (Flask's test client). Each gets a result or a clean refusal (QueryError, a
400, exit status 2), never a 500 or a traceback, and each search finishes well under BOUND
seconds: a correctness bound (no wildcard expansion over the vocabulary), not a benchmark.
"""
from __future__ import annotations

import json
import re
import time
from urllib.parse import quote, quote_from_bytes

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from faultkit import FULL, STATS

BOUND = 2.0  # seconds, per search
EXAMPLES = 1000 if FULL else 100
CHEAP = 3000 if FULL else 300
PAGES = 500 if FULL else 100  # web requests render whole pages: fewer of them
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not FULL,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

WHOOSH_SYNTAX = ["*", "?", "*:*", "title:", "body_ru:", "id:", "lang:ru", "source:", "AND", "OR",
                 "NOT", "ANDNOT", "TO", "[a TO z]", "[* TO *]", "{", "}", "(", ")", "[", "]", '"',
                 "'", "~", "~2", "^", "^3", "\\", "/", "-", "+", ":", "«", "»", "“", "”", "!", "&&",
                 "||", "*бот*", "bot*", "b?tox", "ботокс~", "laser^10", "title:(a OR b)",
                 "/b.t.x/", "<-", "%", "%%", "%s", "{}", "${x}"]
WORDS = ["ботокс", "ботулинический", "токсин", "лазер", "пилинг", "гипергидроз", "морщины",
         "μπότοξ", "λέιζερ", "αλλαντική", "τοξίνη", "ρυτίδες", "tossina", "botulinica", "laser",
         "pelle", "dell'acqua", "botox", "botulinum", "Traptox", "PRP", "Ботокс", "ΜΠΌΤΟΞ",
         "bótox", "и", "the", "a", "zzzzzz", "ботоксс", "lazer"]
ODD = ["\u0301", "\u0300\u0301\u0302", "e\u0301", "\u200f", "\u202e", "\u200b", "\ufeff",
       "\x00", "\x1b[31m", "\t", "\n", "\r\n", "\x7f", "\x85", "\u2028", "\U0001F600",
       "\U0001F1F7\U0001F1FA", "ﬁ", "Ⅻ", "𝔟𝔬𝔱𝔬𝔵", "İ", "ß", "ǅ", "لا", "שלום", "漢字",
       "\ufffd", "\uffff", "\U0010ffff", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
       "'; DROP TABLE entries; --", "../../etc/passwd", "%2e%2e%2f", "&amp;", "&#x3C;", "\\u0000"]
SURROGATES = ["\ud800", "\udfff", "\udcff", "a\ud83d", "\ude00b"]

tokens = st.one_of(st.sampled_from(WHOOSH_SYNTAX), st.sampled_from(WORDS), st.sampled_from(ODD),
                   st.text(max_size=12))
any_text = st.one_of(
    st.text(max_size=80),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),  # surrogates too
    st.lists(tokens, max_size=14).map(" ".join),
    st.lists(tokens, max_size=14).map("".join),
    st.text(min_size=480, max_size=620),  # around the 500-character limit
    st.builds(lambda w, n: " ".join([w] * n), st.sampled_from(WORDS), st.integers(20, 250)),
    st.lists(st.sampled_from(SURROGATES + ODD + WORDS), max_size=8).map(" ".join),
)
web_text = any_text.map(lambda s: s.encode("utf-8", "replace").decode("utf-8"))  # HTTP has no surrogates
lang_values = st.one_of(st.sampled_from(["ru", "el", "gr", "it", "RU", " Gr ", "en", "xx", "", "r",
                                          "ru ru", "\x00", "ру", "ελ", "*", "el\u0301"]), st.text(max_size=6))
field_values = st.one_of(st.sampled_from(["treatments", "mechanisms", "indications", "title", "body",
                                           "", "id", "source", "data", "title_ru", "*", "TITLE"]),
                         st.text(max_size=10))
int_values = st.one_of(st.integers(-5, 1200).map(str),
                       st.sampled_from(["", "0", "-1", "1.5", "1e3", "10000000000", "99999999999999999999",
                                        "٣", "１", "+3", " 2 ", "0x10", "NaN", "inf", "\x00"]),
                       st.text(max_size=6))


def counted(kind: str) -> None:
    STATS[f"hostile inputs: {kind}"] += 1


@pytest.fixture(scope="module")
def kb(built_index):
    from indexer.search.knowledgebase import KnowledgeBase

    opened = KnowledgeBase.open(built_index)
    yield opened
    opened.close()


# -- the parser ----------------------------------------------------------------------------------
OPERATORS = re.compile(r"[*?:~^()\[\]{}\\/+!&|<>%$=-]")


@settings(SETTINGS, max_examples=CHEAP)
@given(text=any_text)
@example(text="title:botox* AND body_ru:[a TO z]~2 ^3")
@example(text='"unbalanced «quote')
def test_parse_query_takes_anything_and_keeps_only_words(text):
    from indexer.analysis import ITALIAN_WORD_PATTERN
    from indexer.search.query import MAX_WORDS, parse_query

    parsed = parse_query(text)
    counted("query parser")
    assert len(parsed.words) <= MAX_WORDS
    for word in parsed.words:
        assert re.fullmatch(ITALIAN_WORD_PATTERN, word), word
        assert not OPERATORS.search(word), word
    for piece in (*parsed.words, *parsed.phrases):
        assert not re.search(r"[\x00-\x1f\x7f\ud800-\udfff]", piece), piece


# -- the search API ------------------------------------------------------------------------------
def mostly(valid, hostile):
    """Usually absent or valid (so that searches run), now and then anything."""
    return st.one_of(st.none(), st.sampled_from(valid), st.none(), st.sampled_from(valid),
                     st.none(), st.sampled_from(valid), hostile)


@settings(SETTINGS, max_examples=EXAMPLES * 2)
@given(text=st.one_of(any_text, st.lists(st.sampled_from(WORDS + WHOOSH_SYNTAX), min_size=1, max_size=8)
                      .map(" ".join)),
       lang=mostly(["ru", "el", "gr", "it"], lang_values),
       field=mostly(["treatments", "mechanisms", "indications", "title", "body"], field_values),
       in_lang=mostly(["ru", "el", "gr", "it"], lang_values),
       page=st.one_of(st.integers(1, 3), st.integers(1, 3), st.integers(-2, 1200)),
       limit=st.one_of(st.integers(1, 20), st.integers(1, 20), st.integers(-2, 150)), facets=st.booleans())
@example(text="*", lang=None, field=None, in_lang=None, page=1, limit=10, facets=True)
@example(text="b* c* d* e* f* g* h* i* j* k* l* m* n* o* p*", lang=None, field=None, in_lang=None,
         page=1, limit=100, facets=True)
def test_search_answers_or_refuses_in_bounded_time(kb, text, lang, field, in_lang, page, limit, facets):
    from indexer.search.results import QueryError, SearchRequest

    request = SearchRequest(text, lang=lang, field=field, in_lang=in_lang, limit=limit, page=page,
                            facets=facets)
    started = time.perf_counter()
    try:
        results = kb.search(request)
    except QueryError as exc:
        assert exc.param in ("q", "lang", "field", "in", "page", "limit"), exc
        counted("KnowledgeBase.search (refused)")
        STATS[f"hostile inputs: KnowledgeBase.search refused for {exc.param}"] += 1
    else:
        assert len(results.hits) <= limit and results.total >= 0
        json.dumps(results.to_dict())
        counted("KnowledgeBase.search (answered)")
    assert time.perf_counter() - started < BOUND, (text, "too slow")


OPERATOR_TOKENS = ["*", "?", "~", "~2", "^", "^3", ":", "(", ")", "[", "]", "{", "}", "\\", "/", "+",
                   "!", "&&", "||", "-"]


@SETTINGS
@given(parts=st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(["", *OPERATOR_TOKENS]),
                                st.sampled_from(["", *OPERATOR_TOKENS]), st.booleans()),
                      min_size=1, max_size=5))
def test_whoosh_syntax_is_only_text(kb, parts):
    """`bot*`, `title:x`, `(a OR b)^3`... find what the bare words find: nothing is expanded."""
    from indexer.search.results import SearchRequest

    hostile = " ".join(f"{before}{word}{after}" if attached else f"{before} {word} {after}"
                       for word, before, after, attached in parts)
    plain = OPERATORS.sub(" ", hostile)  # "~2ботокс" is the word "2ботокс" either way
    a, b = kb.search(SearchRequest(hostile, limit=20)), kb.search(SearchRequest(plain, limit=20))
    counted("Whoosh syntax compared with plain words")
    assert (a.total, [h.id for h in a.hits]) == (b.total, [h.id for h in b.hits]), (hostile, plain)


@SETTINGS
@given(prefix=any_text, lang=st.one_of(st.none(), lang_values), limit=st.integers(-1, 30))
def test_suggest_answers_or_refuses(kb, prefix, lang, limit):
    from indexer.search.results import QueryError

    started = time.perf_counter()
    try:
        found = kb.suggest(prefix, lang=lang, limit=max(limit, 1))
        assert isinstance(found, list)
    except QueryError as exc:
        assert exc.param in ("q", "lang"), exc
    counted("KnowledgeBase.suggest")
    assert time.perf_counter() - started < BOUND


@settings(SETTINGS, max_examples=CHEAP)
@given(entry_id=st.one_of(any_text, st.sampled_from(["botulinum-treatment/ru", "botulinum-treatment/el",
                                                      "botulinum-treatment/gr", "articles/botulotoxin.ru",
                                                      "../../etc/passwd", "/etc/passwd", "", "/", "*"])))
def test_entry_lookup_answers_none_or_an_entry(kb, entry_id):
    found = kb.entry(entry_id)
    counted("KnowledgeBase.entry")
    assert found is None or found.id.split("/")[0] == entry_id.split("/")[0]


# -- the CLI -------------------------------------------------------------------------------------
def cli_options():
    return st.lists(st.one_of(
        st.tuples(st.just("--lang"), lang_values),
        st.tuples(st.just("--in"), lang_values),
        st.tuples(st.just("--field"), field_values),
        st.tuples(st.just("--limit"), int_values),
        st.tuples(st.just("--page"), int_values),
        st.tuples(st.just("--json")),
        st.tuples(st.sampled_from(["--bogus", "-x", "--", "-", "--help"])),
    ), max_size=4).map(lambda pairs: [item for pair in pairs for item in pair])


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def assert_clean_cli(result, allowed):
    assert result.exit_code in allowed, (result.exit_code, result.output, result.exception)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@SETTINGS
@given(query=any_text, options=cli_options(), first=st.booleans())
@example(query="title:bot* AND [a TO z]", options=["--json", "--limit", "100"], first=False)
@example(query="-rf", options=[], first=True)
def test_cli_search_options(runner, built_index, query, options, first):
    from cli import main

    args = ["search", *options, "--", query] if first else ["search", query, *options]
    started = time.perf_counter()
    result = runner.invoke(main, [*args, "--index", str(built_index)] if "--" not in args
                           else ["search", "--index", str(built_index), *args[1:]])
    counted("kb search via CliRunner")
    assert_clean_cli(result, (0, 2))
    assert time.perf_counter() - started < BOUND + 1


@settings(SETTINGS, max_examples=EXAMPLES // 2)
@given(entry_id=any_text, as_json=st.booleans())
def test_cli_show_any_id(runner, built_index, entry_id, as_json):
    from cli import main

    result = runner.invoke(main, ["show", "--index", str(built_index), *(["--json"] if as_json else []),
                                  "--", entry_id])
    counted("kb show via CliRunner")
    assert_clean_cli(result, (0, 1, 2))
    if result.exit_code == 1:
        assert result.output.startswith("kb: error: no entry ")


# -- the web -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(built_index, concepts, pristine):
    from kb.config import Settings
    from web import create_app

    app = create_app({"SETTINGS": Settings(index_dir=built_index, concepts_dir=concepts,
                                           content_roots=(pristine,))})
    return app.test_client()


raw_bytes = st.binary(max_size=40)
param_value = st.one_of(web_text.map(lambda s: s.encode("utf-8")), raw_bytes)


def query_string(pairs) -> bytes:
    """Percent-encoded, except now and then raw, as a careless client sends it (raw bytes beyond
    ASCII never reach the app: waitress answers 400 itself, see test_fault_urls)."""
    out = []
    for name, value, raw in pairs:
        sendable = value.isascii() and not any(c in value for c in b"&# \x00\r\n")
        encoded = value if raw and sendable else quote_from_bytes(value, safe="").encode()
        out.append(quote(name, safe="").encode() + b"=" + encoded)
    return b"&".join(out)


def get(client, path: str, raw_query: bytes):
    """A GET with the query string's bytes exactly as given (WSGI carries them as latin-1)."""
    return client.get(path, environ_overrides={"QUERY_STRING": raw_query.decode("latin-1")})


def assert_clean_response(response, path):
    assert response.status_code < 500, (path, response.status_code, response.data[:500])
    assert response.status_code in (200, 302, 308, 400, 404), (path, response.status_code)
    assert b"Traceback" not in response.data
    assert b"root:x:0:0" not in response.data


def assert_no_live_markup(response, hostile: bytes):
    """What the visitor typed is shown as text: no tag of it survives unescaped."""
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        for tag in re.findall(r"<(?:script|img|svg|iframe)[^>]*>", hostile.decode("utf-8", "replace"), re.I):
            assert tag not in body, tag


@settings(SETTINGS, max_examples=PAGES)
@given(pairs=st.lists(st.tuples(st.sampled_from(["q", "field", "in", "page", "lang", "limit", "facets",
                                                 "q", "q", "", "Q", "q[]"]),
                                param_value, st.booleans()), max_size=6),
       lang=st.sampled_from(["ru", "gr", "el", "it"]), api=st.booleans())
@example(pairs=[("q", b"%ff%fe", True)], lang="ru", api=False)
@example(pairs=[("q", b"<script>alert(1)</script>", False)], lang="gr", api=False)
@example(pairs=[("q", "\ud800".encode("utf-8", "surrogatepass"), False)], lang="it", api=True)
def test_web_search_parameters(client, pairs, lang, api):
    path = "/api/search" if api else f"/{lang}/search"
    started = time.perf_counter()
    response = get(client, path, query_string(pairs))
    counted("web search parameters")
    assert_clean_response(response, path)
    assert time.perf_counter() - started < BOUND
    for name, value, _ in pairs:
        assert_no_live_markup(response, value)
    if api:
        assert response.is_json
        if response.status_code == 400:
            assert response.json["error"]["param"] in ("q", "field", "in", "page", "lang", "limit", "facets")


@SETTINGS
@given(pairs=st.lists(st.tuples(st.sampled_from(["q", "lang", "limit", "q"]), param_value, st.booleans()),
                      max_size=4))
def test_web_suggest_parameters(client, pairs):
    started = time.perf_counter()
    response = get(client, "/api/suggest", query_string(pairs))
    counted("web suggest parameters")
    assert_clean_response(response, "/api/suggest")
    assert response.is_json and time.perf_counter() - started < BOUND


entry_paths = st.one_of(
    web_text.map(lambda s: quote(s, safe="/")),
    raw_bytes.map(lambda b: quote_from_bytes(b, safe="/")),
    st.sampled_from(["botulinum-treatment", "botulinum-treatment/", "botulinum-treatment/ru",
                     "articles/botulotoxin.ru", "../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd",
                     "..%2f..%2fetc%2fpasswd", "%252e%252e%252fetc%252fpasswd", "....//....//etc/passwd",
                     "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "%00", "a%00b", "%ff", "%ed%a0%80",
                     "x" * 400, "a/" * 300, "static/../../cli/main.py", "\\..\\..\\etc\\passwd"]),
)


@settings(SETTINGS, max_examples=PAGES * 2)
@given(lang=st.one_of(st.sampled_from(["ru", "gr", "el", "it", "RU", "Gr", "en", "xx", "..", "%2e%2e", "r"]),
                      web_text.filter(bool).map(lambda s: quote(s, safe=""))),  # "//x" is a host to the client
       path=entry_paths, api=st.booleans())
def test_web_entry_ids(client, lang, path, api):
    url = f"/api/entries/{path}" if api else f"/{lang}/{path}"
    started = time.perf_counter()
    response = client.get(url)
    counted("web entry ids and paths")
    assert_clean_response(response, url)
    assert time.perf_counter() - started < BOUND
