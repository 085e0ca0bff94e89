"""Hostile content files: escaped or skipped with a clear message, every other file indexed,
nothing outside the content roots read.

The content root holds real pages plus: script and event-handler HTML, javascript:/vbscript:/
data: links (Markdown, raw HTML, autolinks, tables, front matter), an enormous line, a 10 MB
file, deeply nested lists and quotes, a YAML alias bomb and a YAML python/object tag, non-UTF-8
and binary files, symbolic links leading out of the root / in a loop / nowhere, a symlinked
directory leading out, a named pipe, and odd file names (spaces, Unicode, quotes, leading
dashes, '#', '?', '%', backslash, undecodable bytes, a line break).
Every rendered page is audited: no script but the site's own, no event handler, no
javascript:/vbscript:/data: URL, none of iframe/svg/img/style/object/embed/base.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from faultkit import STATS, expected_entries, indexed_entries, run_kb

SECRET = "outsidesecretword"  # only in files outside the content root
PWNED = "kb-fault-pwned-marker"

HOSTILE_PAGE = """---
title: <script>alert('title')</script> Опасная страница
subtitle: '"><svg onload=alert(1)>'
alt: '<img src=x onerror=alert(2)>'
image: javascript:alert(3)
lang: ru
page_id: hostile-page
---
# Опасная страница про ботокс

<script>alert("xss-body")</script>
<img src=x onerror="alert('img')">
<iframe src="javascript:alert(4)"></iframe>
<a href="javascript:alert(5)">ссылка</a>
<div onclick="alert(6)">div</div>
<style>body{display:none}</style>
<svg><script>alert(7)</script></svg>
<base href="https://evil.example/">
<meta http-equiv="refresh" content="0;url=javascript:alert(8)">

