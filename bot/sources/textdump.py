"""Plain-text dumps: a page with its comments, copied as text from a browser.

Such a dump has no markup left, only layout: a title line, a byline, the article's paragraphs, a
header such as "6 Responses", then comments set off by numbers ("1.", "2)", "#3"), bullets
("•", "-", "*") or author lines ("Jane says:", a name over a date), with replies indented deeper
than what they answer. Page furniture ("Reply", "Log in to Reply", "link to" left by stripped links,
"Related video:" blocks) is dropped; everything else after the header lands in some comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.errors import BadInput
from bot.sources.limit import check_count
from bot.thread import Article, Comment, Span, SpanKind, Thread

_NUMBER_WORDS = {"no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_HEADER = re.compile(
    r"^\s*(\d[\d,]*|no|one|two|three|four|five)\s+"
    r"(comments?|responses?|replies|reply|thoughts?\s+on\b.*)\s*(?::\s*)?$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^(\s*)(?:#(\d+)|(\d+)[.)])\s+(\S.*)$")
_BULLET = re.compile(r"^(\s*)([•◦‣▪●\-*–])\s+(\S.*)$")
_SAYS = re.compile(r"^(\s*+)(\S(?:.{0,59}?\S)?)\s++(?:says|said|wrote)\s*:\s*$", re.IGNORECASE)
"""The name ends in a non-space and the spaces after it are taken whole: `\\S.{0,60}?\\s+` would
rescan a long run of spaces once for each of the 60 lengths the name may have."""
_BYLINE = re.compile(r"^\s*(?:by|posted by|written by)\s+(.+)$", re.IGNORECASE)
_FURNITURE = re.compile(
    r"^\s*(?:[*•-]\s*)?(?:link to|reply|log in to reply|login to reply|report|like|share|"
    r"report comment|flag|permalink|edit)\s*$",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^\s*(?:related(?:\s+\w+){0,2}|read more|see also|share this|more from .{1,40}|"
    r"you may also like|recommended)\s*:\s*$",
    re.IGNORECASE,
)
_CLOSED = re.compile(r"^\s*comments\s+are\s+closed\.?\s*$", re.IGNORECASE)
_END = re.compile(
    r"^\s*(?:leave a (?:reply|comment)|post a comment|add a comment|load more comments)\b.*$",
    re.IGNORECASE,
)
_QUOTE_START = re.compile(r"^(?:>|q\s*:|a\s*:|quote\s*:|question\s*:|answer\s*:)", re.IGNORECASE)
_DATE_FORMATS = (
    "%B %d, %Y at %I:%M %p",
    "%B %d, %Y at %H:%M",
    "%b %d, %Y at %I:%M %p",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y at %H:%M",
    "%d %B %Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
)


_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"\d{4}")


def parse_date(text: str) -> datetime | None:
    """A date in one of the usual English forms under a commenter's name, as UTC."""
    stripped = text.strip()
    # Every form has a four-digit year and none is longer than this: most lines of a dump are
    # neither, and trying ten formats on each of them was most of the parse.
    if len(stripped) > 64 or not _YEAR.search(stripped):
        return None
    cleaned = _ORDINAL.sub(r"\1", stripped.rstrip(":").strip())
    cleaned = _SPACES.sub(" ", cleaned)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


@dataclass
class _Draft:
    """A comment being collected, line by line."""

    id: str
    parent: str | None
    indent: int
    bullet: bool
    author: str | None = None
    published: datetime | None = None
    lines: list[str] = field(default_factory=list)
    replies: int = 0


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def sniff(text: str) -> bool:
    """Whether the text has the comments header of a page dump."""
    return any(_HEADER.match(line) for line in text.splitlines())


def _byline(line: str) -> tuple[str | None, str | None, datetime | None]:
    """Author, site and date from "By X | Site", "By X, Site", "Posted by X on <date>"."""
    match = _BYLINE.match(line)
    if not match:
        return None, None, None
    rest, published = match.group(1), None
    if (on := re.search(r"(?<!\s)\s+on\s+(.+)$", rest)) and (date := parse_date(on.group(1))):
        rest, published = rest[: on.start()], date
    parts = [p.strip(" ()[]–—-|") for p in re.split(r"(?<!\s)\s*[|,]\s*|(?<!\s)\s+[-–—]\s+", rest)]
    parts = [p for p in parts if p and not re.fullmatch(r"[\W_]+", p)]
    author = parts[0] if parts else None
    site = parts[1] if len(parts) > 1 and parse_date(parts[1]) is None else None
    return author, site, published


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, each on one line, furniture dropped."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if not line.strip() or _FURNITURE.match(line):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line.strip())
    return paragraphs


def _article(lines: list[str], url: str | None) -> Article | None:
    for i, line in enumerate(lines):
        if _RELATED.match(line):
            lines = lines[:i]
            break
    paragraphs = _paragraphs(lines)
    if not paragraphs:
        return None
    title: str | None = None
    author = site = None
    published = None
    if len(paragraphs) > 1 and len(paragraphs[0]) <= 200 and not paragraphs[0].endswith("."):
        title = paragraphs.pop(0)
    for i, paragraph in enumerate(paragraphs[:2]):
        a, s, d = _byline(paragraph)
        if a:
            author, site, published = a, s, d
            paragraphs.pop(i)
            break
    if paragraphs and (date := parse_date(paragraphs[0])) is not None:
        published = date
        paragraphs.pop(0)
    return Article(
        title=title,
        paragraphs=tuple(paragraphs),
        author=author,
        site=site,
        url=url,
        published=published,
    )


