"""Hacker News threads: Algolia's items API (the whole tree in one answer) or Firebase items.

Comment text is HTML; quoted lines ("> ...") become quotation spans. Dead and deleted items count
as missing.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import MalformedInput, NotFoundError
from bot.sources.checked import whole_number
from bot.sources.html_text import html_to_text
from bot.sources.json_values import from_unix
from bot.sources.limit import check_count
from bot.thread import Article, Comment, Thread

ALGOLIA = "https://hn.algolia.com/api/v1"
_ITEM = re.compile(r"[?&]id=(\d+)")


def item_id(url: str) -> int | None:
    """The item number of a news.ycombinator.com/item?id=N link."""
    if "ycombinator.com/item" not in url:
        return None
    match = _ITEM.search(url)
    return int(match.group(1)) if match else None


def algolia_url(number: int, base: str = ALGOLIA) -> str:
    return f"{base.rstrip('/')}/items/{number}"


def looks_like(obj: object) -> bool:
    if isinstance(obj, list):
        return bool(obj) and all(isinstance(x, dict) and ("by" in x or "kids" in x) for x in obj)
    return isinstance(obj, dict) and (
        ("children" in obj and "created_at_i" in obj) or ("by" in obj and "type" in obj)
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _link(number: Any) -> str:
    return f"https://news.ycombinator.com/item?id={number}"


def _algolia(root: dict[str, Any], max_comments: int | None) -> Thread:
    comments: list[Comment] = []
    missing = 0
    seen: set[int] = {id(root)}
    # Iterative, depth first in document order: the file, not Python's stack, sets the depth.
    stack: list[tuple[Any, str | None]] = [(c, None) for c in reversed(_children(root))]
    while stack:
        child, parent = stack.pop()
        if not isinstance(child, dict) or id(child) in seen:
            continue
        seen.add(id(child))
        replies = reversed(_children(child))
        text, author = _str(child.get("text")), _str(child.get("author"))
        if text is None or author is None:
            missing += 1
            stack.extend((c, parent) for c in replies)
            continue
        check_count(len(comments) + 1, max_comments)
        body, spans = html_to_text(text)
        cid = str(child.get("id"))
        comments.append(
            Comment(
                id=cid,
                parent_id=parent,
                text=body,
                spans=spans,
                author=author,
                published=from_unix(child.get("created_at_i")),
                score=whole_number(child.get("points")),
                url=_link(cid),
            )
        )
        stack.extend((c, cid) for c in replies)
    return _thread(
        root, root.get("author"), root.get("created_at_i"), root.get("points"), comments, missing
    )


def _children(item: dict[str, Any]) -> list[Any]:
    children = item.get("children")
    return children if isinstance(children, list) else []


def _kids(item: dict[str, Any]) -> list[int]:
    kids = item.get("kids")
    if not isinstance(kids, list):
        return []
    return [k for k in kids if isinstance(k, int) and not isinstance(k, bool)]


def _firebase(items: list[dict[str, Any]], max_comments: int | None) -> Thread:
    by_id = {i["id"]: i for i in items if isinstance(i, dict) and _int(i.get("id")) is not None}
    root = next(
        (
            i
            for i in items
            if isinstance(i, dict) and i.get("type") in ("story", "ask", "poll", "job")
        ),
        items[0],
    )
    comments: list[Comment] = []
    missing = 0
    seen: set[int] = {root["id"]} if _int(root.get("id")) is not None else set()
    stack: list[tuple[int, str | None]] = [(k, None) for k in reversed(_kids(root))]
    # Items no kids list leads to (a trimmed file) come after the tree, as top level.
    orphans = [k for k, i in reversed(by_id.items()) if i.get("type") in (None, "comment")]
    while stack or orphans:
        if not stack:
            stack.append((orphans.pop(), None))
            continue
        kid, parent = stack.pop()
        if kid in seen:
            continue  # kids that loop back: each item is read once
        seen.add(kid)
        item = by_id.get(kid)
        replies = reversed(_kids(item)) if item is not None else ()
        text = _str(item.get("text")) if item is not None else None
        if item is None or item.get("dead") or item.get("deleted") or text is None:
            missing += 1
            stack.extend((k, parent) for k in replies)
            continue
        check_count(len(comments) + 1, max_comments)
        body, spans = html_to_text(text)
        cid = str(item["id"])
        comments.append(
            Comment(
                id=cid,
                parent_id=parent,
                text=body,
                spans=spans,
                author=_str(item.get("by")),
                published=from_unix(item.get("time")),
                score=whole_number(item.get("score")),
                url=_link(cid),
            )
        )
        stack.extend((k, cid) for k in replies)
    notes: list[str] = []
    declared = whole_number(root.get("descendants"))
    if declared is not None:
        # Replies to replies that are not in the file are missing too, not only the ids listed.
        missing = max(missing, declared - len(comments))
    if not comments and _kids(root) and not any(k in by_id for k in _kids(root)):
        notes.append(
            f"This file holds the story alone: it lists its replies by id, without their text. "
            f"Brief {_link(root.get('id'))} to read them."
        )
    return _thread(
        root, root.get("by"), root.get("time"), root.get("score"), comments, missing, notes
    )


def _thread(
    root: dict[str, Any],
    author: Any,
    when: Any,
    points: Any,
    comments: list[Comment],
    missing: int,
    notes: list[str] | None = None,
) -> Thread:
    text, _ = html_to_text(_str(root.get("text")) or "")
    link = _link(root.get("id"))
    article = Article(
        title=_str(root.get("title")),
        paragraphs=tuple(p for p in text.split("\n\n") if p.strip()),
        author=author if isinstance(author, str) else None,
        site="Hacker News",
        url=link,
        published=from_unix(when),
    )
    declared = root.get("descendants")
    return Thread(
        source="hacker-news",
        article=article,
        comments=tuple(comments),
        declared_count=declared if isinstance(declared, int) else None,
        missing=missing,
        notes=tuple(notes or ()),
        url=link,
        extra={"link": root["url"]} if isinstance(root.get("url"), str) else {},
    )


def parse(obj: object, *, url: str | None = None, max_comments: int | None = None) -> Thread:
    del url
    if obj is None or (isinstance(obj, dict) and obj.get("status") == 404):
        raise NotFoundError("Hacker News has no item with this id.", hint="Check the link.")
    if isinstance(obj, dict) and "children" in obj:
        return _algolia(obj, max_comments)
    if isinstance(obj, dict):
        return _firebase([obj], max_comments)
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        return _firebase(obj, max_comments)
    raise MalformedInput("This Hacker News JSON is neither an Algolia item nor Firebase items.")
