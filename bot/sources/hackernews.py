"""Hacker News threads: Algolia's items API (the whole tree in one answer) or Firebase items.

Comment text is HTML; quoted lines ("> ...") become quotation spans. Dead and deleted items count
as missing.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import MalformedInput, NotFound
from bot.sources.html_text import html_to_text
from bot.sources.json_values import from_unix
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


def _algolia(root: dict[str, Any]) -> Thread:
    comments: list[Comment] = []
    missing = 0

    def walk(children: Any, parent: str | None) -> None:
        nonlocal missing
        for child in children if isinstance(children, list) else []:
            if not isinstance(child, dict):
                continue
            if not child.get("text") or not child.get("author"):
                missing += 1
                walk(child.get("children"), parent)
                continue
            text, spans = html_to_text(child["text"])
            cid = str(child.get("id"))
            comments.append(
                Comment(
                    id=cid,
                    parent_id=parent,
                    text=text,
                    spans=spans,
                    author=child.get("author"),
                    published=from_unix(child.get("created_at_i")),
                    score=child.get("points"),
                    url=_link(cid),
                )
            )
            walk(child.get("children"), cid)

    walk(root.get("children"), None)
    return _thread(
        root, root.get("author"), root.get("created_at_i"), root.get("points"), comments, missing
    )


def _firebase(items: list[dict[str, Any]]) -> Thread:
    by_id = {i["id"]: i for i in items if isinstance(i, dict) and isinstance(i.get("id"), int)}
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

    def walk(kids: Any, parent: str | None) -> None:
        nonlocal missing
        for kid in kids if isinstance(kids, list) else []:
            item = by_id.get(kid)
            if item is None or item.get("dead") or item.get("deleted") or not item.get("text"):
                missing += 1
                if item is not None:
                    walk(item.get("kids"), parent)
                continue
            text, spans = html_to_text(item["text"])
            cid = str(item["id"])
            comments.append(
                Comment(
                    id=cid,
                    parent_id=parent,
                    text=text,
                    spans=spans,
                    author=item.get("by"),
                    published=from_unix(item.get("time")),
                    score=item.get("score"),
                    url=_link(cid),
                )
            )
            walk(item.get("kids"), cid)

    walk(root.get("kids"), None)
    thread = _thread(root, root.get("by"), root.get("time"), root.get("score"), comments, missing)
    return thread


def _thread(
    root: dict[str, Any], author: Any, when: Any, points: Any, comments: list[Comment], missing: int
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
        url=link,
        extra={"link": root["url"]} if isinstance(root.get("url"), str) else {},
    )


def parse(obj: object, *, url: str | None = None) -> Thread:
    del url
    if obj is None or (isinstance(obj, dict) and obj.get("status") == 404):
        raise NotFound("Hacker News has no item with this id.", hint="Check the link.")
    if isinstance(obj, dict) and "children" in obj:
        return _algolia(obj)
    if isinstance(obj, dict):
        return _firebase([obj])
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        return _firebase(obj)
    raise MalformedInput("This Hacker News JSON is neither an Algolia item nor Firebase items.")
