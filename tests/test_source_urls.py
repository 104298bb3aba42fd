"""Every format read from a URL served locally, as `threadbrief summarize URL` would."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import FetchConfig
from bot.errors import ThreadBriefError
from bot.sources import read_bytes
from tests.localweb import read_link, serving
from tests.test_source_json_threads import HN_ALGOLIA
from tests.test_source_xml import DISQUS

FIXTURES = Path(__file__).parent / "fixtures"
FEED = b"""<?xml version="1.0"?><rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/">
<channel><title>Blog</title><link>http://HOST/</link>
<item><title>Tram vote</title><link>http://HOST/tram</link><guid>t1</guid>
<description>&lt;p&gt;The council approved the tram line by 23 votes to 18.&lt;/p&gt;</description>
<wfw:commentRss>http://HOST/tram/comments.rss</wfw:commentRss></item></channel></rss>"""
COMMENTS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Comments on Tram vote</title>
<item><title>By: Ana</title><guid>c1</guid><dc:creator>Ana</dc:creator>
<description>Finally, a tram for the old town.</description></item>
<item><title>By: Bo</title><guid>c2</guid><dc:creator>Bo</dc:creator>
<description>Too expensive for a city this size.</description></item></channel></rss>"""


@pytest.fixture
async def host() -> AsyncIterator[tuple[str, dict[str, tuple[bytes, str]]]]:
    pages: dict[str, tuple[bytes, str]] = {}

    async def handler(request: web.Request) -> web.Response:
        body, kind = pages[request.path]
        return web.Response(body=body, content_type=kind)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    async with serving(app) as base:
        yield base.removeprefix("http://"), pages


LOCAL = FetchConfig(allow_loopback=True)


async def test_a_feed_item_is_read_with_its_comment_feed(host) -> None:
    address, pages = host
    pages["/feed.rss"] = (FEED.replace(b"HOST", address.encode()), "application/rss+xml")
    pages["/tram/comments.rss"] = (COMMENTS, "application/rss+xml")
    thread = await read_link(f"http://{address}/feed.rss", LOCAL)
    assert thread.article is not None and thread.article.title == "Tram vote"
    assert [c.author for c in thread.comments] == ["Ana", "Bo"]


@pytest.mark.parametrize(
    ("path", "make", "kind", "source"),
    [
        ("/export.xml", lambda _: DISQUS, "application/xml", "disqus"),
        (
            "/dump.txt",
            lambda _: (FIXTURES / "tram-vote.txt").read_bytes(),
            "text/plain",
            "text-dump",
        ),
        (
            "/brief.json",
            lambda _: json.dumps(
                {
                    "source": "json",
                    "article": None,
                    "comments": [{"id": "1", "text": "One comment."}],
                }
            ).encode(),
            "application/json",
            "json",
        ),
    ],
)
async def test_exports_are_read_from_urls_too(
    host, path: str, make: Any, kind: str, source: str
) -> None:
    address, pages = host
    pages[path] = (make(address), kind)
    thread = await read_link(f"http://{address}{path}", LOCAL)
    assert thread.source == source


async def test_a_wordpress_export_is_read_from_a_url(host, sample) -> None:
    address, pages = host
    pages["/wxr.xml"] = (sample("wordpress-theme-unit-test.wxr.xml").read_bytes(), "text/xml")
    thread = await read_link(f"http://{address}/wxr.xml", LOCAL, pick="Page with comments")
    assert thread.source == "wordpress" and len(thread.comments) == 3


async def test_a_hacker_news_item_is_read_through_the_items_api(host) -> None:
    address, pages = host
    pages["/api/v1/items/4100"] = (json.dumps(HN_ALGOLIA).encode(), "application/json")
    config = FetchConfig(allow_loopback=True, hackernews_api=f"http://{address}/api/v1")
    thread = await read_link("https://news.ycombinator.com/item?id=4100", config)
    assert thread.source == "hacker-news" and len(thread.comments) == 2


WXR_ITEM = """<?xml version="1.0"?><rss version="2.0" xmlns:wp="https://wordpress.org/export/1.2/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Blog</title>
<item><title>Post</title><wp:post_type>post</wp:post_type><content:encoded><![CDATA[{body}]]>
</content:encoded><wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_approved>1
</wp:comment_approved><wp:comment_content><![CDATA[{comment}]]></wp:comment_content>
</wp:comment></item></channel></rss>"""


@settings(max_examples=50, deadline=None)
@given(
    st.text(max_size=80).filter(lambda t: "]]>" not in t),
    st.text(max_size=80).filter(lambda t: "]]>" not in t),
)
def test_any_wordpress_content_is_read_or_refused_with_a_message(body: str, comment: str) -> None:
    try:
        outcome = read_bytes(WXR_ITEM.format(body=body, comment=comment).encode()).source
    except ThreadBriefError as e:
        outcome = e.user_message()
    assert outcome == "wordpress" or outcome.endswith("."), outcome  # a brief, or why not


async def test_a_slow_discourse_forum_is_stopped_by_the_read_deadline() -> None:
    """Each page answers just inside the request timeout; the whole read still has one deadline."""
    import asyncio

    from aiohttp import web

    from bot.config import FetchConfig
    from bot.errors import FetchError

    asked: list[str] = []

    async def topic(request: web.Request) -> web.Response:
        asked.append(request.path_qs)
        await asyncio.sleep(0.3)
        if request.path.endswith("/posts.json"):
            return web.json_response({"post_stream": {"posts": []}})
        posts = [{"id": 1, "post_number": 1, "username": "a", "cooked": "<p>Hello there.</p>"}]
        stream = list(range(1, 1001))
        return web.json_response(
            {"title": "Slow", "post_stream": {"posts": posts, "stream": stream}}
        )

    app = web.Application()
    app.router.add_get("/t/{id}.json", topic)
    app.router.add_get("/t/{id}/posts.json", topic)
    async with serving(app) as base:
        config = FetchConfig(allow_loopback=True, total_timeout=1.0, deadline=1.0)
        with pytest.raises(FetchError, match=r"fetch\.deadline"):
            await read_link(f"{base}/t/slow-topic/42", config)
    # 50 pages were due; the deadline stopped the read after a handful.
    assert 2 <= len(asked) <= 5
