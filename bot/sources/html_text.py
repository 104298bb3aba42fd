"""HTML fragments (comment bodies from APIs) to plain text, with quotations marked.

Block elements become paragraphs, `<br>` a line break, links their visible text; `<blockquote>`
content stays in the text and is returned as a quotation span. Scripts and styles are dropped.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

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


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.quote_depth = 0
        self.drop_depth = 0
        self.marks: list[tuple[int, bool]] = []  # (offset in joined text, entering quote)

    def _length(self) -> int:
        return sum(len(p) for p in self.parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.drop_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag == "blockquote":
            self.quote_depth += 1
            if self.quote_depth == 1:
                self.marks.append((self._length(), True))

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.drop_depth = max(0, self.drop_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
            if self.quote_depth == 0:
                self.marks.append((self._length(), False))

    def handle_data(self, data: str) -> None:
        if not self.drop_depth:
            self.parts.append(data)


def html_to_text(fragment: str) -> tuple[str, tuple[Span, ...]]:
    """Plain text with "\\n\\n" between paragraphs, and the spans of its blockquotes."""
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    raw = "".join(collector.parts)
    # Normalise whitespace paragraph by paragraph, tracking where quotes start and end.
    out: list[str] = []
    spans: list[Span] = []
    marks = iter([*collector.marks, (len(raw) + 1, False)])
    mark = next(marks)
    start: int | None = None
    pos = 0
    for piece in re.split(r"(\n\s*\n)", raw):
        end = pos + len(piece)
        while mark[0] <= pos or (mark[0] < end and not piece.strip()):
            if mark[1]:
                start = sum(len(p) + 2 for p in out)
            elif start is not None:
                spans.append(
                    Span(start, max(start, sum(len(p) + 2 for p in out) - 2), SpanKind.QUOTE)
                )
                start = None
            mark = next(marks, (len(raw) + 10, False))
        text = "\n".join(" ".join(line.split()) for line in piece.split("\n")).strip()
        if text and piece.strip():
            out.append(text)
        pos = end
    if start is not None:
        spans.append(Span(start, sum(len(p) + 2 for p in out) - 2, SpanKind.QUOTE))
    offset = 0
    for paragraph in out:  # plain-text quoting, as on Hacker News: "> their words"
        if paragraph.startswith(">") and not any(s.start <= offset < s.end for s in spans):
            spans.append(Span(offset, offset + len(paragraph), SpanKind.QUOTE))
        offset += len(paragraph) + 2
    joined = "\n\n".join(out)
    return joined, tuple(sorted((s for s in spans if s.end > s.start), key=lambda s: s.start))


def strip_tags(fragment: str) -> str:
    return html_to_text(fragment)[0] if "<" in fragment else html.unescape(fragment).strip()
