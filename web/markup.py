"""An entry's Markdown body as safe HTML: kb.markdown's parser renders, nh3 sanitizes."""
from __future__ import annotations

import nh3
from flask import current_app
from markupsafe import Markup

from kb.markdown import render_html

# kb.markdown's parser shows raw HTML in the Markdown as text; nh3 is the second line of defence.

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
    "blockquote", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_KEPT = "clinic_kb_bodies"
KEPT_CHARACTERS = 8_000_000  # of Markdown and HTML kept by kept_markdown (then it starts again)


def render_markdown(text: str) -> Markup:
    """HTML for ``text``; headings start at h2 (the page's title is its only h1)."""
    html = render_html(text)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def kept_markdown(text: str) -> Markup:
    """``render_markdown(text)``, kept for the app: an entry page renders its body once, not on
    every visit (up to KEPT_CHARACTERS of bodies and their HTML)."""
    state = current_app.extensions.setdefault(_KEPT, [{}, 0])
    found = state[0].get(text)
    if found is None:
        found = render_markdown(text)
        if state[1] > KEPT_CHARACTERS:
            state[0], state[1] = {}, 0
        state[0][text] = found
        state[1] += len(text) + len(found)
    return found
