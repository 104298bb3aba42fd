"""A thread from a URL: download it safely, then read it like a file of the same content."""

from __future__ import annotations

import json

from yarl import URL

from bot.config import FetchConfig
from bot.errors import MalformedInput, ThreadBriefError
from bot.fetch import Fetcher, FetchSettings
from bot.fetch.client import parse_link
from bot.sources import decode, discourse, feed, hackernews, mastodon, read_bytes, reddit, webpage
from bot.sources.checked import checked
from bot.thread import Thread

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


def settings_from(config: FetchConfig) -> FetchSettings:
    return FetchSettings(
        connect_timeout=config.connect_timeout,
        total_timeout=config.total_timeout,
        max_bytes=int(config.max_download_mb * 2**20),
        max_redirects=config.max_redirects,
        retries=config.retries,
        per_host_limit=config.per_host_limit,
        allow_loopback=config.allow_loopback,
        deadline=config.deadline,
    )


async def read_url(url: str, config: FetchConfig, *, pick: str | None = None) -> Thread:
    return checked(await _read_url(url, config, pick=pick))


async def _read_url(url: str, config: FetchConfig, *, pick: str | None = None) -> Thread:
    parse_link(url)  # a malformed link is refused before any recogniser reads it
    # Threads with a JSON form are read through it: it holds the whole tree, with scores.
    api, parser = reddit.json_url(url), reddit.parse
    if (number := hackernews.item_id(url)) is not None:
        api, parser = hackernews.algolia_url(number, config.hackernews_api), hackernews.parse
    async with Fetcher(settings_from(config)) as fetcher:

        async def get_json(address: str) -> object:
            answer = await fetcher.get(address, accept=("application/json",))
            try:
                return json.loads(answer.body)
            except ValueError:
                raise MalformedInput(f"{address} did not answer with valid JSON.") from None

        if (pair := mastodon.api_urls(url)) is not None:
            return mastodon.parse(await get_json(pair[0]), await get_json(pair[1]), url=url)
        if (topic := discourse.json_url(url)) is not None:
            document = await get_json(topic)
            if isinstance(document, dict):
                ids = discourse.missing_post_ids(document)
                for start in range(0, min(len(ids), 1000), 20):
                    more = await get_json(discourse.posts_url(topic, ids[start : start + 20]))
                    document = discourse.merge_posts(document, more)
            return discourse.parse(document, url=url)
        if api is not None:
            # Errors name the site the user linked, not only the API it is read through.
            typed, used = URL(url).host or "", URL(api).host or ""
            shown = typed if typed == used else f"{typed} (read through {used})"
            result = await fetcher.get(api, accept=("application/json",), shown_as=shown)
            try:
                document = json.loads(result.body)
            except ValueError:
                raise MalformedInput(f"{api} did not answer with valid JSON.") from None
            return parser(document, url=url)
        result = await fetcher.get(url, accept=ACCEPTED)
        if is_feed(result.content_type, result.body):
            parsed = feed.parse_feed(result.body, url=result.url)
            item = feed.pick_item(parsed, pick)
            comments, failed = None, None
            if item.comments_feed:
                # A missing or broken comment feed costs the comments, not the brief.
                try:
                    extra = await fetcher.get(item.comments_feed, accept=ACCEPTED)
                    comments = feed.parse_feed(extra.body, url=extra.url, allow_empty=True)
                except ThreadBriefError as e:
                    failed = e.message
            return feed.item_thread(item, parsed, comments, comments_failed=failed)
    if result.content_type in ("text/html", "application/xhtml+xml"):
        return webpage.parse(decode(result.body, result.charset), url=result.url)
    return read_bytes(result.body, url=result.url, pick=pick, charset=result.charset)


def is_feed(content_type: str, body: bytes) -> bool:
    if content_type in ("application/rss+xml", "application/atom+xml"):
        return True
    head = body[:2048].lower()
    return (
        content_type.endswith("xml")
        and (b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head)
        and b"wordpress.org/export" not in head
    )
