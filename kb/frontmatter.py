"""Front matter: split it from the body and read it, recovering what YAML rejects."""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from frontmatter.default_handlers import YAMLHandler

_HANDLER = YAMLHandler()
_TOP_LEVEL_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s?(.*)$")


@dataclass(frozen=True)
class FrontMatter:
    meta: dict
    body: str
    body_line: int  # the file's line number where the body starts (1-based)
    error: str | None = None  # why YAML rejected it (the meta was then read line by line)
    error_line: int | None = None


def split_front_matter(text: str) -> FrontMatter:
    """Separate YAML front matter (between ``---`` lines) from the Markdown body."""
    if not _HANDLER.detect(text):
        return FrontMatter({}, text, 1)
    try:
        _, raw, body = _HANDLER.FM_BOUNDARY.split(text, 2)
    except ValueError:  # an opening '---' that is never closed: all of it is body
        return FrontMatter({}, text, 1)
    body_line = text[: len(text) - len(body)].count("\n") + 1
    if body.startswith("\n"):  # the rest of the closing '---' line
        body, body_line = body[1:], body_line + 1
    try:
        # every scalar as the text written: page_id 007 stays "007", title Yes stays "Yes"
        meta = _load_yaml(_detab(raw)) or {}
        if not isinstance(meta, dict):
            raise yaml.YAMLError("front matter is not a mapping of keys to values")
        return FrontMatter(meta, body, body_line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return FrontMatter(_read_line_by_line(raw), body, body_line, problem, line)


def _load_yaml(text: str):
    """YAML with libyaml's parser when PyYAML has it (indexing 10,000 pages spent 7% of its
    time in the pure-Python parser); a document it rejects is parsed again by the pure-Python
    one, so that the error reported, and its line, are the same as without libyaml."""
    if _C_BASE_LOADER is not None:
        try:
            return yaml.load(text, Loader=_C_BASE_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=yaml.BaseLoader)


_C_BASE_LOADER = getattr(yaml, "CBaseLoader", None)


def _detab(raw: str) -> str:
    """YAML forbids tabs in indentation; real pages have them. Indent with spaces instead."""
    return "\n".join(_expand_indent(line) for line in raw.split("\n"))


def _expand_indent(line: str) -> str:
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)]
    return indent.expandtabs(4) + stripped if "\t" in indent else line


def _read_line_by_line(raw: str) -> dict:
    """Recover top-level ``key: value`` lines as plain strings (``title: A: B`` stays readable)."""
    meta: dict[str, str] = {}
    for line in raw.split("\n"):
        match = _TOP_LEVEL_LINE.match(line)
        if not match:
            continue
        key, value = match.group(1), _strip_comment(match.group(2)).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meta.setdefault(key, value)
    return meta


def _strip_comment(value: str) -> str:
    at = value.find(" #")
    return value[:at] if at >= 0 else ("" if value.startswith("#") else value)


def meta_text(meta: dict, key: str) -> str:
    """A front matter value as text ('' when absent or empty)."""
    value = meta.get(key)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()