def _quote_spans(paragraphs: list[str]) -> tuple[str, tuple[Span, ...]]:
    """The comment text, with runs of quoted paragraphs ("> ...", "Q: ... A: ...") marked."""
    text = ""
    spans: list[Span] = []
    for paragraph in paragraphs:
        start = len(text) + (2 if text else 0)
        text = f"{text}\n\n{paragraph}" if text else paragraph
        if _QUOTE_START.match(paragraph):
            if spans and spans[-1].end == start - 2:
                spans[-1] = Span(spans[-1].start, len(text), SpanKind.QUOTE)
            else:
                spans.append(Span(start, len(text), SpanKind.QUOTE))
    return text, tuple(spans)


class _Collector:
    """Turns the lines after the comments header into a tree of drafts.

    Deeper indentation means a reply. A bullet is a reply to the comment above it even at the
    same indentation, since dumps often flatten the first level of nesting.
    """

    def __init__(self, max_comments: int | None = None) -> None:
        self.max_comments = max_comments
        self.drafts: list[_Draft] = []
        self.ids: set[str] = set()
        self.stack: list[_Draft] = []
        self.top = 0

    def _open(self, indent: int, *, number: str | None = None, bullet: bool = False) -> _Draft:
        stack = self.stack
        if bullet:
            while stack and (
                stack[-1].indent > indent or (stack[-1].indent == indent and stack[-1].bullet)
            ):
                stack.pop()
        else:
            while stack and stack[-1].indent >= indent:
                stack.pop()
        parent = stack[-1] if stack else None
        if parent is not None:
            parent.replies += 1
            cid = f"{parent.id}.{parent.replies}"
        elif number is not None:
            cid = number
        else:
            self.top += 1
            cid = f"c{self.top}"
        check_count(len(self.drafts) + 1, self.max_comments)
        if cid in self.ids:
            cid = f"{cid}~{len(self.drafts) + 1}"
        draft = _Draft(cid, parent.id if parent else None, indent, bullet)
        self.drafts.append(draft)
        self.ids.add(cid)
        stack.append(draft)
        return draft

    def add(self, lines: list[str]) -> None:
        previous_blank = True
        pending: _Draft | None = None  # an author line waiting for an optional date line
        for line in lines:
            if not line.strip():
                previous_blank = True
                continue
            if _FURNITURE.match(line):
                continue
            indent = _indent(line)
            if pending is not None:
                date = parse_date(line)
                author_draft, pending = pending, None
                if date is not None:
                    author_draft.published = date
                    continue
            if m := _NUMBERED.match(line):
                self._open(indent, number=m.group(2) or m.group(3)).lines.append(m.group(4))
            elif previous_blank and self.drafts and (m := _BULLET.match(line)):
                self._open(indent, bullet=True).lines.append(m.group(3))
            elif previous_blank and (m := _SAYS.match(line)):
                pending = self._open(indent)
                pending.author = m.group(2).strip()
            else:
                target = self.stack[-1] if self.stack else self._open(indent)
                if previous_blank and target.lines:
                    target.lines.append("")
                target.lines.append(line.strip())
            previous_blank = False


def _comments(
    lines: list[str], max_comments: int | None
) -> tuple[tuple[Comment, ...], bool | None]:
    closed: bool | None = None
    kept: list[str] = []
    for line in lines:
        if _CLOSED.match(line):
            closed = True
            continue
        if _END.match(line):
            break
        kept.append(line)
    kept = _name_date_to_says(kept)
    collector = _Collector(max_comments)
    collector.add(kept)
    comments = []
    for d in collector.drafts:
        paragraphs = [
            " ".join(p.split("\n")) for p in "\n".join(d.lines).split("\n\n") if p.strip()
        ]
        text, spans = _quote_spans(paragraphs)
        if not text and d.author is None:
            continue
        comments.append(
            Comment(
                id=d.id,
                text=text,
                parent_id=d.parent,
                author=d.author,
                published=d.published,
                spans=spans,
            )
        )
    return tuple(comments), closed


def _name_date_to_says(lines: list[str]) -> list[str]:
    """Rewrite "Name" over a date line as "Name says:", so one rule reads both styles."""
    out = list(lines)
    for i in range(len(out) - 1):
        name, below = out[i], out[i + 1]
        if (
            name.strip()
            and len(name.strip()) <= 60
            and not name.strip().endswith((".", "?", "!", ":"))
            and (i == 0 or not out[i - 1].strip())
            and parse_date(below) is not None
            and not _NUMBERED.match(name)
            and not _BULLET.match(name)
        ):
            out[i] = f"{name.rstrip()} says:"
    return out


def parse(text: str, *, url: str | None = None, max_comments: int | None = None) -> Thread:
    if not text.strip():
        raise BadInput(
            "The text is empty.", hint="Paste or upload a page copied with its comments."
        )
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header_at = next((i for i, line in enumerate(lines) if _HEADER.match(line)), None)
    declared: int | None = None
    closed: bool | None = None
    if header_at is None:
        article_lines, comment_lines = lines, []
        if any(_CLOSED.match(line) for line in lines):
            closed = True
            article_lines = [line for line in lines if not _CLOSED.match(line)]
    else:
        article_lines, comment_lines = lines[:header_at], lines[header_at + 1 :]
        word = _HEADER.match(lines[header_at]).group(1).lower().replace(",", "")  # type: ignore[union-attr]
        declared = _NUMBER_WORDS.get(word, int(word) if word.isdigit() else 0)
    comments, closed_after = _comments(comment_lines, max_comments) if comment_lines else ((), None)
    article = _article(article_lines, url)
    if article is None and not comments:
        raise BadInput(
            "This text has no article and no comments I can find.",
            hint="Copy the whole page, with its comments section.",
        )
    return Thread(
        source="text-dump",
        article=article,
        comments=comments,
        declared_count=declared,
        closed=closed_after if closed_after is not None else closed,
        url=url,
    )
