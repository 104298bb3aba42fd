"""Reddit threads, from their public JSON form (a thread URL + ".json") or a saved copy.

The JSON is two listings: the post, then the comment tree. Deleted and removed comments are
counted as missing (their replies stay, attached to the nearest surviving ancestor), and so are
the comments behind "load more" stubs, which the JSON does not include.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.errors import MalformedInput
from bot.sources.json_values import as_list, from_unix
from bot.sources.limit import check_count
from bot.sources.markdown_text import markdown_to_text, prose_paragraphs
from bot.thread import Article, Comment, Thread

_THREAD_PATH = re.compile(r"^/r/(\w+)/comments/(\w+)")
_GONE = frozenset({"[deleted]", "[removed]"})


def looks_like(obj: object) -> bool:
    return (
        isinstance(obj, list)
        and len(obj) == 2
        and all(isinstance(x, dict) and x.get("kind") == "Listing" for x in obj)
    )


def json_url(url: str) -> str | None:
    """The JSON form of a thread URL (any host: old., www., np.), or None if not a thread."""
    # start-up: yarl costs 0.03 s; only a URL needs it, and aiohttp has it loaded then
    from yarl import URL

    parsed = URL(url)
    if not _THREAD_PATH.match(parsed.path):
        return None
    path = parsed.path.rstrip("/") + ".json"
    return str(parsed.with_path(path).with_query({"limit": "500", "raw_json": "1"}))


def _d(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one: saved files are often trimmed."""
    return value if isinstance(value, dict) else {}


def parse(obj: object, *, url: str | None = None, max_comments: int | None = None) -> Thread:
    if not looks_like(obj):
        raise MalformedInput("This Reddit JSON is not a thread (expected a list of two listings).")
    assert isinstance(obj, list)
    posts = _d(obj[0].get("data")).get("children")
    if not isinstance(posts, list) or not posts or not isinstance(posts[0], dict):
        raise MalformedInput("This Reddit JSON has no post in its first listing.")
    post = _d(posts[0].get("data"))
    comments: list[Comment] = []
    missing = 0
    permalink = post.get("permalink")
    base = f"https://www.reddit.com{permalink}" if isinstance(permalink, str) and permalink else url

    # Iterative, depth first in document order: the file, not Python's stack, sets the depth.
    stack: list[tuple[Any, str | None]] = [
        (c, None) for c in reversed(as_list(_d(obj[1].get("data")).get("children")))
    ]
    while stack:
        child, parent = stack.pop()
        kind, data = _d(child).get("kind"), _d(_d(child).get("data"))
        if kind == "more":
            count = data.get("count")
            missing += count if isinstance(count, int) else len(as_list(data.get("children")))
            continue
        if kind != "t1":
            continue
        body = data.get("body")
        replies = reversed(as_list(_d(_d(data.get("replies")).get("data")).get("children")))
        if not isinstance(body, str) or body.strip() in _GONE:
            missing += 1
            stack.extend((c, parent) for c in replies)
            continue
        cid = str(data.get("id"))
        check_count(len(comments) + 1, max_comments)
        author = data.get("author")
        text, spans = markdown_to_text(body)
        comments.append(
            Comment(
                id=cid,
                parent_id=parent,
                text=text,
                spans=spans,
                author=author if isinstance(author, str) and author not in _GONE else None,
                published=from_unix(data.get("created_utc")),
                score=data.get("score") if isinstance(data.get("score"), int) else None,
                url=f"{base.rstrip('/')}/{cid}/" if base else None,
            )
        )
        stack.extend((c, cid) for c in replies)

    selftext = post.get("selftext")
    selftext = selftext if isinstance(selftext, str) else ""
    paragraphs = prose_paragraphs(selftext)
    if not paragraphs and post.get("url") and post.get("url") != base:
        paragraphs = ()
    article = Article(
        title=html.unescape(post["title"])
        if isinstance(post.get("title"), str)
        else post.get("title"),
        paragraphs=paragraphs,
        author=post.get("author"),
        site=f"r/{post['subreddit']}" if isinstance(post.get("subreddit"), str) else "Reddit",
        url=base,
        published=from_unix(post.get("created_utc")),
    )
    return Thread(
        source="reddit",
        article=article,
        comments=tuple(comments),
        declared_count=post.get("num_comments")
        if isinstance(post.get("num_comments"), int)
        else None,
        missing=missing,
        url=base,
        extra={"link": str(post["url"])} if post.get("url") and post.get("url") != base else {},
    )
