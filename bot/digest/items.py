"""What a subscription's source offers: candidate items, each with the keys that identify it.

An item is identified three ways: its GUID, its canonical URL and a hash of its content. It is new
in a channel only when none of the three was posted there before, so an edited entry (same GUID),
a feed that regenerates its GUIDs (same URL) and a repost under a new address (same content) are
all recognised. Reading and briefing run in worker processes; these functions are synchronous.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bot.brief import DigestEntry
from bot.config import FetchConfig
from bot.errors import ThreadBriefError
from bot.fetch import Fetcher
from bot.pipeline import BriefOptions, make_brief
from bot.sources import decode
from bot.sources.feed import Feed, FeedItem, item_thread, parse_feed
from bot.sources.html_text import html_to_text
from bot.sources.url import ACCEPTED, is_feed, read_url, settings_from
from bot.thread import Thread

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|source)$", re.IGNORECASE)
_FEED_LINK = re.compile(
    r"<link\b[^>]*\brel=[\"']?alternate[^>]*>",
    re.IGNORECASE,
)
_HREF = re.compile(r"\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)
_FEED_TYPE = re.compile(r"application/(rss|atom)\+xml", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """The same page however it is linked: no fragment, tracking parameters or case in the host."""
    parts = urlsplit(url.strip())
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    return urlunsplit((scheme, parts.netloc.lower(), path, query, ""))


def content_hash(title: str | None, text: str) -> str:
    normalised = " ".join(f"{title or ''} {text}".lower().split())
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One item the source offers now; `feed_item` or `thread` holds its content."""

    keys: tuple[str, ...]
    title: str
    link: str | None
    published: datetime | None
    feed_item: FeedItem | None = None
    thread: Thread | None = None


@dataclass(frozen=True, slots=True)
class Candidates:
    source_title: str | None
    items: tuple[Candidate, ...]
    feed: Feed | None = None


def _feed_candidate(item: FeedItem, feed_url: str) -> Candidate:
    text, _ = html_to_text(item.content_html)
    # A GUID is only unique within its feed ("1", "item-12"): two feeds may reuse one.
    keys = [f"guid:{canonical_url(feed_url)}#{item.guid}"]
    if item.link:
        keys.append(f"url:{canonical_url(item.link)}")
    keys.append(f"hash:{content_hash(item.title, text)}")
    return Candidate(
        keys=tuple(keys),
        title=item.title or item.link or "Untitled",
        link=item.link,
        published=item.published,
        feed_item=item,
    )


def _thread_candidate(thread: Thread, url: str) -> Candidate:
    article = thread.article
    link = (article.url if article else None) or thread.url or url
    text = article.text if article else " ".join(c.text for c in thread.comments[:5])
    title = (article.title if article else None) or link
    return Candidate(
        keys=(f"url:{canonical_url(link)}", f"hash:{content_hash(title, text)}"),
        title=title,
        link=link,
        published=article.published if article else None,
        thread=thread,
    )


def discover_feed(html: str, base: str) -> str | None:
    """The feed a page announces with <link rel="alternate" type="application/rss+xml">."""
    for tag in _FEED_LINK.findall(html[:200_000]):
        if _FEED_TYPE.search(tag) and (href := _HREF.search(tag)):
            return urljoin(base, str(href[1]))
    return None


def read_candidates(url: str, fetch: FetchConfig) -> Candidates:
    """The items a source offers now: a feed's entries (a page's own feed if it announces one),
    or a page or thread as one item."""
    return asyncio.run(_read_candidates(url, fetch))


async def _read_candidates(url: str, fetch: FetchConfig) -> Candidates:
    async with Fetcher(settings_from(fetch)) as fetcher:
        result = await fetcher.get(url, accept=ACCEPTED)
        feed_url: str | None = result.url if is_feed(result.content_type, result.body) else None
        body = result.body
        if feed_url is None and result.content_type in ("text/html", "application/xhtml+xml"):
            announced = discover_feed(decode(result.body, result.charset), result.url)
            if announced is not None:
                found = await fetcher.get(announced, accept=ACCEPTED)
                if is_feed(found.content_type, found.body):
                    feed_url, body = found.url, found.body
    if feed_url is not None:
        feed = parse_feed(body, url=feed_url, allow_empty=True)
        return Candidates(feed.title, tuple(_feed_candidate(i, feed_url) for i in feed.items), feed)
    thread = await read_url(url, fetch)
    candidate = _thread_candidate(thread, url)
    site = thread.article.site if thread.article else None
    return Candidates(site or candidate.title, (candidate,))


def brief_candidate(
    candidate: Candidate, feed: Feed | None, fetch: FetchConfig, options: BriefOptions
) -> DigestEntry:
    """The item's brief; a comment feed that cannot be read leaves the item without comments."""
    thread = candidate.thread
    if thread is None:
        assert candidate.feed_item is not None and feed is not None
        comments = None
        if candidate.feed_item.comments_feed:
            try:
                comments = asyncio.run(_read_feed(candidate.feed_item.comments_feed, fetch))
            except ThreadBriefError:
                comments = None
        thread = item_thread(candidate.feed_item, feed, comments)
    try:
        brief = make_brief(thread, options)
        summary, viewpoints = brief.summary, brief.viewpoints[: options.viewpoints]
    except ThreadBriefError:
        summary, viewpoints = (), ()
    return DigestEntry(
        keys=candidate.keys,
        title=candidate.title,
        link=candidate.link,
        published=candidate.published,
        summary=summary,
        comments=thread.present_count,
        viewpoints=viewpoints,
    )


async def _read_feed(url: str, fetch: FetchConfig) -> Feed:
    async with Fetcher(settings_from(fetch)) as fetcher:
        result = await fetcher.get(url, accept=ACCEPTED)
    return parse_feed(result.body, url=result.url)
