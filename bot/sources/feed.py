"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: items, and an item's comment feed where it has one.

A feed is a list of articles; briefing one means picking an item (the newest by default, or one
named by title or link) and, where the item links a comment feed (`wfw:commentRss`), reading that
feed's entries as its comments. Digests read feeds through the same `FeedItem`s.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr, parsedate_to_datetime
from xml.etree.ElementTree import Element

from bot.errors import BadInput, NotFoundError
from bot.sources.dates import iso_date
from bot.sources.html_text import html_to_text
from bot.sources.safexml import parse_forgiving
from bot.thread import Article, Comment, Thread

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
WFW = "{http://wellformedweb.org/CommentAPI/}commentRss"
SLASH = "{http://purl.org/rss/1.0/modules/slash/}comments"


@dataclass(frozen=True, slots=True)
class FeedItem:
    guid: str
    title: str | None
    link: str | None
    published: datetime | None
    author: str | None
    content_html: str
    comments_feed: str | None = None
    comment_count: int | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    link: str | None
    items: tuple[FeedItem, ...]
    repaired: bool = False
    """The feed was not well-formed XML and was read as feed readers read it."""


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    if (iso := iso_date(value)) is not None:
        return iso
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        loose = _loose_date(value)
        if loose is None:
            return None
        parsed = loose
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_LOOSE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%a, %d %b %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y-%m-%d %H:%M:%S",
)
"""Dates feeds write outside RFC 822 and ISO 8601: "30 Nov 2026", "November 30, 2026"."""


def _loose_date(value: str) -> datetime | None:
    cleaned = " ".join(value.replace(",", ", ").split()).replace(" ,", ",")
    for form in _LOOSE_FORMATS:
        try:
            return datetime.strptime(cleaned, form)
        except ValueError:
            continue
    return None


def _text(element: Element, *names: str) -> str | None:
    for name in names:
        found = element.find(name)
        if found is not None and (found.text or "").strip():
            return (found.text or "").strip()
    return None


def _rss_author(value: str | None) -> str | None:
    """RSS 2.0's `<author>` is an address with the name in brackets: "clerk@example.org (Maren
    Holt)"; the name is who wrote it."""
    if value and "@" in value:
        name, address = parseaddr(value)
        return name or address or value
    return value


def _atom_link(entry: Element) -> str | None:
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            return link.get("href")
    return None


def _item(element: Element, atom: bool) -> FeedItem:
    if atom:
        link = _atom_link(element)
        title = _text(element, f"{ATOM}title")
        body = _text(element, f"{ATOM}content", f"{ATOM}summary") or ""
        author = _text(element, f"{ATOM}author/{ATOM}name")
        published = _date(_text(element, f"{ATOM}published", f"{ATOM}updated"))
        guid = _text(element, f"{ATOM}id")
    else:
        prefix = RSS1 if element.tag.startswith(RSS1) else ""
        link = _text(element, f"{prefix}link")
        title = _text(element, f"{prefix}title")
        body = _text(element, CONTENT, f"{prefix}description") or ""
        author = _rss_author(_text(element, f"{DC}creator", "author"))
        published = _date(_text(element, "pubDate", f"{DC}date"))
        guid = _text(element, "guid") or element.get(
            "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
        )
    count = _text(element, SLASH)
    return FeedItem(
        guid=guid or link or hashlib.sha256(f"{title}{body}".encode()).hexdigest()[:16],
        title=title,
        link=link,
        published=published,
        author=author,
        content_html=body,
        comments_feed=_text(element, WFW),
        comment_count=int(count) if count and count.isdigit() else None,
    )


