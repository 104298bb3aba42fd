"""What a multi-thread file holds: the posts of an export, the items of a feed, an mbox's threads.

`threadbrief list FILE` prints these, busiest first, so a user can choose one with `--pick`
instead of guessing titles. Files that hold a single thread say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import BadInput
from bot.sources import decode, disqus, feed, mailinglist, wxr, xml_kind


@dataclass(frozen=True, slots=True)
class Entry:
    """One post, item or thread: what `--pick` matches (title, or its slug or link)."""

    title: str
    comments: int | None
    link: str | None = None
    slug: str | None = None
    published: datetime | None = None

    @property
    def pick(self) -> str:
        return self.title or self.slug or self.link or ""


@dataclass(frozen=True, slots=True)
class Listing:
    kind: str
    """"WordPress export", "Disqus export", "feed", "mbox", or "single" for one-thread files."""
    entries: tuple[Entry, ...]
    noun: str = "posts"


def busiest_first(entries: list[Entry]) -> tuple[Entry, ...]:
    """Most comments first; among equals (or unknown counts), the newest first."""

    def key(e: Entry) -> tuple[int, float]:
        stamp = e.published.timestamp() if e.published is not None else float("-inf")
        return (-(e.comments if e.comments is not None else -1), -stamp)

    return tuple(sorted(entries, key=key))


def list_threads(data: bytes) -> Listing:
    """The threads `data` holds, told apart by content like `read_bytes` does."""
    text = decode(data).lstrip("\ufeff \t\r\n")
    if not text:
        raise BadInput("The input is empty.")
    kind = xml_kind(text[:4096]) if text.startswith("<") else None
    if kind == "wxr":
        posts = [
            Entry(p.title, p.comments, link=p.link or None, slug=p.slug or None)
            for p in wxr.list_posts(data)
        ]
        return Listing("WordPress export", busiest_first(posts))
    if kind == "disqus":
        threads = [Entry(t, n, link=link) for t, link, n in disqus.list_threads(data)]
        return Listing("Disqus export", busiest_first(threads), noun="threads")
    if kind == "feed":
        parsed = feed.parse_feed(data, allow_empty=True)
        items = [
            Entry(i.title or "", i.comment_count, link=i.link, published=i.published)
            for i in parsed.items
        ]
        return Listing("feed", busiest_first(items), noun="items")
    if mailinglist.looks_like(text) and text.startswith("From "):
        threads = [
            Entry(subject, n, published=first)
            for subject, n, first in mailinglist.mbox_threads(data)
        ]
        return Listing("mbox", busiest_first(threads), noun="threads")
    return Listing("single", ())
