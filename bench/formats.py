"""One generated thread written in each major input format, for measuring the parsers at scale.

The layouts follow what each reader expects (and what real exports look like): a text copy of a
page with "says:" author lines over a date and replies indented, Reddit's two listings, Hacker
News's Algolia item tree, a WordPress WXR export and a Disqus export. The text is the generated
thread's own, so every format carries the same comments.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.sax.saxutils import escape

from bot.thread import Comment, Thread


def _tree(thread: Thread) -> tuple[dict[str | None, list[Comment]], list[Comment]]:
    """Replies under each comment id (None: top level), and the comments in reading order."""
    ids = {c.id for c in thread.comments}
    children: dict[str | None, list[Comment]] = {}
    for c in thread.comments:
        children.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    order: list[Comment] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        c = stack.pop()
        order.append(c)
        stack.extend(reversed(children.get(c.id, [])))
    return children, order


def text_dump(thread: Thread) -> bytes:
    """A page copied as text: title, byline, paragraphs, "N Responses", indented comments."""
    article = thread.article
    lines: list[str] = []
    if article is not None:
        lines += [article.title or "Untitled", "", f"By {article.author or 'Someone'}", ""]
        for paragraph in article.paragraphs:
            lines += [paragraph, ""]
    lines += [f"{len(thread.comments)} Responses", ""]
    depth: dict[str, int] = {}
    _, order = _tree(thread)
    for c in order:
        d = depth[c.id] = depth[c.parent_id] + 1 if c.parent_id in depth else 0
        pad = "    " * d
        lines += [
            f"{pad}{c.author or 'Anonymous'} says:",
            f"{pad}November 3, 2016 at 9:1{d % 10} am",
        ]
        for paragraph in c.text.split("\n\n"):
            lines += [f"{pad}{paragraph}", ""]
        lines += [f"{pad}Reply", ""]
    return "\n".join(lines).encode()


def reddit(thread: Thread) -> bytes:
    children, _ = _tree(thread)
    article = thread.article

    def node(c: Comment) -> dict[str, object]:
        return {
            "kind": "t1",
            "data": {
                "id": c.id,
                "body": c.text,
                "author": c.author,
                "score": c.score,
                "created_utc": 1478000000,
                "replies": "",
            },
        }

    nodes = {c.id: node(c) for c in thread.comments}
    for parent, kids in children.items():
        if parent is None:
            continue
        nodes[parent]["data"]["replies"] = {  # type: ignore[index]
            "kind": "Listing",
            "data": {"children": [nodes[k.id] for k in kids]},
        }
    post = {
        "kind": "t3",
        "data": {
            "title": article.title if article else "A thread",
            "selftext": article.text if article else "",
            "author": "poster",
            "subreddit": "bench",
            "permalink": "/r/bench/comments/abc/a_thread/",
            "num_comments": len(thread.comments),
            "created_utc": 1478000000,
        },
    }
    top = [nodes[c.id] for c in children.get(None, [])]
    return json.dumps(
        [
            {"kind": "Listing", "data": {"children": [post]}},
            {"kind": "Listing", "data": {"children": top}},
        ]
    ).encode()


def _html(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))


def hackernews(thread: Thread) -> bytes:
    children, _ = _tree(thread)
    nodes = {
        c.id: {
            "id": i + 2,
            "author": c.author or "someone",
            "text": _html(c.text),
            "created_at_i": 1478000000 + i,
            "points": None,
            "children": [],
        }
        for i, c in enumerate(thread.comments)
    }
    for parent, kids in children.items():
        if parent is not None:
            nodes[parent]["children"] = [nodes[k.id] for k in kids]
    article = thread.article
    root = {
        "id": 1,
        "title": article.title if article else "A thread",
        "author": "poster",
        "created_at_i": 1478000000,
        "points": 100,
        "text": _html(article.text) if article else None,
        "children": [nodes[c.id] for c in children.get(None, [])],
    }
    return json.dumps(root).encode()


def wxr(thread: Thread) -> bytes:
    article = thread.article
    numbers = {c.id: str(i + 1) for i, c in enumerate(thread.comments)}
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>Bench blog</title>\n'
        f"<item><title>{escape(article.title or '') if article else ''}</title>"
        "<link>https://blog.example/tram/</link><dc:creator>writer</dc:creator>"
        f"<content:encoded><![CDATA[{article.text if article else ''}]]></content:encoded>"
        "<wp:post_name>tram</wp:post_name><wp:post_type>post</wp:post_type>"
        "<wp:status>publish</wp:status><wp:comment_status>open</wp:comment_status>"
        "<wp:post_date_gmt>2016-11-03 09:00:00</wp:post_date_gmt>\n"
    ]
    for c in thread.comments:
        parent = numbers.get(c.parent_id or "", "0")
        parts.append(
            f"<wp:comment><wp:comment_id>{numbers[c.id]}</wp:comment_id>"
            f"<wp:comment_author><![CDATA[{c.author or ''}]]></wp:comment_author>"
            "<wp:comment_date_gmt>2016-11-03 10:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[{c.text}]]></wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
        )
    parts.append("</item></channel></rss>\n")
    return "".join(parts).encode()


def disqus(thread: Thread) -> bytes:
    article = thread.article
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="t1"><link>https://blog.example/tram/</link>'
        f"<title>{escape(article.title or '') if article else ''}</title>"
        f"<message>{escape(_html(article.text)) if article else ''}</message>"
        "<createdAt>2016-11-03T09:00:00Z</createdAt><isClosed>false</isClosed></thread>\n"
    ]
    for c in thread.comments:
        parent = f'<parent dsq:id="{c.parent_id}"/>' if c.parent_id else ""
        parts.append(
            f'<post dsq:id="{c.id}"><message>{escape(_html(c.text))}</message>'
            "<createdAt>2016-11-03T10:00:00Z</createdAt><isDeleted>false</isDeleted>"
            f"<isSpam>false</isSpam><author><name>{escape(c.author or '')}</name></author>"
            f'<thread dsq:id="t1"/>{parent}</post>\n'
        )
    parts.append("</disqus>\n")
    return "".join(parts).encode()


def own_json(thread: Thread) -> bytes:
    from bot.render.json import thread_dict

    return json.dumps({"source": "bench", **thread_dict(thread)}).encode()


FORMATS: dict[str, Callable[[Thread], bytes]] = {
    "text": text_dump,
    "json": own_json,
    "reddit": reddit,
    "hn": hackernews,
    "wxr": wxr,
    "disqus": disqus,
}
