"""The one thread model every source parses into.

A thread is an article (which may be absent, as in a bare discussion) and a tree of comments kept
in document order, parents before their replies. Every source (text dumps, web pages, Reddit, feeds,
exports) produces this model and nothing downstream knows which source it came from.

Text is plain: markup is removed by the source, paragraphs are separated by a blank line.
Quotations of someone else inside a comment are kept in its text (the reader may want them) and
marked by spans, so the summarizer and viewpoints never present them as the commenter's own words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.text.links import is_link_only


class SpanKind(StrEnum):
    QUOTE = "quote"
    """Text the commenter quotes from someone else (a pasted Q/A, a `>` reply, a blockquote)."""
    SIGNATURE = "signature"
    """A sign-off or signature block: not part of what the commenter argues."""


class CommentKind(StrEnum):
    COMMENT = "comment"
    PINGBACK = "pingback"
    """A link from another site, recorded by the blog: counted, never a viewpoint."""
    TRACKBACK = "trackback"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range `[start, end)` of characters in a comment's text."""

    start: int
    end: int
    kind: SpanKind = SpanKind.QUOTE


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment. `parent_id` is None for a top-level comment."""

    id: str
    text: str
    parent_id: str | None = None
    author: str | None = None
    published: datetime | None = None
    score: int | None = None
    """Votes or likes where the source has them; None where it has none."""
    language: str | None = None
    """ISO 639-1 code, or "und" when undetermined; None until the language step has run."""
    spans: tuple[Span, ...] = ()
    """Parts of `text` that are not the commenter's own words (quotations, signatures)."""
    url: str | None = None
    """A link to this comment where the source has one."""
    kind: CommentKind = CommentKind.COMMENT

    def own_text(self) -> str:
        """The commenter's own words: the text with quotations and signatures cut out.

        Paragraph breaks survive the cut so sentences on either side of a quote never merge.
        """
        if not self.spans:
            return self.text
        parts: list[str] = []
        pos = 0
        for span in sorted(self.spans, key=lambda s: s.start):
            if span.start > pos:
                parts.append(self.text[pos : span.start])
            pos = max(pos, span.end)
        parts.append(self.text[pos:])
        return "\n\n".join(p.strip() for p in parts if p.strip())

    def quoted_texts(self) -> tuple[str, ...]:
        return tuple(self.text[s.start : s.end] for s in self.spans if s.kind is SpanKind.QUOTE)


@dataclass(frozen=True, slots=True)
class Article:
    """What the thread discusses. Paragraphs are plain text, in reading order."""

    title: str | None = None
    paragraphs: tuple[str, ...] = ()
    author: str | None = None
    site: str | None = None
    url: str | None = None
    published: datetime | None = None
    language: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Thread:
    """An article and its comments, as one source gave them.

    `comments` is in document order with every parent before its replies; a comment whose parent
    is absent from the source (deleted, not exported) is kept as top-level and counted in
    `missing` by the source where it knows of the gap.
    """

    source: str
    """Which reader produced this ("text-dump", "reddit", "wxr"...): for display and JSON."""
    article: Article | None = None
    comments: tuple[Comment, ...] = ()
    declared_count: int | None = None
    """The comment count the page or API announces ("6 Responses"), where it has one."""
    missing: int = 0
    """Comments known to exist but not readable here (deleted, removed, "load more" stubs)."""
    closed: bool | None = None
    """True when the page says comments are closed; None when it does not say."""
    notes: tuple[str, ...] = ()
    """Facts about the parse a reader should know ("1 unapproved comment not shown")."""
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Source-specific facts worth showing (subreddit, feed title); never needed downstream."""

    def children(self, comment_id: str) -> tuple[Comment, ...]:
        return tuple(c for c in self.comments if c.parent_id == comment_id)

    def top_level(self) -> tuple[Comment, ...]:
        ids = {c.id for c in self.comments}
        return tuple(c for c in self.comments if c.parent_id is None or c.parent_id not in ids)

    def depths(self) -> dict[str, int]:
        """Nesting depth of each comment (0 for top level), in one pass over document order."""
        depth: dict[str, int] = {}
        for c in self.comments:
            depth[c.id] = depth[c.parent_id] + 1 if c.parent_id in depth else 0
        return depth

    def discussion(self) -> Iterator[Comment]:
        """The comments that carry opinions: real comments, not pingbacks or trackbacks, nor a
        comment that is only a link or an e-mail address."""
        return (
            c
            for c in self.comments
            if c.kind is CommentKind.COMMENT and c.text.strip() and not is_link_only(c.own_text())
        )

    @property
    def present_count(self) -> int:
        return len(self.comments)

    def authors(self) -> tuple[str, ...]:
        """Distinct named authors in order of first appearance."""
        seen: dict[str, None] = {}
        for c in self.comments:
            if c.author:
                seen.setdefault(c.author, None)
        return tuple(seen)

    def presence_line(self) -> str:
        """ "5 of 6 responses present" where a count was declared, else "5 comments"."""
        return presence(self.present_count, self.declared_count)


def presence(present: int, declared: int | None) -> str:
    """ "5 of 6 responses present" where the source declared another count, else "5 comments":
    the one wording of how many comments a thread holds."""
    if declared is not None and declared != present:
        return f"{present} of {declared} responses present"
    return f"{present} comment{'s' if present != 1 else ''}"


def parents_first(comments: list[Comment]) -> tuple[Comment, ...]:
    """Document order with every parent before its replies: exports list comments by id or date, so
    a reply can come before what it answers. Replies to absent comments become top level; comments
    no root leads to (their parents form a loop) keep their place at the end, never dropped."""
    by_parent: dict[str | None, list[int]] = {}
    ids = {c.id for c in comments}
    for i, c in enumerate(comments):
        by_parent.setdefault(c.parent_id if c.parent_id in ids else None, []).append(i)
    out: list[Comment] = []
    done = [False] * len(comments)
    expanded: set[str] = set()
    stack = list(reversed(by_parent.get(None, [])))
    while stack:
        i = stack.pop()
        if done[i]:
            continue
        done[i] = True
        out.append(comments[i])
        if comments[i].id not in expanded:  # a repeated id is expanded once
            expanded.add(comments[i].id)
            stack.extend(reversed(by_parent.get(comments[i].id, [])))
    out.extend(c for i, c in enumerate(comments) if not done[i])
    return tuple(out)
