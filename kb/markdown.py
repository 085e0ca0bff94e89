"""The one Markdown parser: markdown-it-py, CommonMark, raw HTML off.

Entry pages are rendered with it (``web/markup.py``) and a page's structure is read from its
block tokens (``kb/structure.py``), so the index and the page agree on what is a heading, a list
or a paragraph.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import block, normalize
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

# Deeper blocks are dropped by the parser (its own rule). CommonMark's preset stops at 20
# (a list nested 9 deep); 100 keeps 49 levels of lists and stays far from Python's recursion
# limit (a nested block costs about two frames).
MAX_NESTING = 100

PARSER = MarkdownIt("commonmark", {
    "html": False,  # raw HTML in the Markdown is text
    "linkify": False,
    "typographer": False,
    "maxNesting": MAX_NESTING,
})


def render_html(text: str) -> str:
    """The body as HTML (not yet sanitized)."""
    return PARSER.render(text or "")


def block_tokens(text: str) -> list[Token]:
    """The body's block tokens; ``inline`` tokens keep their source text, unparsed."""
    state = StateCore(text or "", PARSER, {})
    normalize(state)
    block(state)
    return state.tokens
