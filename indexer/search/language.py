"""The language a query is typed in: given, told by its script or words (kb.languages), or, for
Latin script with no telling words, Italian when the Italian vocabulary knows its words."""
from __future__ import annotations

from kb.languages import detect_language

from indexer.analysis import Analysis
from indexer.search.query import ParsedQuery
from indexer.search.results import SearchRequest
from indexer.schema import SECTIONS, section_field


def query_language(request: SearchRequest, parsed: ParsedQuery, snapshot,
                   analysis: Analysis) -> tuple[str | None, str]:
    """(language or None, how it was known: "given", "script", "words", "index" or "none")."""
    if request.lang:
        return request.lang, "given"
    text = " ".join((*parsed.phrases, *parsed.words))
    detected = detect_language(text)
    if detected.lang:
        return detected.lang, detected.method
    # Latin script with no telling words: Italian if the Italian vocabulary (any section's)
    # knows its words
    for word in parsed.words:
        terms = analysis.word_terms(word, "it", mode="query")
        if any(snapshot.doc_frequency(section_field(s, "it"), t) for s in SECTIONS for t in terms):
            return "it", "index"
    return None, "none"
