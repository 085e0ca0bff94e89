"""A small HTML reader for the tests: find elements by tag and attributes, read their text."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)
    parent: "Element | None" = field(default=None, repr=False)

    def within(self, ancestor: "Element") -> bool:
        node = self.parent
        while node is not None:
            if node is ancestor:
                return True
            node = node.parent
        return False

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def has(self, **attrs: str) -> bool:
        return all(self.attrs.get(name.rstrip("_").replace("_", "-")) == value
                   for name, value in attrs.items())


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        parent = self.open[-1] if self.open else None
        element = Element(tag, {name: value or "" for name, value in attrs}, parent=parent)
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        for element in self.open:
            element.parts.append(data)


class Page:
    """A parsed HTML page."""

    def __init__(self, html: str):
        reader = _Reader()
        reader.feed(html)
        self.elements = reader.elements
        self.html = html

    def find_all(self, tag: str, within: Element | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and e.has(**attrs)
                and (within is None or e.within(within))]

    def find(self, tag: str, within: Element | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, within, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def with_class(self, css_class: str) -> list[Element]:
        return [e for e in self.elements if css_class in e.attrs.get("class", "").split()]

    def texts(self, tag: str, within: Element | None = None, **attrs: str) -> list[str]:
        return [e.text for e in self.find_all(tag, within, **attrs)]

    @property
    def text(self) -> str:
        return self.find("body").text


def parse(response) -> Page:
    return Page(response.get_data(as_text=True))
