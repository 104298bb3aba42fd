"""ThreadBrief's own JSON: the `--json` document, or just its "thread" object.

The thread object is also the simplest export format for other tools: an "article" with
"paragraphs" and a list of "comments" with "id", "text" and optionally "parent_id", "author",
"published", "score" (README, "JSON input").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.errors import MalformedInput
from bot.sources.dates import iso_date
from bot.sources.limit import check_count
from bot.thread import Article, Comment, CommentKind, Span, SpanKind, Thread


def looks_like(obj: object) -> bool:
    if not isinstance(obj, dict):
        return False
    if "schema_version" in obj and isinstance(obj.get("thread"), dict):
        return True
    return (
        "comments" in obj
        and isinstance(obj.get("comments"), list)
        and ("article" in obj or "source" in obj)
    )


def _fail(where: str, what: str) -> MalformedInput:
    return MalformedInput(
        f"This ThreadBrief JSON is malformed at {where}: {what}.",
        hint="Export it again with `threadbrief summarize ... --json`.",
    )


def _str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _fail(f"{where}.{key}", f"expected text, found {type(value).__name__}")


def _date(obj: dict[str, Any], key: str, where: str) -> datetime | None:
    value = _str(obj, key, where)
    if value is None:
        return None
    if (parsed := iso_date(value)) is None:
        raise _fail(f"{where}.{key}", f"'{value[:40]}' is not an ISO date")
    return parsed


def _article(obj: object) -> Article | None:
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise _fail("thread.article", "expected an object")
    paragraphs = obj.get("paragraphs", [])
    if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
        raise _fail("thread.article.paragraphs", "expected a list of texts")
    w = "thread.article"
    return Article(
        title=_str(obj, "title", w),
        paragraphs=tuple(paragraphs),
        author=_str(obj, "author", w),
        site=_str(obj, "site", w),
        url=_str(obj, "url", w),
        published=_date(obj, "published", w),
        language=_str(obj, "language", w),
    )


def _spans(obj: object, text: str, where: str) -> tuple[Span, ...]:
    if obj is None:
        return ()
    if not isinstance(obj, list):
        raise _fail(where, "expected a list of spans")
    spans = []
    for s in obj:
        if not isinstance(s, dict):
            raise _fail(where, "expected span objects")
        start, end = s.get("start"), s.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
            raise _fail(where, "a span lies outside its comment's text")
        try:
            kind = SpanKind(s.get("kind", "quote"))
        except ValueError:
            raise _fail(where, f"unknown span kind {s.get('kind')!r}") from None
        spans.append(Span(start, end, kind))
    return tuple(spans)


def _comment(obj: object, index: int) -> Comment:
    where = f"thread.comments[{index}]"
    if not isinstance(obj, dict):
        raise _fail(where, "expected an object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise _fail(f"{where}.text", "missing or not text")
    raw_id = obj.get("id", str(index + 1))
    parent = obj.get("parent_id")
    score = obj.get("score")
    if score is not None and not isinstance(score, int):
        raise _fail(f"{where}.score", "expected a whole number")
    try:
        kind = CommentKind(obj.get("kind", "comment"))
    except ValueError:
        raise _fail(f"{where}.kind", f"unknown kind {obj.get('kind')!r}") from None
    return Comment(
        id=str(raw_id),
        text=text,
        parent_id=None if parent is None else str(parent),
        author=_str(obj, "author", where),
        published=_date(obj, "published", where),
        score=score,
        language=_str(obj, "language", where),
        spans=_spans(obj.get("spans"), text, f"{where}.spans"),
        url=_str(obj, "url", where),
        kind=kind,
    )


def parse(obj: object, *, max_comments: int | None = None) -> Thread:
    if isinstance(obj, dict) and "schema_version" in obj:
        obj = obj.get("thread")
    if not isinstance(obj, dict):
        raise _fail("thread", "expected an object")
    comments = obj.get("comments", [])
    if not isinstance(comments, list):
        raise _fail("thread.comments", "expected a list")
    check_count(len(comments), max_comments)
    declared = obj.get("declared_count")
    missing = obj.get("missing", 0)
    if declared is not None and not isinstance(declared, int):
        raise _fail("thread.declared_count", "expected a whole number")
    if not isinstance(missing, int):
        raise _fail("thread.missing", "expected a whole number")
    closed = obj.get("closed")
    notes = obj.get("notes", [])
    source = obj.get("source")
    return Thread(
        source=source if isinstance(source, str) else "json",
        article=_article(obj.get("article")),
        comments=tuple(_comment(c, i) for i, c in enumerate(comments)),
        declared_count=declared,
        missing=missing,
        closed=closed if isinstance(closed, bool) else None,
        notes=tuple(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else (),
        url=_str(obj, "url", "thread"),
        extra=_extra(obj.get("extra")),
    )


def _extra(value: object) -> dict[str, str]:
    """Source facts such as a discussion's subject; anything not text is left out."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
