"""HTML fragments (comment bodies from APIs) to plain text, with quotations marked.

Block elements become paragraphs, `<br>` a line break, links their visible text; `<blockquote>`
content stays in the text and is returned as a quotation span. Scripts and styles are dropped.
"""

from __future__ import annotations

import html
import re

from bot.sources.checked import valid_text
from bot.thread import Span, SpanKind

_BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "table",
        "tr",
    }
)
_DROP = frozenset({"script", "style", "iframe", "noscript", "template"})


class _Collector:
    """The events of lxml's HTML parser (libxml2: linear on any input, unlike html.parser, whose
    unclosed tags are rescanned from each "<") as text parts and quotation marks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.quote_depth = 0
        self.drop_depth = 0
        self.marks: list[tuple[int, bool]] = []  # (offset in joined text, entering quote)

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def start(self, tag: str, attrib: object) -> None:
        if tag in _DROP:
            self.drop_depth += 1
        elif tag == "br":
            self._add("\n")
        elif tag in _BLOCKS:
            self._add("\n\n")
        if tag == "blockquote":
            self.quote_depth += 1
            if self.quote_depth == 1:
                self.marks.append((self.length, True))

    def end(self, tag: str) -> None:
        if tag in _DROP:
            self.drop_depth = max(0, self.drop_depth - 1)
        elif tag in _BLOCKS:
            self._add("\n\n")
        if tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
            if self.quote_depth == 0:
                self.marks.append((self.length, False))

    def data(self, data: str) -> None:
        if not self.drop_depth:
            self._add(data)

    def close(self) -> None:
        return None


def _collect(fragment: str) -> _Collector:
    # start-up: lxml costs 0.04 s; only HTML fragments need it
    from lxml import etree

    collector = _Collector()
    cleaned = valid_text(fragment).replace("\x00", "")
    if cleaned.strip():
        parser = etree.HTMLParser(target=collector, no_network=True)
        parser.feed(cleaned)
        parser.close()
    return collector


def html_to_text(fragment: str) -> tuple[str, tuple[Span, ...]]:
    """Plain text with "\\n\\n" between paragraphs, and the spans of its blockquotes."""
    collector = _collect(fragment)
    raw = "".join(collector.parts)
    # Normalise whitespace paragraph by paragraph, tracking where quotes start and end.
    out: list[str] = []
    written = 0  # length of "\n\n".join(out) plus a trailing separator: sum(len(p) + 2)
    spans: list[Span] = []
    marks = iter([*collector.marks, (len(raw) + 1, False)])
    mark = next(marks)
    start: int | None = None
    pos = 0
    for piece in re.split(r"(\n\s*\n)", raw):
        end = pos + len(piece)
        while mark[0] <= pos or (mark[0] < end and not piece.strip()):
            if mark[1]:
                start = written
            elif start is not None:
                spans.append(Span(start, max(start, written - 2), SpanKind.QUOTE))
                start = None
            mark = next(marks, (len(raw) + 10, False))
        text = "\n".join(" ".join(line.split()) for line in piece.split("\n")).strip()
        if text and piece.strip():
            out.append(text)
            written += len(text) + 2
        pos = end
    if start is not None:
        spans.append(Span(start, written - 2, SpanKind.QUOTE))
    quoted = sorted(spans, key=lambda s: s.start)
    offset = 0
    q = 0
    for paragraph in out:  # plain-text quoting, as on Hacker News: "> their words"
        while q < len(quoted) and quoted[q].end <= offset:
            q += 1
        inside = q < len(quoted) and quoted[q].start <= offset < quoted[q].end
        if paragraph.startswith(">") and not inside:
            spans.append(Span(offset, offset + len(paragraph), SpanKind.QUOTE))
        offset += len(paragraph) + 2
    joined = "\n\n".join(out)
    return joined, tuple(sorted((s for s in spans if s.end > s.start), key=lambda s: s.start))


def strip_tags(fragment: str) -> str:
    return html_to_text(fragment)[0] if "<" in fragment else html.unescape(fragment).strip()
