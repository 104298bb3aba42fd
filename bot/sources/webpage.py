"""Web pages: the article through trafilatura, the comments from the page's comment markup.

trafilatura finds the article body and its metadata; comments are read separately from the DOM,
as a tree, from the markups most blogs use: WordPress comment lists (`li.comment`, replies in
`ul.children`) and schema.org `Comment` in JSON-LD. A page with no comments is an article with none.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from bot.errors import AccessDenied, BadInput
from bot.thread import Article, Comment, Thread

_COUNT = re.compile(r"^\s*(\d[\d,]*)\s+(?:comments?|responses?|replies|thoughts?)\b", re.I)
_LOGIN_WALL = re.compile(
    r"subscribe to (?:continue|read)|sign in to (?:continue|read)|"
    r"log in to (?:continue|read)|create a free account",
    re.I,
)


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(node: Any) -> str:
    paragraphs = [" ".join(p.text_content().split()) for p in node.iter("p")]
    paragraphs = [p for p in paragraphs if p]
    return "\n\n".join(paragraphs) if paragraphs else " ".join(node.text_content().split())


def _wordpress(tree: Any) -> list[Comment]:
    comments: list[Comment] = []

    def walk(items: list[Any], parent: str | None) -> None:
        for li in items:
            cid = (li.get("id") or f"comment-{len(comments) + 1}").removeprefix("li-")
            author = li.xpath(
                ".//*[contains(@class,'comment-author')][1]//*[contains(@class,'fn')]"
            )
            content = li.xpath(
                ".//*[contains(@class,'comment-content') or contains(@class,'comment-text')][1]"
            )
            when = li.xpath(".//time[@datetime][1]/@datetime")
            if content:
                comments.append(
                    Comment(
                        id=cid,
                        parent_id=parent,
                        text=_text(content[0]),
                        author=" ".join(author[0].text_content().split()) if author else None,
                        published=_date(str(when[0])) if when else None,
                    )
                )
            walk(
                li.xpath(
                    "./ul[contains(@class,'children')]/li | ./ol[contains(@class,'children')]/li"
                ),
                cid,
            )

    walk(
        tree.xpath("//ol[contains(@class,'comment-list') or contains(@class,'commentlist')]/li"),
        None,
    )
    return comments


def _json_ld(tree: Any) -> list[Comment]:
    comments: list[Comment] = []

    def walk(items: Any, parent: str | None) -> None:
        # Iterative, in document order: the page, not Python's stack, sets the depth.
        stack = [(item, parent) for item in reversed(items if isinstance(items, list) else [items])]
        while stack:
            item, above = stack.pop()
            if not isinstance(item, dict) or item.get("@type") != "Comment":
                continue
            cid = str(item.get("@id") or item.get("url") or f"c{len(comments) + 1}")
            author = item.get("author")
            name = author.get("name") if isinstance(author, dict) else author
            text = item.get("text") or item.get("description") or ""
            if isinstance(text, str) and text.strip():
                comments.append(
                    Comment(
                        id=cid,
                        parent_id=above,
                        text=text.strip(),
                        author=name if isinstance(name, str) else None,
                        published=_date(item.get("dateCreated")),
                    )
                )
            replies = item.get("comment", [])
            replies = replies if isinstance(replies, list) else [replies]
            stack.extend((reply, cid) for reply in reversed(replies))

    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except (json.JSONDecodeError, RecursionError):
            continue
        graph = data.get("@graph", [data]) if isinstance(data, dict) else data
        for node in graph if isinstance(graph, list) else []:
            if isinstance(node, dict):
                walk(node.get("comment", []), None)
    return comments


def parse(html: str, *, url: str | None = None) -> Thread:
    import lxml.html
    import trafilatura

    if not html.strip():
        raise BadInput("The page is empty.")
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        # lxml finds no document in a page of only markup ("<html"): a page with nothing in it.
        raise BadInput(
            "I found no article text and no comments on this page.",
            hint="Link to the article itself, or upload a copy of the page.",
        ) from None
    document = trafilatura.bare_extraction(
        html, url=url, include_comments=False, with_metadata=True
    )
    text = (getattr(document, "text", None) or "") if document is not None else ""
    title = getattr(document, "title", None) if document is not None else None
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    comments = _wordpress(tree) or _json_ld(tree)
    if len(" ".join(paragraphs).split()) < 60 and _LOGIN_WALL.search(tree.text_content()):
        raise AccessDenied(
            "This page hides its text behind a login or subscription.",
            hint="Copy the page as text and upload it instead.",
        )
    if not paragraphs and not comments:
        raise BadInput(
            "I found no article text and no comments on this page.",
            hint="Link to the article itself, or upload a copy of the page.",
        )
    declared = None
    for heading in tree.xpath("//h2|//h3"):
        match = _COUNT.match(heading.text_content())
        if match:
            declared = int(match.group(1).replace(",", ""))
            break
    closed = True if re.search(r"comments are closed", tree.text_content(), re.I) else None
    article = Article(
        title=title,
        paragraphs=tuple(paragraphs),
        author=getattr(document, "author", None),
        site=getattr(document, "sitename", None),
        url=url,
        published=_date(getattr(document, "date", None)),
    )
    return Thread(
        source="web-page",
        article=article,
        comments=tuple(comments),
        declared_count=declared,
        closed=closed,
        url=url,
    )
