"""Links read through an in-process transport: what a source asks for, and what a user gets."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.errors import FetchRefused, MalformedInput, TooLarge
from bot.fetch import MockTransport, Request, Response
from bot.sources.url import read_url
from tests.feeds import FeedSite
from tests.test_source_forums import topic
from tests.unit.fakes import SITE, fetcher, site_transport

PAGE = (Path(__file__).parent.parent / "fixtures" / "wordpress-post.html").read_bytes()


def json_answer(document: Any) -> Response:
    return Response.of(200, json.dumps(document).encode(), {"Content-Type": "application/json"})


async def test_a_long_discourse_topic_is_asked_for_in_chunks_of_twenty() -> None:
    document = topic(45, 20)
    posts = document.pop("_all")

    def answer(request: Request) -> Response:
        if request.url.path.endswith("/posts.json"):
            wanted = {int(v) for v in request.url.query.getall("post_ids[]")}
            return json_answer({"post_stream": {"posts": [p for p in posts if p["id"] in wanted]}})
        return json_answer(document)

    transport = MockTransport(answer)
    thread = await read_url("https://forum.example/t/tram-lane/77", fetcher(transport))
    assert len(thread.comments) == 44 and thread.missing == 0
    asked = [len(r.url.query.getall("post_ids[]", [])) for r in transport.requests]
    assert asked == [0, 20, 5]


async def test_a_feed_items_comments_come_from_its_comment_feed() -> None:
    site = FeedSite()
    site.add(2, datetime(2026, 3, 1, tzinfo=UTC))
    transport = site_transport(site)
    thread = await read_url(f"{SITE}/feed.xml", fetcher(transport), pick="Story 1")
    assert thread.article is not None and thread.article.title == "Story 1: the library hours"
    assert len(thread.comments) == 4
    assert [r.url.path for r in transport.requests] == ["/feed.xml", "/comments/1.xml"]


async def test_a_link_to_a_private_address_is_refused_before_anything_is_sent() -> None:
    transport = MockTransport(lambda request: Response.of(200, b"<p>secret</p>"))
    with pytest.raises(FetchRefused):
        await read_url("http://10.0.0.8/admin", fetcher(transport))
    assert transport.requests == []


async def test_a_page_over_the_size_limit_is_refused_whatever_the_transport() -> None:
    big = b"<html><body>" + b"<p>word word word</p>" * 40_000 + b"</body></html>"
    transport = MockTransport(lambda request: Response.of(200, big, {"Content-Type": "text/html"}))
    with pytest.raises(TooLarge, match=r"larger than 0\.5 MB"):
        await read_url("https://big.example/page", fetcher(transport, max_bytes=2**19))


async def test_an_api_that_does_not_answer_json_is_named() -> None:
    transport = MockTransport(
        lambda request: Response.of(200, b"<html>", {"Content-Type": "application/json"})
    )
    with pytest.raises(MalformedInput, match=r"hn\.algolia\.com/api/v1/items/4100 did not answer"):
        await read_url("https://news.ycombinator.com/item?id=4100", fetcher(transport))


async def test_one_sites_limit_holds_across_reads_sharing_the_fetcher() -> None:
    open_now, most = 0, 0

    async def answer(request: Request) -> Response:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        await asyncio.sleep(0.05)
        open_now -= 1
        return Response.of(200, PAGE, {"Content-Type": "text/html"})

    shared = fetcher(MockTransport(answer), per_host_limit=2)
    pages = [f"https://news.example/story/{n}" for n in range(6)]
    threads = await asyncio.gather(*(read_url(page, shared) for page in pages))
    assert len(threads) == 6 and most == 2
