"""Security headers on every kind of response; no inline scripts or styles for the CSP."""
from __future__ import annotations

import re

import pytest

URLS = [
    "/", "/ru/", "/gr/", "/el/", "/it/", "/ru/search?q=botox", "/ru/search?q=x&page=abc",
    "/ru/botulinum-treatment", "/ru/cryolipolysis", "/ru/no-such-page", "/xx/",
    "/api/search?q=botox", "/api/search?q=", "/api/suggest?q=bo", "/api/entries/nope",
    "/static/style.css", "/static/suggest.js",
]


@pytest.mark.parametrize("url", URLS)
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]


@pytest.mark.parametrize("url", ["/ru/", "/gr/search?q=λέιζερ", "/it/botulinum-treatment",
                                 "/ru/nothing", "/ru/search?q=x&page=abc"])
def test_pages_have_no_inline_scripts_styles_or_handlers(client, url):
    html = client.get(url).get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []


def test_the_app_never_runs_in_debug_mode(app):
    assert app.debug is False


def test_the_search_box_bounds_the_query_length(client):
    html = client.get("/ru/").get_data(as_text=True)
    assert 'maxlength="500"' in html
