"""Loading content roots into entries: find files, read them safely, parse, check ids."""
from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator

from .frontmatter import meta_text, split_front_matter
from .languages import ALIASES, UnknownLanguage, detect_language, normalize_lang
from .model import Entry, LoadResult, Problem
from .structure import extract_structure

EXTENSIONS = (".md", ".markdown", ".txt")
_BINARY_SNIFF = 8192


@dataclass(frozen=True)
class SourceFile:
    """A content file found under a root."""

    root: Path
    file: str  # absolute
    rel: str  # relative to the root, "/"-separated

    @cached_property
    def path(self) -> Path:  # made when asked: most files of a run are only looked at (stat)
        return Path(self.file)

    @property
    def display(self) -> str:
        return self.file


class FileProblem(Exception):
    """A file that cannot become an entry; the message says why."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def discover(roots: Iterable[Path]) -> tuple[list[SourceFile], list[Problem]]:
    """Content files under the roots (any depth), sorted; links leading outside a root are refused."""
    files: list[SourceFile] = []
    problems: list[Problem] = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            problems.append(Problem(str(root), "content root is not a directory"))
            continue
        for found in _walk(root.resolve(), problems):
            files.append(found)
    return files, problems


def _walk(root: Path, problems: list[Problem]) -> Iterator[SourceFile]:
    """Files before subdirectories, each in name order; directories whose name starts with a dot,
    and links to directories, are not entered; unreadable directories are passed over."""
    yield from _walk_dir(root, str(root), "", problems)


def _walk_dir(root: Path, dirpath: str, prefix: str, problems: list[Problem]) -> Iterator[SourceFile]:
    try:
        with os.scandir(dirpath) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    subdirs = []
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not name.startswith(".") and not entry.is_symlink():
                subdirs.append(entry)
            continue
        if name.startswith(".") or not name.lower().endswith(EXTENSIONS):
            continue
        rel = prefix + name
        problem = _name_problem(rel) or _entry_problem(root, entry)
        if problem:
            problems.append(Problem(shown_path(entry.path), problem))
            continue
        yield SourceFile(root, entry.path, rel)
    for entry in subdirs:
        yield from _walk_dir(root, entry.path, f"{prefix}{entry.name}/", problems)


def shown_path(path) -> str:
    """A path as it can be printed on one line: undecodable bytes and control characters escaped."""
    raw = os.fsencode(str(path)).decode("utf-8", "backslashreplace")
    return "".join(repr(c)[1:-1] if _is_control(c) else c for c in raw)


# Unicode's categories Cc, Zl and Zp, which _is_control tells one character at a time
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _name_problem(rel: str) -> str | None:
    """Ids and URLs are made of the path: it must be UTF-8 text without control characters."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8; skipped"
    if _CONTROL.search(rel):
        return "file name contains control characters (such as a line break); skipped"
    return None


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _entry_problem(root: Path, entry: os.DirEntry) -> str | None:
    """As _link_problem, from what the directory listing tells (no system call for a plain file)."""
    try:
        if not entry.is_symlink():
            if not entry.is_file(follow_symlinks=False):  # a named pipe would block the reader forever
                return "not a regular file (a pipe, socket or device); skipped"
            return None
    except OSError:
        pass
    return _link_problem(root, Path(entry.path))


def _link_problem(root: Path, path: Path) -> str | None:
    if not path.is_symlink():
        if not path.is_file():  # a named pipe would block the reader forever; a device, worse
            return "not a regular file (a pipe, socket or device); skipped"
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symbolic link that loops or leads nowhere; skipped"
    if not target.is_relative_to(root):
        return "symbolic link leading outside the content root; skipped"
    if not target.is_file():
        return "symbolic link to something that is not a file; skipped"
    return None


def read_source(source: SourceFile, max_bytes: int) -> bytes:
    """The file's bytes; FileProblem when it is too large or cannot be read."""
    return read_source_status(source, max_bytes)[0]


