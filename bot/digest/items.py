"""What a subscription's source offers: candidate items, each with the keys that identify it.

An item is identified three ways: its GUID, its canonical URL and a hash of its content. It is new
in a channel only when none of the three was posted there before, so an edited entry (same GUID),
a feed that regenerates its GUIDs (same URL) and a repost under a new address (same content) are
all recognised. Reading and briefing are jobs (`ReadCandidates`, `BriefCandidate`) run by the
bot's `JobRunner`, in the digests' share of its slots.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bot.brief import Brief, DigestEntry
from bot.errors import ThreadBriefError
from bot.jobs import Work, brief_parcel
from bot.parcel import ThreadParcel, parcelled
from bot.pipeline import BriefOptions
from bot.sources import decode
from bot.sources.feed import Feed, FeedItem, item_thread, parse_feed
from bot.sources.html_text import html_to_text
from bot.sources.url import ACCEPTED, HTML, is_feed, read_url
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


def feed_candidates(body: bytes, feed_url: str) -> Candidates:
    """A feed's entries as candidates (CPU work: run in a worker)."""
    parsed = parse_feed(body, url=feed_url, allow_empty=True)
    items = tuple(_feed_candidate(i, feed_url) for i in parsed.items)
    return Candidates(parsed.title, items, parsed)


def announced_feed(body: bytes, charset: str | None, base: str) -> str | None:
    """The feed an HTML page announces, if any (CPU work: run in a worker)."""
    return discover_feed(decode(body, charset), base)


@dataclass(frozen=True, slots=True)
class ReadCandidates:
    """A digest's poll: the items a source offers now, as a job.

    A feed's entries (a page's own feed if it announces one), or a page or thread as one item.
    The fetcher's cache makes an unchanged feed a 304."""

    source: str

    async def run(self, work: Work) -> Candidates:
        fetcher = work.fetcher
        ends = fetcher.deadline()
        result = await fetcher.get(self.source, accept=ACCEPTED, ends=ends)
        feed_url: str | None = result.url if is_feed(result.content_type, result.body) else None
        body = result.body
        if feed_url is None and result.content_type in HTML:
            announced = await work.cpu(announced_feed, result.body, result.charset, result.url)
            if announced is not None:
                found = await fetcher.get(announced, accept=ACCEPTED, ends=ends)
                if is_feed(found.content_type, found.body):
                    feed_url, body = found.url, found.body
        if feed_url is not None:
            return await work.cpu(feed_candidates, body, feed_url)
        thread = await read_url(
            self.source, fetcher, hackernews_api=work.hackernews_api, cpu=work.cpu
        )
        work.check_count(thread.present_count)
        candidate = _thread_candidate(thread, self.source)
        site = thread.article.site if thread.article else None
        return Candidates(site or candidate.title, (candidate,))


def entry_thread(item: FeedItem, feed: Feed, comments_body: bytes | None, url: str) -> Thread:
    """A feed item with its comment feed, if that reads (CPU work: run in a worker)."""
    comments = None
    if comments_body is not None:
        try:
            comments = parse_feed(comments_body, url=url)
        except ThreadBriefError:
            comments = None
    return item_thread(item, feed, comments)


def entry(candidate: Candidate, comments: int, brief: Brief | None, shown: int) -> DigestEntry:
    return DigestEntry(
        keys=candidate.keys,
        title=candidate.title,
        link=candidate.link,
        published=candidate.published,
        summary=brief.summary if brief else (),
        comments=comments,
        viewpoints=brief.viewpoints[:shown] if brief else (),
    )


@dataclass(frozen=True, slots=True)
class BriefCandidate:
    """One item's brief, as a job. A comment feed that cannot be read leaves the item without
    comments; an item that cannot be briefed (or has too many comments) is listed unbriefed."""

    candidate: Candidate
    feed: Feed | None
    options: BriefOptions

    async def run(self, work: Work) -> DigestEntry:
        thread = self.candidate.thread
        parcel = ThreadParcel.of(thread) if thread is not None else None
        if parcel is None:
            item = self.candidate.feed_item
            assert item is not None and self.feed is not None
            body, url = None, item.comments_feed
            if url:
                try:
                    answer = await work.fetcher.get(url, accept=ACCEPTED)
                    body, url = answer.body, answer.url
                except ThreadBriefError:
                    body = None
            parcel = await work.cpu(parcelled, entry_thread, item, self.feed, body, url or "")
        try:
            work.check_count(parcel.present_count)
            brief = await work.cpu(brief_parcel, parcel, self.options)
        except ThreadBriefError:
            brief = None
        return entry(self.candidate, parcel.present_count, brief, self.options.viewpoints)
