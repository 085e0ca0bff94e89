"""URLs that try to reach outside: path traversal (plain and encoded), unknown languages,
over-long ids, NULs, raw bytes, open redirects, sent byte for byte to a real `kb serve` (raw
sockets: nothing normalizes them on the way). Each gets a 404/400 (or a redirect to a path of
the site itself), never a 500 and never a file from outside the index.
"""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from faultkit import STATS, Server

SECRET = "url-fault-secret-31337"

TRAVERSALS = [
    b"/ru/../../etc/passwd", b"/ru/%2e%2e/%2e%2e/etc/passwd", b"/ru/..%2f..%2f..%2fetc%2fpasswd",
    b"/ru/%252e%252e%252fetc%252fpasswd", b"/ru/....//....//etc/passwd",
    b"/ru/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", b"/ru/..%5c..%5cetc%5cpasswd", b"/ru/..\\..\\etc\\passwd",
    b"/ru/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt", b"/ru/../secret.txt", b"/ru/..%2fsecret.txt",
    b"/ru/..%2fix%2fCURRENT", b"/ru/..%2fix%2f.lock", b"/gr/../../../../../../etc/shadow",
    b"/static/../../../../etc/passwd", b"/static/%2e%2e/%2e%2e/cli/main.py", b"/static/..%2f..%2fcli%2fmain.py",
    b"/static/..%5c..%5ckb%5ccli.py", b"/static/%2e%2e%2fsecret.txt", b"/static//etc/passwd",
    b"/static/..%00/etc/passwd", b"/api/entries/../../../../etc/passwd",
    b"/api/entries/%2e%2e%2f%2e%2e%2fetc%2fpasswd", b"/api/entries/..%2f..%2fsecret.txt",
    b"/%2e%2e/%2e%2e/etc/passwd", b"/..;/etc/passwd", b"/ru/%00", b"/ru/a%00b",
    b"/ru/etc/passwd%00.md", b"/ru/botulinum-treatment%00/../../etc/passwd",
    b"/ru/file:///etc/passwd", b"/ru/%2Fetc%2Fpasswd", b"/api/entries/%2Fetc%2Fpasswd",
    b"/ru/data/pages/botulinum-treatment/ru.md", b"/ru/..%2f..%2fdata%2fpages%2fbotulinum-treatment%2fru.md",
]
LANGUAGES = [b"/xx/", b"/en/search?q=botox", b"/zz/botulinum-treatment", b"/r/", b"/rus/", b"/../",
             b"/%72%75x/", b"/ru%00/", b"/\xd1\x80\xd1\x83/", b"/api/nothing", b"/api/", b"/api"]
LONG = [b"/ru/" + b"a" * 10_000, b"/api/entries/" + b"a" * 50_000, b"/ru/" + b"a/" * 2_000,
        b"/ru/search?q=" + b"a" * 20_000, b"/api/suggest?q=" + b"%D0%B1" * 3_000,
        b"/gr/" + b"%CE%B1" * 5_000]
RAW_BYTES = [b"/ru/search?q=\x80", b"/api/search?q=bot\xffox", b"/ru/\xff\xfe", b"/api/suggest?q=\xd0"]
REDIRECTS = [b"//evil.example/", b"//evil.example/%2e%2e", b"/ru//evil.example/", b"/\\evil.example/",
             b"/?lang=//evil.example", b"/%2f%2fevil.example/", b"/ru/..//evil.example"]


def raw_get(port: int, target: bytes) -> tuple[int, dict, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode()] = value.strip().decode("latin-1")
    return status, headers, body


@pytest.fixture(scope="module")
def server(built_index, env):
    (built_index.parent / "secret.txt").write_text(SECRET)
    with Server(built_index, env, threads=4) as running:
        yield running
    err = running.stop()
    assert "Traceback" not in err and "unexpected error" not in err, err[-3000:]


def same_site(location: str) -> str:
    """The path of a redirect, asserting it stays on this site (the Host the request gave)."""
    parts = urlsplit(location)
    assert parts.netloc in ("", "127.0.0.1") and parts.scheme in ("", "http"), location
    assert parts.path.startswith("/") and not parts.path.startswith(("//", "/\\")), location
    return parts.path + (f"?{parts.query}" if parts.query else "")


def assert_nothing_from_outside(body: bytes, target: bytes) -> None:
    for leak in (b"root:x:0:0", SECRET.encode(), b"def handle_errors", b"schema_version", b"gen-00",
                 b"page_id: botulinum-treatment"):
        assert leak not in body, (target, leak)


@pytest.mark.parametrize("target", TRAVERSALS + LANGUAGES, ids=lambda t: t.decode("latin-1")[:60])
def test_traversal_and_unknown_languages_are_404_or_400(server, target):
    status, headers, body = raw_get(server.port, target)
    STATS["hostile URLs sent to kb serve"] += 1
    assert status in (301, 302, 308, 400, 404), (target, status, body[:300])
    if status in (301, 302, 308):  # a redirect stays on the site, and leads to a 404/400 too
        location = same_site(headers["location"])
        status, headers, body = raw_get(server.port, location.encode("latin-1"))
        assert status in (400, 404), (target, location, status)
    assert_nothing_from_outside(body, target)


@pytest.mark.parametrize("target", LONG, ids=lambda t: t.decode()[:20] + f"...({len(t)})")
def test_over_long_ids_and_queries_are_refused(server, target):
    status, _, body = raw_get(server.port, target)
    STATS["hostile URLs sent to kb serve"] += 1
    assert status in (400, 404, 414, 431), (target[:80], status, body[:300])
    assert_nothing_from_outside(body, target)


@pytest.mark.parametrize("target", RAW_BYTES, ids=lambda t: t.decode("latin-1"))
def test_raw_bytes_beyond_ascii_are_refused_by_the_server(server, target):
    status, _, body = raw_get(server.port, target)
    STATS["hostile URLs sent to kb serve"] += 1
    assert status == 400, (target, status, body[:300])


@pytest.mark.parametrize("target", REDIRECTS, ids=lambda t: t.decode("latin-1"))
def test_no_open_redirect(server, target):
    status, headers, body = raw_get(server.port, target)
    STATS["hostile URLs sent to kb serve"] += 1
    assert status < 500, (target, status)
    if "location" in headers:
        same_site(headers["location"])


def test_the_site_itself_still_answers(server):
    for target in (b"/ru/", b"/gr/botulinum-treatment", b"/static/favicon.svg", b"/api/search?q=botulinum",
                   b"/ru/search?q=%D0%B1%D0%BE%D1%82%D0%BE%D0%BA%D1%81"):
        status, _, _ = raw_get(server.port, target)
        assert status == 200, (target, status)
