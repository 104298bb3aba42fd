"""The last step of every reader: a thread whose every value has the type the model says.

Sources read files and APIs that others wrote, where any field can hold anything (an author that
is a list, a score that is a string, a title that is a number). Each reader takes what it
understands; this step then makes sure nothing downstream (viewpoints, renderers, the JSON writer)
ever meets a value of the wrong type, and that the comment tree is a tree: duplicate ids are made
unique, and parent links that form a cycle are broken (the comment that closes the loop becomes
top level) and counted in a note, so no comment is ever silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from bot.thread import Article, Comment, CommentKind, Span, SpanKind, Thread, parents_first

_SPACE = re.compile(r"\s")


def text(value: Any) -> str | None:
    """Text as text, numbers as their digits; anything else (lists, objects, booleans) absent."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def valid_text(value: str) -> str:
    """Text that can be written as UTF-8: lone surrogates (from JSON escapes) become U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def whole_number(value: Any) -> int | None:
    """A count or score: an integer, or a string of digits ("12"); anything else absent."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        return int(value)
    return None


def link(value: Any) -> str | None:
    """An http(s) link, with any whitespace in it percent-encoded so it stays one link."""
    if not isinstance(value, str):
        return None
    value = valid_text(value.strip())
    if not value.lower().startswith(("http://", "https://")):
        return None
    return _SPACE.sub(lambda m: quote(m.group()), value)


def _date(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _spans(value: Any, length: int) -> tuple[Span, ...]:
    if not isinstance(value, tuple | list):
        return ()
    return tuple(
        s
        for s in value
        if isinstance(s, Span)
        and isinstance(s.start, int)
        and isinstance(s.end, int)
        and 0 <= s.start <= s.end <= length
        and isinstance(s.kind, SpanKind)
    )


def _article(article: Any) -> Article | None:
    if not isinstance(article, Article):
        return None
    paragraphs = article.paragraphs if isinstance(article.paragraphs, tuple | list) else ()
    return Article(
        title=text(article.title),
        paragraphs=tuple(valid_text(p) for p in paragraphs if isinstance(p, str) and p.strip()),
        author=text(article.author),
        site=text(article.site),
        url=link(article.url),
        published=_date(article.published),
        language=article.language if isinstance(article.language, str) else None,
    )


def _comment(c: Comment, index: int) -> Comment:
    body = c.text if isinstance(c.text, str) else ""
    body = valid_text(body)
    return Comment(
        id=text(c.id) or f"#{index + 1}",
        text=body,
        parent_id=text(c.parent_id),
        author=text(c.author),
        published=_date(c.published),
        score=whole_number(c.score),
        language=c.language if isinstance(c.language, str) else None,
        spans=_spans(c.spans, len(body)),
        url=link(c.url),
        kind=c.kind if isinstance(c.kind, CommentKind) else CommentKind.COMMENT,
    )


def _unique_ids(comments: list[Comment]) -> list[Comment]:
    """A second comment with an id already seen gets a new one: ids must name one comment."""
    seen: set[str] = set()
    out = []
    for c in comments:
        if c.id in seen:
            n = 2
            while f"{c.id}~{n}" in seen:
                n += 1
            c = replace(c, id=f"{c.id}~{n}")
        seen.add(c.id)
        out.append(c)
    return out


def break_cycles(comments: list[Comment]) -> tuple[list[Comment], int]:
    """The comments with every parent cycle broken, and how many were broken.

    Follows each comment's parent chain once (iteratively: the input controls the depth); where a
    chain comes back to itself, the comment that closes the loop becomes top level.
    """
    parent = {c.id: c.parent_id for c in comments}
    state: dict[str, int] = {}  # 1: on the chain being followed, 2: done
    cut: set[str] = set()
    for c in comments:
        chain: list[str] = []
        node: str | None = c.id
        while node is not None and node in parent and node not in state:
            state[node] = 1
            chain.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1:
            cut.add(chain[-1])  # the last comment followed points back into its own chain
        for n in chain:
            state[n] = 2
    if not cut:
        return comments, 0
    return [replace(c, parent_id=None) if c.id in cut else c for c in comments], len(cut)


def _in_order(comments: list[Comment]) -> bool:
    """Every reply comes after its parent (the model's promise to the renderers)."""
    ids = {c.id for c in comments}
    seen: set[str] = set()
    for c in comments:
        if c.parent_id is not None and c.parent_id in ids and c.parent_id not in seen:
            return False
        seen.add(c.id)
    return True


def checked(thread: Thread) -> Thread:
    """The thread with values of the wrong type made absent and its comment tree made a tree."""
    comments = [_comment(c, i) for i, c in enumerate(thread.comments) if isinstance(c, Comment)]
    comments = _unique_ids(comments)
    comments, cycles = break_cycles(comments)
    ordered = tuple(comments) if _in_order(comments) else parents_first(comments)
    notes = [valid_text(n) for n in thread.notes if isinstance(n, str)]
    if cycles:
        many = cycles != 1
        notes.append(
            f"{cycles} comment{'s' if many else ''} answered {'their' if many else 'its'} own "
            "replies (a loop in the file's reply links): shown as top level."
        )
    declared = whole_number(thread.declared_count)
    missing = whole_number(thread.missing)
    extra = thread.extra if isinstance(thread.extra, dict) else {}
    return Thread(
        source=text(thread.source) or "unknown",
        article=_article(thread.article),
        comments=ordered,
        declared_count=declared if declared is not None and declared >= 0 else None,
        missing=max(0, missing or 0),
        closed=thread.closed if isinstance(thread.closed, bool) else None,
        notes=tuple(notes),
        url=link(thread.url),
        extra={
            k: valid_text(v) for k, v in extra.items() if isinstance(k, str) and isinstance(v, str)
        },
    )