[md link](javascript:alert(9))
[md link upper](JaVaScRiPt:alert(10))
[md link entity](java&#x09;script:alert(11))
[md link data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMik8L3NjcmlwdD4=)
[vb](vbscript:msgbox(13))
![img](javascript:alert(14))
<javascript:alert(15)>
[ok link](https://example.org/ok "title\\" onmouseover=\\"alert(16)")

### Процедуры
- <script>alert(17)</script> ботокс
- [лечение](javascript:alert(18)) <b onmouseover=alert(19)>жирный</b>
- `<script>alert(20)</script>` в коде

    <script>alert(21)</script> в блоке кода

> <script>alert(22)</script>

| a | b |
|---|---|
| <script>alert(23)</script> | [x](javascript:alert(24)) |
"""

NASTY_ID_PAGE = """---
title: Id с кавычками
lang: ru
page_id: 'x"><script>alert(25)</script>'
---
Страница, у которой page_id сам по себе атака: ботокс.
"""

YAML_BOMB = "lang: ru\ntitle: Бомба\na: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
    f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi")
) + "subtitle: *i\nalt: *i\npage_id: *i\n"

PYTHON_TAG = f"""---
title: Тег python
lang: ru
run: !!python/object/apply:os.system ["touch /tmp/{PWNED}"]
---
Текст про лазер.
"""

GOOD_ODD_NAMES = {  # file name -> the entry id it must get (articles: the path less its extension)
    "with space.ru.txt": "articles/with space.ru",
    "ünïcødé Ελληνικά.gr.txt": "articles/ünïcødé Ελληνικά.gr",
    "quote'\"s.it.txt": "articles/quote'\"s.it",
    "-leading-dash.ru.txt": "articles/-leading-dash.ru",
    "--help.ru.txt": "articles/--help.ru",
    "hash#and?query.it.txt": "articles/hash#and?query.it",
    "percent%2e%2e.ru.txt": "articles/percent%2e%2e.ru",
    "back\\slash.ru.txt": "articles/back\\slash.ru",
    "rtl\u202eexe.ru.txt": "articles/rtl\u202eexe.ru",
    "nbsp\u00a0name.ru.txt": "articles/nbsp\u00a0name.ru",
}

SKIPPED = {  # file name (as the message shows it) -> what the message must say
    "big.ru.txt": "file is too large",
    "latin1.it.txt": "not UTF-8 text",
    "binary.ru.txt": "binary file",
    "empty.ru.txt": "empty file",
    "link-out.ru.md": "leading outside the content root",
    "passwd.ru.txt": "leading outside the content root",
    "loop-a.ru.md": "loops or leads nowhere",
    "loop-b.ru.md": "loops or leads nowhere",
    "dangling.ru.md": "loops or leads nowhere",
    "pipe.ru.md": "not a regular file",
    "\\xff\\xfebytes.ru.txt": "not valid UTF-8",
    "new\\nline.ru.txt": "control characters",
    "no-language.txt": "cannot tell the language",
    "bad-lang.md": "unknown language",
    "duplicate.ru.md": "duplicate id",
}


def italian_line(words: int) -> str:
    vocab = "la pelle il laser trattamento viso rughe cura delle macchie con luce pulsata".split()
    return " ".join(vocab[i % len(vocab)] for i in range(words))


def make_content(base: Path, pristine: Path) -> Path:
    root = base / "content"
    (root / "pages").mkdir(parents=True)
    shutil.copytree(pristine / "pages" / "botulinum-treatment", root / "pages" / "botulinum-treatment")
    shutil.copytree(pristine / "articles", root / "articles")
    art = root / "articles"
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.ru.md").write_text(f"# Секрет\n\n{SECRET} снаружи.\n", "utf-8")
    (outside / "inner").mkdir()
    (outside / "inner" / "deep.ru.md").write_text(f"# Глубоко\n\n{SECRET} в каталоге.\n", "utf-8")

    (root / "pages" / "hostile-page").mkdir()
    (root / "pages" / "hostile-page" / "ru.md").write_text(HOSTILE_PAGE, "utf-8")
    (art / "nasty-id.ru.md").write_text(NASTY_ID_PAGE, "utf-8")
    (art / "bomb.ru.md").write_text(f"---\n{YAML_BOMB}---\nТекст про ботокс.\n", "utf-8")
    (art / "python-tag.ru.md").write_text(PYTHON_TAG, "utf-8")
    (art / "huge-line.it.txt").write_text(
        "Una riga enorme\n\n" + italian_line(60_000) + " parolaunicainfondo\n", "utf-8")
    nested = ["# Вложенный список\n"]
    nested += [f"{'  ' * i}- уровень{i}\n" for i in range(300)]
    nested += ["\n", "- " * 3000 + "глубоко\n\n", "> " * 3000 + "цитата\n\n",
               "[" * 5000 + "скобки" + "]" * 5000 + "\n\n", "*" * 10000 + "\n\n", "1. " * 2000 + "номер\n"]
    (art / "nested.ru.md").write_text("".join(nested), "utf-8")
    for name in GOOD_ODD_NAMES:
        (art / name).write_text(f"Странное имя {name}\n\nТекст про лазер и кожу.\n", "utf-8")

    (art / "big.ru.txt").write_text("Большой файл\n" + "ботокс " * 770_000, "utf-8")  # 10 MB
    (art / "latin1.it.txt").write_bytes("Caffè\n\nUn testo in latin-1: perché è così.\n".encode("latin-1"))
    (art / "binary.ru.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (art / "empty.ru.txt").write_bytes(b"  \n\t\n")
    (art / "no-language.txt").write_text("Just some English words about nothing.\n", "utf-8")
    (art / "bad-lang.md").write_text("---\nlang: xx\ntitle: Bad\n---\nText.\n", "utf-8")
    (root / "zz-extra").mkdir()  # after pages/ in path order: the copy, not the page, is skipped
    (root / "zz-extra" / "duplicate.ru.md").write_text(
        "---\nlang: ru\npage_id: botulinum-treatment\n---\nКопия.\n", "utf-8")
    os.symlink(outside / "secret.ru.md", art / "link-out.ru.md")
    os.symlink("/etc/passwd", art / "passwd.ru.txt")
    os.symlink(art / "loop-b.ru.md", art / "loop-a.ru.md")
    os.symlink(art / "loop-a.ru.md", art / "loop-b.ru.md")
    os.symlink(art / "does-not-exist.ru.md", art / "dangling.ru.md")
    os.symlink(outside / "inner", root / "linked-dir")  # a directory link: never followed
    os.symlink(art / "botulotoxin.ru.txt", art / "inner-link.ru.txt")  # inside the root: fine
    os.mkfifo(art / "pipe.ru.md")
    with open(os.path.join(os.fsencode(art), b"\xff\xfebytes.ru.txt"), "wb") as handle:
        handle.write("Имя не в UTF-8\n\nТекст.\n".encode())
    (art / "new\nline.ru.txt").write_text("Перевод строки в имени\n\nТекст.\n", "utf-8")
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, pristine, concepts):
    from faultkit import kb_env

    base = tmp_path_factory.mktemp("hostile")
    root = make_content(base, pristine)
    index_dir = base / "ix"
    env = kb_env(concepts)
    started = time.monotonic()
    indexed = run_kb(["index", root, "--index", index_dir], env, timeout=300)
    seconds = time.monotonic() - started
    return root, index_dir, env, indexed, seconds


def test_hostile_files_are_skipped_with_one_clear_line_each(hostile):
    root, index_dir, env, indexed, seconds = hostile
    assert indexed.returncode == 3, (indexed.stdout, indexed.stderr)
    assert "Traceback" not in indexed.stderr
    lines = indexed.stderr.strip("\n").split("\n")
    skipped = [line for line in lines if line.startswith("  skipped: ")]
    for name, reason in SKIPPED.items():
        found = [line for line in skipped if f"/{name}:" in line]
        assert len(found) == 1, (name, skipped)
        assert reason in found[0], found[0]
        STATS["hostile content: files skipped with a clear message"] += 1
    assert len(skipped) == len(SKIPPED), skipped
    assert lines[-1] == f"{len(SKIPPED)} file(s) skipped"
    for line in lines:  # each message is one line, and only these kinds
        assert line.startswith(("  skipped: ", "  warning: ")) or line == lines[-1], line
    assert not os.path.exists(f"/tmp/{PWNED}")  # a YAML python tag is never executed
    assert seconds < 120, seconds
    checked = run_kb(["check", root], env)
    assert checked.returncode == 3 and "Traceback" not in checked.stdout + checked.stderr
    assert f"{len(SKIPPED)} file(s) skipped" in checked.stdout


def test_every_other_file_is_indexed_and_nothing_outside_is_read(hostile):
    from indexer.search.results import SearchRequest
    from indexer.search.knowledgebase import KnowledgeBase

    root, index_dir, env, indexed, seconds = hostile
    got = indexed_entries(index_dir)
    assert got == expected_entries(root)
    for name, entry_id in GOOD_ODD_NAMES.items():
        assert entry_id in got, (name, sorted(got))
    for entry_id in ("hostile-page/ru", "articles/huge-line.it", "articles/nested.ru", "articles/bomb.ru",
                     "articles/python-tag.ru", "articles/inner-link.ru", "botulinum-treatment/ru",
                     'x"><script>alert(25)</script>/ru'):
        assert entry_id in got, entry_id
    STATS["hostile content: files indexed beside them"] += len(got)
    assert not any(SECRET in body or "root:x:0:0" in body for body in got.values())
    assert not os.path.exists(f"/tmp/{PWNED}")
    kb = KnowledgeBase.open(index_dir)
    try:
        assert kb.search(SearchRequest(SECRET)).total == 0
        assert kb.search(SearchRequest("root")).total == 0
        assert [h.id for h in kb.search(SearchRequest("parolaunicainfondo")).hits] == ["articles/huge-line.it"]
    finally:
        kb.close()
    shown = run_kb(["show", "--index", index_dir, "--", "articles/-leading-dash.ru"], env)
    assert shown.returncode == 0, shown.stderr


class Audit(HTMLParser):
    """What in a page could run: scripts, handlers, dangerous URLs and elements."""

    DANGEROUS_TAGS = {"iframe", "svg", "img", "style", "object", "embed", "base", "math", "frame", "applet"}
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            if not (values.get("src") or "").startswith("/static/"):
                self.problems.append(f"inline or foreign script {attrs}")
            self.in_script = True
        if tag in self.DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> {attrs}")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"<meta http-equiv> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"handler {name}={value!r} on <{tag}>")
            if name in self.URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"script content {data[:60]!r}")


def audit(html: str) -> list[str]:
    parser = Audit()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.fixture(scope="module")
def client(hostile, concepts):
    from kb.config import Settings
    from web import create_app

    root, index_dir, *_ = hostile
    app = create_app({"SETTINGS": Settings(index_dir=index_dir, concepts_dir=concepts, content_roots=(root,))})
    return app


def test_rendered_pages_hold_no_live_script(hostile, client):
    from indexer.search.knowledgebase import KnowledgeBase
    from web.urls import entry_url

    root, index_dir, *_ = hostile
    kb = KnowledgeBase.open(index_dir)
    entries = [kb.entry(entry_id) for entry_id in sorted(indexed_entries(index_dir))]
    kb.close()
    with client.test_request_context():
        urls = [entry_url(e.id, e.lang, e.lang_written) for e in entries]
    http = client.test_client()
    pages = 0
    for entry, url in zip(entries, urls):
        started = time.perf_counter()
        response = http.get(url, follow_redirects=True)
        assert response.status_code == 200, (entry.id, url, response.status_code)
        assert time.perf_counter() - started < 10, (url, "too slow")
        html = response.get_data(as_text=True)
        assert audit(html) == [], (entry.id, audit(html)[:5])
        assert "alert(" not in html or entry.id in ("hostile-page/ru", 'x"><script>alert(25)</script>/ru')
        pages += 1
        STATS["hostile content: pages rendered and audited"] += 1
    page = http.get("/ru/hostile-page").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;xss-body&#34;)&lt;/script&gt;" in page or \
           "&lt;script&gt;alert(\"xss-body\")&lt;/script&gt;" in page  # shown as text
    assert 'href="https://example.org/ok"' in page  # ordinary links survive
    for query in ("alert", "script", "onerror", "javascript", "ботокс", "parolaunicainfondo", "уровень299"):
        for url in (f"/ru/search?q={query}", f"/api/search?q={query}", f"/api/suggest?q={query[:4]}"):
            response = http.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.mimetype == "text/html":
                assert audit(response.get_data(as_text=True)) == [], url
            STATS["hostile content: search pages audited"] += 1
    for lang in ("ru", "gr", "it"):
        assert audit(http.get(f"/{lang}/").get_data(as_text=True)) == []
    assert pages == len(entries)


@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>", '<script src="https://evil.example/x.js"></script>',
    '<img src="x" onerror="alert(1)">', '<a href=" JaVa\tScRiPt:alert(1)">x</a>',
    '<a href="data:text/html,x">x</a>', "<svg><circle/></svg>", "<iframe></iframe>",
    "<style>*{}</style>", '<meta http-equiv="refresh" content="0">', '<div onmouseover="x()">',
])
def test_the_audit_sees_live_markup(html):
    assert audit(f"<html><body>{html}</body></html>")
    assert audit('<script src="/static/suggest.js" defer></script><a href="/ru/x">x</a>') == []
