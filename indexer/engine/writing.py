"""The build side's door to Whoosh: creating and opening a generation's index, the merge policies
a commit takes, a segment read back for merging, the documents a term names, and the name of a
commit's table of contents.

indexer/build/ decides what is written and when; this module and its neighbours (bulkwrite.py:
a rebuild's postings and stored fields in memory; postencode.py: those postings encoded as
whoosh3's writer encodes them) are where it is written with Whoosh. Nothing outside
indexer/engine/ imports Whoosh (tests/test_layers.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from whoosh import index as _index
from whoosh import query as _query
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import CLEAR, MERGE_SMALL

__all__ = ["CLEAR", "MERGE_SMALL", "create", "docs_with_all", "docs_with_term", "exists",
           "merge_segments", "open_for_writing", "toc_filename"]


def create(gen: Path, schema):
    """A new, empty index in the generation's directory."""
    return _index.create_in(str(gen), schema)


def exists(gen: Path) -> bool:
    """Has the directory an index (a readable table of contents)?"""
    return _index.exists_in(str(gen))


def open_for_writing(gen: Path):
    """The generation's index opened as a writer opens it (the whole file read, no memory map)."""
    return FileStorage(str(gen), supports_mmap=False).open_index()


def toc_filename(ix, generation: int) -> str:
    """The file name of the index's table of contents at a commit generation."""
    return _index.TOC._filename(ix.indexname, generation)


def merge_segments(writer, segments: Iterable) -> None:
    """Add the documents of these segments to the writer's new segment (they are merged away)."""
    for seg in segments:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()


def docs_with_term(searcher, field: str, text: str) -> Iterator[int]:
    """The numbers of the documents whose field holds the term."""
    return searcher.docs_for_query(_query.Term(field, text))


def docs_with_all(searcher, groups: list[list[tuple[str, str]]]) -> Iterator[int]:
    """The numbers of the documents holding, for every group, at least one of its (field, term)."""
    clauses = [_query.Or([_query.Term(f, t) for f, t in group]) for group in groups]
    return searcher.docs_for_query(_query.And(clauses) if len(clauses) > 1 else clauses[0])
