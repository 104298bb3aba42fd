"""Seed documents of every format ThreadBrief reads, written for the fuzzer with our own text.

Each seed builder takes a random source and returns `(bytes, expected)`: `expected` is how many
comments a correct reader must account for (shown plus counted missing), where the builder knows
it, else None. Builders vary the shape that breaks readers: reply links that loop, repeated ids,
parents that are absent, deep nesting.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

SENTENCES = (
    "The council should fund the tram line before the budget grows again.",
    "Taxpayers always pay for the overruns of projects like this one.",
    "The old town is choked with cars every morning and the air is bad.",
    "Shops on Market Street will lose customers during four years of works.",
    "A compensation fund that pays a year late will not pay anyone's rent.",
    "Buses would do the same job for a tenth of the price.",
    "Het budget is veel te hoog voor een stad van deze omvang.",
    "Le tramway réduira la circulation dans le centre-ville.",
    "Die Straßenbahn ist teuer, aber sie lohnt sich langfristig.",
    "Трамвай нужен городу, но бюджет слишком велик.",
    "路面電車は便利ですが、費用が高すぎます。",
    "> Quoted: the tram will cut traffic.\n\nI doubt that very much.",
)

Seed = Callable[[random.Random], tuple[bytes, int | None]]


def _text(rng: random.Random, most: int = 3) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, most)))


def _parents(rng: random.Random, n: int) -> list[int | None]:
    """A parent index per comment: mostly earlier ones, sometimes later, itself, or absent."""
    out: list[int | None] = []
    for i in range(n):
        roll = rng.random()
        if i == 0 or roll < 0.3:
            out.append(None)
        elif roll < 0.8:
            out.append(rng.randrange(i))
        elif roll < 0.9:
            out.append(rng.randrange(n))  # later, or a loop
        elif roll < 0.95:
            out.append(i)  # its own parent
        else:
            out.append(n + 100)  # a parent that is not in the file
    return out


# --- JSON -------------------------------------------------------------------------------------


def own_json(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(0, 12)
    ids = [str(rng.randint(1, n + 2)) if rng.random() < 0.1 else f"c{i}" for i in range(n)]
    parents = _parents(rng, n)
    comments = [
        {
            "id": ids[i],
            "text": _text(rng),
            "author": rng.choice(["ana", "bo", None, "cy"]),
            "parent_id": None if p is None else (ids[p] if p < n else f"gone{p}"),
            "score": rng.choice([None, 0, 3, 12]),
        }
        for i, p in enumerate(parents)
    ]
    doc = {"article": {"title": "Tram vote", "paragraphs": [_text(rng, 5)]}, "comments": comments}
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode(), n


def hn_firebase(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(0, 12)
    kids: dict[int, list[int]] = {i: [] for i in range(1, n + 2)}
    for i in range(2, n + 2):
        parent = rng.choice([1, 1, rng.randint(1, n + 1)])
        kids[parent].append(i)
    items = [{"id": 1, "type": "story", "by": "op", "title": "Ask HN: trams?", "kids": kids[1]}]
    items += [
        {"id": i, "type": "comment", "by": f"u{i}", "text": f"<p>{_text(rng)}</p>", "kids": kids[i]}
        for i in range(2, n + 2)
    ]
    rng.shuffle(items)
    return json.dumps(items).encode(), n


def hn_algolia(rng: random.Random) -> tuple[bytes, int | None]:
    count = 0

    def node(depth: int) -> dict[str, object]:
        nonlocal count
        count += 1
        children = [node(depth + 1) for _ in range(rng.randint(0, 2 if depth < 6 else 0))]
        return {
            "id": 100 + count,
            "author": f"u{count}",
            "text": f"<p>{escape(_text(rng))}</p>",
            "points": rng.choice([None, 1, 5]),
            "created_at_i": 1_700_000_000 + count,
            "children": children,
        }

    root = {
        "id": 1,
        "title": "Show HN: tram timetable",
        "author": "op",
        "created_at_i": 1_700_000_000,
        "points": 3,
        "text": f"<p>{_text(rng, 4)}</p>",
        "children": [node(0) for _ in range(rng.randint(0, 4))],
    }
    return json.dumps(root).encode(), count


def reddit(rng: random.Random) -> tuple[bytes, int | None]:
    count = 0

    def t1(depth: int) -> dict[str, object]:
        nonlocal count
        count += 1
        replies = [t1(depth + 1) for _ in range(rng.randint(0, 2 if depth < 5 else 0))]
        return {
            "kind": "t1",
            "data": {
                "id": f"k{count}",
                "body": _text(rng),
                "author": rng.choice(["a", "b", "[deleted]"]),
                "score": rng.randint(-5, 50),
                "created_utc": 1_700_000_000 + count,
                "replies": {"kind": "Listing", "data": {"children": replies}} if replies else "",
            },
        }

    post = {"title": "Tram vote", "selftext": _text(rng, 4), "permalink": "/r/city/comments/x/t/"}
    listing = [
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post}]}},
        {"kind": "Listing", "data": {"children": [t1(0) for _ in range(rng.randint(0, 4))]}},
    ]
    return json.dumps(listing).encode(), count


def discourse(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(1, 10)
    posts = [
        {
            "id": 10 + i,
            "post_number": i + 1,
            "username": f"u{i}",
            "cooked": f"<p>{escape(_text(rng))}</p>",
            "reply_to_post_number": rng.choice([None, rng.randint(1, n)]),
            "created_at": "2024-05-03T10:00:00.000Z",
            "like_count": rng.randint(0, 4),
        }
        for i in range(n)
    ]
    topic = {"title": "Tram", "posts_count": n, "post_stream": {"posts": posts, "stream": []}}
    return json.dumps(topic).encode(), n - 1


def mastodon(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(0, 8)
    status = {"id": "1", "content": f"<p>{_text(rng)}</p>", "account": {"acct": "op"}}
    descendants = [
        {
            "id": str(i + 2),
            "in_reply_to_id": str(rng.randint(1, n + 1)),
            "content": f"<p>{escape(_text(rng))}</p>",
            "account": {"display_name": f"U{i}", "acct": f"u{i}"},
            "created_at": "2024-05-03T10:00:00Z",
        }
        for i in range(n)
    ]
    saved = {"status": status, "context": {"ancestors": [], "descendants": descendants}}
    return json.dumps(saved).encode(), n


def discord_export(rng: random.Random) -> tuple[bytes, int | None]:
    del rng
    return (FIXTURES / "discord-export.json").read_bytes(), None


# --- XML --------------------------------------------------------------------------------------


def wxr(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(0, 12)
    parents = _parents(rng, n)
    comments = "".join(
        "<wp:comment>"
        f"<wp:comment_id>{i + 1}</wp:comment_id>"
        f"<wp:comment_author>u{i}</wp:comment_author>"
        f"<wp:comment_date_gmt>2024-05-0{1 + i % 9} 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content>{escape(_text(rng))}</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_type>{rng.choice(['', 'comment', 'pingback'])}</wp:comment_type>"
        f"<wp:comment_parent>{0 if p is None else p + 1}</wp:comment_parent>"
        "</wp:comment>"
        for i, p in enumerate(parents)
    )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>Town blog</title>\n'
        "<item><title>Tram vote</title><link>https://blog.example/tram</link>"
        "<dc:creator>editor</dc:creator>"
        f"<content:encoded><![CDATA[{_text(rng, 5)}\n\n{_text(rng, 3)}]]></content:encoded>"
        "<wp:post_name>tram-vote</wp:post_name><wp:post_type>post</wp:post_type>"
        "<wp:status>publish</wp:status>"
        f"{comments}</item></channel></rss>\n"
    )
    return doc.encode(), n


def disqus(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(0, 12)
    parents = _parents(rng, n)
    posts = "".join(
        f'<post dsq:id="p{i}"><message>{escape(_text(rng))}</message>'
        f'<createdAt>2024-05-03T10:0{i % 10}:00Z</createdAt><thread dsq:id="t1"/>'
        + ("" if p is None else f'<parent dsq:id="p{p}"/>')
        + f"<author><name>u{i}</name></author></post>"
        for i, p in enumerate(parents)
    )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="t1"><title>Tram vote</title><link>https://news.example/tram</link>'
        f"<message>{escape(_text(rng, 4))}</message></thread>{posts}</disqus>"
    )
    return doc.encode(), n


def rss(rng: random.Random) -> tuple[bytes, int | None]:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.example/{i}</link>"
        f"<description>{escape(_text(rng, 4))}</description>"
        f"<pubDate>Fri, 03 May 2024 1{i % 10}:00:00 GMT</pubDate></item>"
        for i in range(rng.randint(1, 4))
    )
    doc = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"{items}</channel></rss>"
    )
    return doc.encode(), None


def atom(rng: random.Random) -> tuple[bytes, int | None]:
    del rng
    return (FIXTURES / "feed.atom").read_bytes(), None


# --- HTML -------------------------------------------------------------------------------------


def wordpress_page(rng: random.Random) -> tuple[bytes, int | None]:
    if rng.random() < 0.3:
        return (FIXTURES / "wordpress-post.html").read_bytes(), None
    count = 0

    def li(depth: int) -> str:
        nonlocal count
        count += 1
        number = count
        replies = "".join(li(depth + 1) for _ in range(rng.randint(0, 2 if depth < 4 else 0)))
        children = f'<ul class="children">{replies}</ul>' if replies else ""
        return (
            f'<li id="comment-{number}" class="comment"><div class="comment-author">'
            f'<cite class="fn">U{number}</cite></div><time datetime="2024-05-03T10:00:00Z">'
            f'</time><div class="comment-content"><p>{escape(_text(rng))}</p></div>'
            f"{children}</li>"
        )

    comments = "".join(li(0) for _ in range(rng.randint(0, 4)))
    page = (
        "<!doctype html><html><head><title>Tram vote</title></head><body><article>"
        f"<h1>Tram vote</h1><p>{escape(_text(rng, 4))}</p><p>{escape(_text(rng, 4))}</p>"
        f'</article><h2>{count} Comments</h2><ol class="comment-list">{comments}</ol>'
        "</body></html>"
    )
    return page.encode(), count


def json_ld_page(rng: random.Random) -> tuple[bytes, int | None]:
    count = 0

    def comment(depth: int) -> dict[str, object]:
        nonlocal count
        count += 1
        replies = [comment(depth + 1) for _ in range(rng.randint(0, 2 if depth < 4 else 0))]
        return {
            "@type": "Comment",
            "@id": f"#c{count}",
            "text": _text(rng),
            "author": {"@type": "Person", "name": f"U{count}"},
            "dateCreated": "2024-05-03T10:00:00Z",
            "comment": replies,
        }

    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Tram"}
    data["comment"] = [comment(0) for _ in range(rng.randint(0, 4))]
    script = json.dumps(data).replace("</", "<\\/")
    page = (
        f'<html><head><script type="application/ld+json">{script}</script></head><body>'
        f"<article><p>{escape(_text(rng, 5))}</p></article></body></html>"
    )
    return page.encode(), count


# --- mail -------------------------------------------------------------------------------------


def mbox(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(1, 8)
    parents = _parents(rng, n)
    out = []
    for i, p in enumerate(parents):
        reply = "" if p is None else f"In-Reply-To: <m{p}@lists.example>\n"
        quote = "\n> " + rng.choice(SENTENCES) if rng.random() < 0.3 else ""
        out.append(
            f"From u{i}@lists.example Fri May  3 10:0{i}:00 2024\n"
            f"From: User {i} <u{i}@lists.example>\nSubject: Re: tram vote\n"
            f"Date: Fri, 3 May 2024 10:0{i}:00 +0000\nMessage-ID: <m{i}@lists.example>\n"
            f"{reply}Content-Type: text/plain; charset=utf-8\n\n{_text(rng)}{quote}\n\n"
            "Regards,\nUser\n"
        )
    return "\n".join(out).encode(), n


def one_line_dump(rng: random.Random) -> tuple[bytes, int | None]:
    n = rng.randint(1, 6)
    messages = [
        f'Name: "User {i}" Email: "u{i}@lists.example" To: list@lists.example '
        f'Subject: "Re: tram vote" {_text(rng)}     {_text(rng)}'
        for i in range(n)
    ]
    return "</s>".join(messages).encode(), n


# --- text -------------------------------------------------------------------------------------


def text_dump(rng: random.Random) -> tuple[bytes, int | None]:
    if rng.random() < 0.4:
        return (FIXTURES / "tram-vote.txt").read_bytes(), None
    n = rng.randint(1, 8)
    body = "\n\n".join(_text(rng, 4) for _ in range(rng.randint(1, 4)))
    comments = "\n\n".join(
        rng.choice([f"{i + 1}. {_text(rng)}", f"U{i} says:\n{_text(rng)}", f"  • {_text(rng)}"])
        for i in range(n)
    )
    return f"Tram vote\n\nBy Ann | Courier\n\n{body}\n\n{n} Comments\n\n{comments}\n".encode(), None


FAMILIES: dict[str, tuple[Seed, ...]] = {
    "json": (own_json, hn_firebase, hn_algolia, reddit, discourse, mastodon, discord_export),
    "xml": (wxr, disqus, rss, atom),
    "html": (wordpress_page, json_ld_page),
    "mail": (mbox, one_line_dump),
    "text": (text_dump,),
}
