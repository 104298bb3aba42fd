"""A thread from a URL: download it with the process's fetcher, then parse what came.

Downloading is I/O and stays on the caller's event loop, through the one `Fetcher` it owns (so
its cache and per-host limits hold across reads). Parsing is CPU work: each parsing step is
handed to `cpu`, which the job runner points at its worker processes; the default runs it in
place (the CLI, tests). Every step given to `cpu` is a module-level function of bytes and plain
data, so it pickles.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from yarl import URL

from bot.errors import MalformedInput, ThreadBriefError
from bot.fetch.client import Fetcher, parse_link
from bot.parcel import ThreadParcel, parcelled
from bot.sources import decode, discourse, feed, hackernews, mastodon, read_bytes, reddit, webpage
from bot.sources.checked import checked
from bot.thread import Thread

T = TypeVar("T")

ACCEPTED = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/json",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/mbox",
)
JSON = ("application/json",)
HTML = ("text/html", "application/xhtml+xml")


class Offload(Protocol):
    """Runs CPU work somewhere that does not block the event loop, and awaits its result."""

    async def __call__(self, fn: Callable[..., T], /, *args: Any) -> T: ...


async def inline(fn: Callable[..., T], /, *args: Any) -> T:
    """The `Offload` that runs the work right here: for the CLI and tests."""
    return fn(*args)


def is_feed(content_type: str, body: bytes) -> bool:
    """An RSS or Atom document (by its type, or an XML body that opens like one)."""
    if content_type in ("application/rss+xml", "application/atom+xml"):
        return True
    head = body[:2048].lower()
    return (
        content_type.endswith("xml")
        and (b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head)
        and b"wordpress.org/export" not in head
    )


async def read_url(
    url: str,
    fetcher: Fetcher,
    *,
    pick: str | None = None,
    hackernews_api: str = hackernews.ALGOLIA,
    cpu: Offload = inline,
) -> Thread:
    """The thread at `url`. Threads with a JSON form are read through it: it holds the whole
    tree, with scores."""
    parcel = await read_url_parcel(url, fetcher, pick=pick, hackernews_api=hackernews_api, cpu=cpu)
    return parcel.open()


async def read_url_parcel(
    url: str,
    fetcher: Fetcher,
    *,
    pick: str | None = None,
    hackernews_api: str = hackernews.ALGOLIA,
    cpu: Offload = inline,
) -> ThreadParcel:
    """`read_url`, with the thread left in the parcel its worker made (bot/parcel.py), for a
    caller that only hands it on to another worker."""
    parse_link(url)  # a malformed link is refused before any recogniser reads it
    ends = fetcher.deadline()

    async def get(address: str, accept: Sequence[str], shown_as: str | None = None) -> Any:
        return await fetcher.get(address, accept=accept, shown_as=shown_as, ends=ends)

    if (pair := mastodon.api_urls(url)) is not None:
        status, context = await get(pair[0], JSON), await get(pair[1], JSON)
        return await cpu(parcelled, _mastodon_thread, status.body, context.body, pair, url)
    if (topic := discourse.json_url(url)) is not None:
        first = await get(topic, JSON)
        ids = await cpu(_discourse_missing, first.body, topic)
        more = []
        for start in range(0, min(len(ids), 1000), 20):
            address = discourse.posts_url(topic, ids[start : start + 20])
            more.append(((await get(address, JSON)).body, address))
        return await cpu(parcelled, _discourse_thread, (first.body, topic), more, url)
    api, parser = reddit.json_url(url), reddit.parse
    if (number := hackernews.item_id(url)) is not None:
        api, parser = hackernews.algolia_url(number, hackernews_api), hackernews.parse
    if api is not None:
        # Errors name the site the user linked, not only the API it is read through.
        typed, used = URL(url).host or "", URL(api).host or ""
        shown = typed if typed == used else f"{typed} (read through {used})"
        result = await get(api, JSON, shown)
        return await cpu(parcelled, _api_thread, parser, result.body, api, url)
    result = await get(url, ACCEPTED)
    if not is_feed(result.content_type, result.body):
        return await cpu(
            parcelled,
            _page_thread,
            result.body,
            result.content_type,
            result.charset,
            result.url,
            pick,
        )
    parsed, item = await cpu(_feed_item, result.body, result.url, pick)
    comments, failed = None, None
    if item.comments_feed:
        # A missing or broken comment feed costs the comments, not the brief.
        try:
            extra = await get(item.comments_feed, ACCEPTED)
            comments = await cpu(_comment_feed, extra.body, extra.url)
        except ThreadBriefError as e:
            failed = e.message
    return await cpu(parcelled, _feed_thread, item, parsed, comments, failed)


def _json(body: bytes, address: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise MalformedInput(f"{address} did not answer with valid JSON.") from None


def _mastodon_thread(status: bytes, context: bytes, addresses: tuple[str, str], url: str) -> Thread:
    return checked(
        mastodon.parse(_json(status, addresses[0]), _json(context, addresses[1]), url=url)
    )


def _discourse_missing(body: bytes, address: str) -> list[int]:
    document = _json(body, address)
    return discourse.missing_post_ids(document) if isinstance(document, dict) else []


def _discourse_thread(first: tuple[bytes, str], more: list[tuple[bytes, str]], url: str) -> Thread:
    document = _json(*first)
    if isinstance(document, dict):
        for body, address in more:
            document = discourse.merge_posts(document, _json(body, address))
    return checked(discourse.parse(document, url=url))


def _api_thread(parser: Callable[..., Thread], body: bytes, api: str, url: str) -> Thread:
    return checked(parser(_json(body, api), url=url))


def _page_thread(
    body: bytes, content_type: str, charset: str | None, url: str, pick: str | None
) -> Thread:
    if content_type in HTML:
        return checked(webpage.parse(decode(body, charset), url=url))
    return checked(read_bytes(body, url=url, pick=pick, charset=charset))


def _feed_item(body: bytes, url: str, pick: str | None) -> tuple[feed.Feed, feed.FeedItem]:
    parsed = feed.parse_feed(body, url=url)
    return parsed, feed.pick_item(parsed, pick)


def _comment_feed(body: bytes, url: str) -> feed.Feed:
    return feed.parse_feed(body, url=url, allow_empty=True)


def _feed_thread(
    item: feed.FeedItem, parsed: feed.Feed, comments: feed.Feed | None, failed: str | None
) -> Thread:
    return checked(feed.item_thread(item, parsed, comments, comments_failed=failed))