def read_source_status(source: SourceFile, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its status as opened, taken before the first byte was read (what
    the bytes are known to be as new as); FileProblem when it is too large or cannot be read."""
    try:
        # O_NONBLOCK: should the file have become a named pipe since it was found, opening it
        # does not wait for a writer; it is refused below
        fd = os.open(source.file, os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb") as handle:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise FileProblem("not a regular file (a pipe, socket or device); skipped")
            if status.st_size > max_bytes:
                raise FileProblem(f"file is too large ({status.st_size:,} bytes; the limit is {max_bytes:,}); skipped")
            data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:  # it grew while being read
                raise FileProblem(f"file is too large (over {max_bytes:,} bytes, the limit); skipped")
            return data, status
    except OSError as exc:
        raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from exc


def content_hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def decode(data: bytes) -> str:
    """UTF-8 text of a content file; FileProblem for empty, binary or non-UTF-8 files."""
    if not data.strip():
        raise FileProblem("empty file; skipped")
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise FileProblem("binary file (contains NUL bytes); skipped")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); skipped", line
        ) from exc
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_entry(source: SourceFile, text: str) -> tuple[Entry, list[Problem]]:
    """Turn a file's text into an Entry; problems that did not stop it are returned beside it."""
    problems: list[Problem] = []
    fm = split_front_matter(text)
    if fm.error:
        problems.append(Problem(
            source.display,
            f"front matter is not valid YAML ({fm.error}); its keys were read line by line",
            fm.error_line,
            skipped=False,
        ))
    lang_written, lang, lang_source = _decide_language(source, fm.meta, fm.body)
    page_id = meta_text(fm.meta, "page_id") or None
    title, title_source = meta_text(fm.meta, "title"), "front matter"
    if not title:
        title, title_source = derive_title(fm.body, Path(source.rel).stem)
    entry = Entry(
        id=f"{page_id}/{lang_written}" if page_id else _path_id(source.rel),
        lang=lang,
        lang_written=lang_written,
        lang_source=lang_source,
        title=title,
        title_source=title_source,
        body=fm.body,
        path=source.rel,
        root=str(source.root),
        page_id=page_id,
        subtitle=meta_text(fm.meta, "subtitle"),
        image=meta_text(fm.meta, "image"),
        alt=meta_text(fm.meta, "alt"),
        source_hash=meta_text(fm.meta, "source_hash") or None,
        structure=extract_structure(fm.body, lang),
    )
    return entry, problems


def _decide_language(source: SourceFile, meta: dict, body: str) -> tuple[str, str, str]:
    written = meta_text(meta, "lang")
    if written:
        try:
            return written, normalize_lang(written), "front matter"
        except UnknownLanguage as exc:
            raise FileProblem(f"{exc} in the front matter; skipped") from exc
    from_name = _language_from_name(source.rel)
    if from_name:
        return from_name, normalize_lang(from_name), "file name"
    detected = detect_language(body[:4000])
    if detected.lang is None:
        raise FileProblem("cannot tell the language (no 'lang' in front matter, no .ru/.el/.it suffix, "
                          "and the text is not recognisably Russian, Greek or Italian); skipped")
    return detected.lang, detected.lang, "detected"


def _language_from_name(rel: str) -> str | None:
    """'x.ru.txt' -> 'ru'; 'page/gr.md' -> 'gr'."""
    name = Path(rel).name
    parts = name.split(".")
    candidates = [parts[-2]] if len(parts) >= 3 else []
    candidates.append(parts[0])
    for part in candidates:
        if part.lower() in ALIASES:
            return part.lower()
    return None


def _path_id(rel: str) -> str:
    path = Path(rel)
    return (path.parent / path.stem).as_posix().removeprefix("./")


TITLE_WORDS = 12
TITLE_CHARS = 90


def derive_title(body: str, fallback: str) -> tuple[str, str]:
    """A title for a file without one: its first line when that is heading-like (a Markdown
    heading, or a short line without a final full stop), else the opening words of its text."""
    line = next((l.strip() for l in body.split("\n") if l.strip()), "")
    if not line:
        return fallback, "heading"
    heading = line.startswith("#")
    line = line.lstrip("#").strip()
    if heading or (len(line.split()) <= TITLE_WORDS and not line.endswith((".", ";", ":"))):
        return line[:200], "heading"
    sentence = re.split(r"(?<=[.!?…])\s", line, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= TITLE_CHARS:
        return sentence, "text"
    cut = sentence[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return cut + "…", "text"


def load_file(source: SourceFile, max_bytes: int) -> tuple[Entry | None, list[Problem], str | None]:
    """One file: (entry or None, its problems, the hash of its bytes or None when unreadable)."""
    try:
        data = read_source(source, max_bytes)
        digest = content_hash(data)
        entry, problems = parse_entry(source, decode(data))
        return entry, problems, digest
    except FileProblem as exc:
        return None, [Problem(source.display, exc.message, exc.line)], None


def load_entries(roots: Iterable[Path], max_bytes: int = 2 * 1024 * 1024) -> LoadResult:
    """Every entry under the roots; each bad file is a Problem and the others still load."""
    sources, problems = discover(roots)
    result = LoadResult(problems=problems)
    seen: dict[str, str] = {}
    for source in sources:
        entry, file_problems, _ = load_file(source, max_bytes)
        result.problems.extend(file_problems)
        if entry is None:
            continue
        if entry.id in seen:
            result.problems.append(Problem(
                source.display, f"duplicate id {entry.id!r} (already used by {seen[entry.id]}); skipped"))
            continue
        seen[entry.id] = source.display
        result.entries.append(entry)
    return result
