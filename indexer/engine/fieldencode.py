"""A document's fields as Whoosh's segment writer indexes them, computed where the document is
analysed (a build worker) so that the writer only files them: per field its stored value, length,
terms, weights and encoded postings values, in the order ``SegmentWriter.add_document`` visits
them. The bulk writer (bulkwrite.py) takes them as they are.
"""
from __future__ import annotations

from pickle import dumps

from whoosh import formats
from whoosh.system import pack_uint

FIELD_BOOST = 1.0  # Whoosh's default field boost (documents give no _boost keywords)


def analysed_fields(schema, document: dict, tokens: dict | None = None) -> list[tuple]:
    """(name, stored value, length, terms, weights, encoded values) per field, in the order
    Whoosh's ``SegmentWriter.add_document`` visits them (sorted names), with what it computes:
    ``field.index(value)`` for indexed fields, the frequencies summed for scorable ones.
    ``tokens``: a field's tokens word by word (`documents.entry_document`), encoded here as
    ``field.index`` encodes the tokens its analyzer makes (`_encode`), without analysing again."""
    out = []
    for name in sorted(n for n in document if not n.startswith("_")):
        value = document[name]
        if value is None:
            continue
        field_ = schema[name]
        stored = value if field_.stored else None
        words = tokens.get(name) if tokens is not None and field_.indexed else None
        if words is not None and _encodes(field_.format):
            out.append((name, stored, *_encode(field_.format, words, field_.scorable)))
            continue
        length = 0
        terms: list[bytes] = []
        weights: list[float] = []
        values: list[bytes] = []
        if field_.indexed:
            scorable = field_.scorable
            for tbytes, freq, weight, vbytes in field_.index(value):
                terms.append(tbytes)
                weights.append(weight * FIELD_BOOST)
                values.append(vbytes)
                if scorable:
                    length += freq
        out.append((name, stored, length, terms, weights, values))
    return out


def _encodes(fmt) -> bool:
    return type(fmt) in (formats.Positions, formats.Frequency) and fmt.field_boost == 1.0


def _encode(fmt, words: list[tuple[str, ...]], scorable: bool) -> tuple:
    """(length, terms, weights, values) as ``Positions`` / ``Frequency.word_values`` give them
    for these tokens (position i: the tokens of word i; each token's boost 1.0)."""
    positions: dict[str, list[int]] = {}
    for pos, texts in enumerate(words):
        for text in texts:
            found = positions.get(text)
            if found is None:
                positions[text] = [pos]
            else:
                found.append(pos)
    terms = [text.encode("utf-8") for text in positions]
    counts = [len(p) for p in positions.values()]
    weights = [float(n) * FIELD_BOOST for n in counts]
    if type(fmt) is formats.Frequency:
        values = [pack_uint(n) for n in counts]
    else:
        values = [pack_uint(len(p)) + dumps([p[0], *(b - a for a, b in zip(p, p[1:]))], 2)
                  for p in positions.values()]
    return (sum(counts) if scorable else 0), terms, weights, values


def supports(schema) -> bool:
    """Fields whose indexing `analysed_fields` and the bulk writer reproduce: no term vectors,
    no columns, no separate spelling words."""
    return all(not f.vector and f.column_type is None and not f.separate_spelling()
               for _, f in schema.items())