def parse_feed(data: bytes, *, url: str | None = None, allow_empty: bool = False) -> Feed:
    root, repaired = parse_forgiving(data, "feed")
    if root.tag == f"{ATOM}feed":
        items = tuple(_item(e, True) for e in root.findall(f"{ATOM}entry"))
        feed = Feed(_text(root, f"{ATOM}title"), _atom_link(root) or url, items, repaired)
    else:
        channel = root.find("channel")
        if channel is None:
            channel = root.find(f"{RSS1}channel")
        elements = root.findall("channel/item") or root.findall(f"{RSS1}item")
        items = tuple(_item(e, False) for e in elements)
        title = _text(channel, "title", f"{RSS1}title") if channel is not None else None
        link = _text(channel, "link", f"{RSS1}link") if channel is not None else None
        feed = Feed(title, link or url, items, repaired)
    if not feed.items and not allow_empty:
        raise BadInput("This feed has no items.", hint="Check that the feed is not empty.")
    return feed


def pick_item(feed: Feed, pick: str | None = None) -> FeedItem:
    """The newest item, or the one whose title or link matches `pick`."""
    if pick is None:
        dated = [i for i in feed.items if i.published is not None]
        return max(dated, key=lambda i: i.published) if dated else feed.items[0]  # type: ignore[arg-type,return-value]
    wanted = pick.strip().lower()
    for item in feed.items:
        if (
            wanted in ((item.title or "").lower(), (item.link or "").lower())
            or wanted in (item.title or "").lower()
        ):
            return item
    raise NotFoundError(
        f'No item in this feed matches "{pick}".', hint=f'Items include "{feed.items[0].title}".'
    )


_IN_REPLY_TO = re.compile(
    r"\s{0,20}<p>\s{0,20}In reply to <a [^>]{0,300}?href=[\"'][^\"'#]{0,500}"
    r"#(comment-\d{1,20})[\"'][^>]{0,300}>[^<]{0,200}</a>\.?\s{0,20}</p>"
)
"""WordPress comment feeds open a reply with "In reply to <a href="...#comment-N">X</a>.": the
nesting, not the commenter's words."""


def item_thread(
    item: FeedItem, feed: Feed, comments: Feed | None = None, *, comments_failed: str | None = None
) -> Thread:
    """The item as a thread, its comment feed's entries as comments. `comments_failed` says why
    a comment feed could not be read; the item is briefed without it, and a note says so."""
    text, _ = html_to_text(item.content_html)
    article = Article(
        title=item.title,
        paragraphs=tuple(p for p in text.split("\n\n") if p),
        author=item.author,
        site=feed.title,
        url=item.link,
        published=item.published,
    )
    entries = comments.items if comments is not None else ()
    thread_comments = []
    by_link = {
        e.link.rsplit("#", 1)[-1]: e.guid or str(n) for n, e in enumerate(entries, 1) if e.link
    }
    for n, entry in enumerate(entries, 1):
        content, parent = entry.content_html, None
        if (reply := _IN_REPLY_TO.match(content)) is not None:
            content, parent = content[reply.end() :], by_link.get(reply.group(1))
        body, spans = html_to_text(content)
        if body:
            thread_comments.append(
                Comment(
                    id=entry.guid or str(n),
                    text=body,
                    spans=spans,
                    parent_id=parent,
                    author=entry.author,
                    published=entry.published,
                    url=entry.link,
                )
            )
    notes = []
    if feed.repaired or (comments is not None and comments.repaired):
        notes.append(
            "The feed is not well-formed XML (a bare & or an HTML entity); read as feed readers "
            "read it."
        )
    if comments_failed is not None:
        notes.append(
            f"Its comment feed ({item.comments_feed}) could not be read: {comments_failed} "
            "Briefed the item without its comments."
        )
    elif comments is None and item.comments_feed:
        notes.append(
            f"Its comments are in a separate feed ({item.comments_feed}), which a file does not "
            "hold; brief the feed's URL to read them too."
        )
    return Thread(
        source="feed",
        article=article,
        comments=tuple(thread_comments),
        declared_count=item.comment_count,
        notes=tuple(notes),
        url=item.link,
    )
