"""Markdown bodies become safe HTML."""
from __future__ import annotations

from web.markup import render_markdown


def test_markdown_lists_and_headings_are_rendered():
    html = render_markdown("### Treatments\n- one\n- two\n")
    assert "<h3>Treatments</h3>" in html
    assert "<li>one</li>" in html


def test_a_level_one_heading_becomes_level_two():
    assert "<h2>Title</h2>" in render_markdown("# Title")


def test_raw_html_in_the_body_is_shown_as_text():
    html = render_markdown('Hello <script>alert(1)</script> <img src=x onerror="alert(1)">')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_dropped():
    html = render_markdown("[click](javascript:alert(1))")
    assert "javascript:" not in html.split(">")[0] and 'href="javascript' not in html


def test_web_links_are_kept_with_a_safe_rel():
    html = render_markdown("[site](https://example.org)")
    assert 'href="https://example.org"' in html
    assert "noopener" in html


def test_an_empty_body_renders_nothing():
    assert render_markdown("") == ""


def test_a_body_kept_is_the_body_rendered_afresh(app):
    from web.markup import kept_markdown

    text = "# Заголовок\n\nТекст с **важным** словом и [ссылкой](https://example.org).\n\n<script>x</script>"
    with app.app_context():
        first = kept_markdown(text)
        assert kept_markdown(text) is first
        assert first == render_markdown(text)
