"""What an index is made of, in Whoosh's terms: the field types a schema is written with, and the
analysis chain's two base pieces (a regex tokenizer and the filter every kb filter extends).

indexer/schema.py names the fields and indexer/analysis.py writes the filters; both take Whoosh's
classes from here, so a change of engine shows up in this package alone.
"""
from __future__ import annotations

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

__all__ = ["Filter", "ID", "KEYWORD", "RegexTokenizer", "STORED", "Schema", "TEXT"]
