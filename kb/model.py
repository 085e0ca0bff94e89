"""The entry model: what one content file becomes."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Mechanism:
    """One step of how a treatment works: a name and its explanation."""

    name: str
    explanation: str


@dataclass(frozen=True)
class Structure:
    """What a page's text is made of, extracted from its Markdown structure."""

    treatments: tuple[str, ...] = ()
    mechanisms: tuple[Mechanism, ...] = ()
    indications: tuple[str, ...] = ()
    text: str = ""  # everything else: paragraphs and lists that are none of the above


@dataclass(frozen=True)
class Entry:
    """A page or article of the knowledge base."""

    id: str  # "<page_id>/<lang as written>" or the path relative to its root, less the last extension
    lang: str  # canonical: ru, el, it
    lang_written: str  # as the page writes it ("gr")
    lang_source: str  # how the language was decided: "front matter", "file name", "detected"
    title: str
    body: str  # the Markdown after the front matter
    path: str  # relative to its content root, with "/" separators
    root: str  # the content root it was found under
    page_id: str | None = None
    subtitle: str = ""
    image: str = ""
    alt: str = ""
    source_hash: str | None = None
    structure: Structure = field(default_factory=Structure)
    title_source: str = "front matter"  # or "heading" (a short first line), or "text" (its opening words)

    @property
    def kind(self) -> str:
        return "page" if self.page_id else "article"

    @property
    def treatments(self) -> tuple[str, ...]:
        return self.structure.treatments

    @property
    def mechanisms(self) -> tuple[Mechanism, ...]:
        return self.structure.mechanisms

    @property
    def indications(self) -> tuple[str, ...]:
        return self.structure.indications

    def to_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind
        return data


@dataclass(frozen=True)
class Problem:
    """Something wrong with one file: it names the file, and the line where there is one."""

    path: str
    message: str
    line: int | None = None
    skipped: bool = True  # False: the file was still loaded (e.g. a title recovered as text)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class LoadResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]
