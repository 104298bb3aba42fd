"""Discourse topics, from `/t/<slug>/<id>.json` (or a saved copy).

The first post is the article; replies nest by `reply_to_post_number`. A topic's JSON carries
only its first posts: `missing_post_ids` names the rest, which the URL reader fetches in chunks of
20 from `/t/<id>/posts.json` and `merge_posts` adds.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import MalformedInput
from bot.sources.dates import iso_date
from bot.sources.html_text import html_to_text
from bot.thread import Article, Comment, Thread

_TOPIC = re.compile(r"^/t/(?:[^/]+/)?(\d+)")


_NOTICES = frozenset({2, 3})
"""post_type 2 (moderator action) and 3 (small action: "pinned this topic", "split 2 posts"):
Discourse's notices, written into the stream as posts but nobody's comment."""


def looks_like(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("post_stream"), dict)


def json_url(url: str) -> str | None:
    # start-up: yarl costs 0.03 s; only a URL needs it, and aiohttp has it loaded then
    from yarl import URL

    parsed = URL(url)
    match = _TOPIC.match(parsed.path)
    if match is None:
        return None
    return str(parsed.with_path(f"/t/{match.group(1)}.json").with_query(None))


def posts_url(topic_json_url: str, ids: list[int]) -> str:
    # start-up: yarl, as above
    from yarl import URL

    base = URL(topic_json_url)
    topic = base.path.removeprefix("/t/").removesuffix(".json")
    return str(
        base.with_path(f"/t/{topic}/posts.json").with_query([("post_ids[]", str(i)) for i in ids])
    )


def _posts(obj: dict[str, Any]) -> list[dict[str, Any]]:
    stream = obj.get("post_stream")
    posts = stream.get("posts") if isinstance(stream, dict) else None
    return [p for p in posts if isinstance(p, dict)] if isinstance(posts, list) else []


def missing_post_ids(obj: dict[str, Any]) -> list[int]:
    stream = obj.get("post_stream")
    ids = stream.get("stream") if isinstance(stream, dict) else None
    have = {p.get("id") for p in _posts(obj) if isinstance(p.get("id"), int)}
    return [i for i in ids if isinstance(i, int) and i not in have] if isinstance(ids, list) else []


def merge_posts(obj: dict[str, Any], more: object) -> dict[str, Any]:
    """The topic with the posts of a `posts.json` answer added."""
    extra = _posts(more) if isinstance(more, dict) else []
    stream = dict(obj.get("post_stream") or {})
    stream["posts"] = _posts(obj) + extra
    return {**obj, "post_stream": stream}


def _html(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> int | None:
    """A post number: Discourse's are integers; a saved file may hold anything."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse(obj: object, *, url: str | None = None) -> Thread:
    if not isinstance(obj, dict) or not looks_like(obj):
        raise MalformedInput("This Discourse JSON has no post_stream.")
    posts = sorted(_posts(obj), key=lambda p: _number(p.get("post_number")) or 0)
    if not posts:
        raise MalformedInput("This Discourse topic JSON has no posts.")
    first, replies = posts[0], posts[1:]
    base = url.split("?")[0].removesuffix(".json") if url else None
    numbers = {_number(p.get("post_number")): str(p.get("id")) for p in posts}
    comments = []
    notices = 0
    for post in replies:
        if post.get("post_type") in _NOTICES:
            notices += 1
            continue
        text, spans = html_to_text(_html(post.get("cooked")))
        if not text:
            continue
        parent = numbers.get(_number(post.get("reply_to_post_number")))
        likes = post.get("like_count")
        comments.append(
            Comment(
                id=str(post.get("id")),
                text=text,
                spans=spans,
                parent_id=parent if parent != str(first.get("id")) else None,
                author=post.get("name") or post.get("username"),
                published=iso_date(post.get("created_at")),
                score=likes if isinstance(likes, int) else None,
                url=f"{base}/{post.get('post_number')}" if base else None,
            )
        )
    body, _ = html_to_text(_html(first.get("cooked")))
    article = Article(
        title=obj.get("title") if isinstance(obj.get("title"), str) else None,
        paragraphs=tuple(p for p in body.split("\n\n") if p),
        author=first.get("name") or first.get("username"),
        url=base,
        published=iso_date(first.get("created_at")),
    )
    declared = obj.get("posts_count")
    notes = []
    if notices:
        notes.append(
            f"{notices} moderator notice{'s' if notices != 1 else ''} (pinned, closed, split "
            "or moved posts) not counted as comments."
        )
    return Thread(
        source="discourse",
        article=article,
        comments=tuple(comments),
        # posts_count counts the first post and the notices: neither is a reply
        declared_count=max(0, declared - 1 - notices) if isinstance(declared, int) else None,
        notes=tuple(notes),
        missing=len(missing_post_ids(obj)),
        closed=True if obj.get("closed") is True else None,
        url=base,
    )
