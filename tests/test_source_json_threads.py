"""Reddit and Hacker News threads, from saved JSON and from their URLs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.config import FetchConfig
from bot.errors import NotFoundError, ThreadBriefError
from bot.sources import hackernews, parse_json, read_bytes
from bot.sources.hackernews import algolia_url, item_id
from bot.sources.html_text import html_to_text
from bot.sources.reddit import json_url
from bot.thread import SpanKind
from tests.localweb import read_link, serving


def t1(
    cid: str,
    body: str,
    author: str = "user",
    score: int = 1,
    replies: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "kind": "t1",
        "data": {
            "id": cid,
            "author": author,
            "body": body,
            "score": score,
            "created_utc": 1700000000,
            "replies": {"kind": "Listing", "data": {"children": replies}} if replies else "",
        },
    }


REDDIT = [
    {
        "kind": "Listing",
        "data": {
            "children": [
                {
                    "kind": "t3",
                    "data": {
                        "title": "Should our city build a tram?",
                        "selftext": "The vote is next week.\n\nThoughts?",
                        "author": "op",
                        "subreddit": "urbanism",
                        "num_comments": 7,
                        "created_utc": 1699990000,
                        "permalink": "/r/urbanism/comments/abc123/should_our_city_build_a_tram/",
                        "url": "https://www.reddit.com/r/urbanism/comments/abc123/should_our_city_build_a_tram/",
                        "score": 120,
                    },
                }
            ]
        },
    },
    {
        "kind": "Listing",
        "data": {
            "children": [
                t1(
                    "c1",
                    "Yes, trams cut traffic in the centre.",
                    "ana",
                    40,
                    [
                        t1(
                            "c2",
                            "[deleted]",
                            "[deleted]",
                            1,
                            [t1("c3", "Buses are cheaper though.", "bo", 3)],
                        ),
                    ],
                ),
                t1("c4", "[removed]", "[deleted]"),
                {"kind": "more", "data": {"count": 2, "children": ["c5", "c6"]}},
            ]
        },
    },
]


def test_reddit_thread_keeps_scores_nesting_and_counts_the_missing() -> None:
    thread = read_bytes(json.dumps(REDDIT).encode())
    assert thread.source == "reddit" and thread.article is not None
    assert thread.article.title == "Should our city build a tram?"
    assert thread.article.site == "r/urbanism"
    assert [(c.id, c.parent_id, c.score) for c in thread.comments] == [
        ("c1", None, 40),
        ("c3", "c1", 3),
    ]
    assert thread.missing == 4  # one deleted, one removed, two behind "load more"
    assert thread.declared_count == 7


def test_reddit_thread_urls_map_to_their_json_form() -> None:
    assert json_url("https://old.reddit.com/r/urbanism/comments/abc123/title/") == (
        "https://old.reddit.com/r/urbanism/comments/abc123/title.json?limit=500&raw_json=1"
    )
    assert json_url("https://www.reddit.com/r/urbanism/") is None


HN_ALGOLIA = {
    "id": 4100,
    "type": "story",
    "author": "pg",
    "title": "Show HN: A tram timetable",
    "url": "https://example.org/tram",
    "points": 88,
    "created_at_i": 1700000000,
    "text": None,
    "children": [
        {
            "id": 4101,
            "type": "comment",
            "author": "kim",
            "created_at_i": 1700000100,
            "text": '<p>&gt; the timetable is wrong<p>It is right for weekdays, see <a href="x">'
            "the page</a>.",
            "children": [
                {
                    "id": 4102,
                    "type": "comment",
                    "author": None,
                    "text": None,
                    "children": [
                        {
                            "id": 4103,
                            "type": "comment",
                            "author": "lee",
                            "created_at_i": 1700000300,
                            "text": "Weekends differ &amp; matter.",
                            "children": [],
                        }
                    ],
                }
            ],
        },
    ],
}


def test_hacker_news_item_reads_html_comments_and_quotes() -> None:
    thread = parse_json(HN_ALGOLIA)
    assert thread.source == "hacker-news" and thread.extra["link"] == "https://example.org/tram"
    first, reply = thread.comments
    assert first.own_text() == "It is right for weekdays, see the page."
    assert [first.text[s.start : s.end] for s in first.spans] == ["> the timetable is wrong"]
    assert reply.parent_id == "4101" and reply.text == "Weekends differ & matter."
    assert thread.missing == 1


def test_hacker_news_firebase_items_build_the_same_tree() -> None:
    items = [
        {"id": 1, "type": "story", "by": "a", "title": "T", "kids": [2], "descendants": 2},
        {"id": 2, "type": "comment", "by": "b", "text": "First.", "kids": [3], "parent": 1},
        {"id": 3, "type": "comment", "by": "c", "text": "Second.", "parent": 2},
    ]
    thread = parse_json(items)
    assert [(c.id, c.parent_id) for c in thread.comments] == [("2", None), ("3", "2")]


def test_unknown_hacker_news_item_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="no item"):
        hackernews.parse({"status": 404, "error": "Not Found"})


def test_hacker_news_links_map_to_the_items_api() -> None:
    assert item_id("https://news.ycombinator.com/item?id=4100") == 4100
    assert algolia_url(4100) == "https://hn.algolia.com/api/v1/items/4100"


def test_blockquotes_are_quotation_spans() -> None:
    text, spans = html_to_text("<p>Yes.</p><blockquote><p>cheap</p></blockquote><p>No.</p>")
    assert text == "Yes.\n\ncheap\n\nNo."
    assert [(text[s.start : s.end], s.kind) for s in spans] == [("cheap", SpanKind.QUOTE)]


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_any_html_fragment_converts_with_spans_in_bounds(fragment: str) -> None:
    text, spans = html_to_text(fragment)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    ["kind", "data", "children", "id", "by", "text", "kids", "created_at_i"]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
@example({"kind": None, "data": None, "children": None, "created_at_i": -62135596801})
@example({"kind": "t3", "data": {"created_utc": 1e20, "title": "x"}})
def test_arbitrary_json_is_read_or_refused_with_a_message(obj: object) -> None:
    try:
        outcome = parse_json(obj).source
    except ThreadBriefError as e:
        outcome = e.user_message()
        assert outcome.endswith("."), outcome  # a sentence saying why, not a trace
    assert outcome


async def test_a_reddit_thread_url_is_read_through_its_json_form() -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        return web.Response(body=json.dumps(REDDIT).encode(), content_type="application/json")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    async with serving(app) as base:
        thread = await read_link(
            f"{base}/r/urbanism/comments/abc123/tram/", FetchConfig(allow_loopback=True)
        )
    assert seen == ["/r/urbanism/comments/abc123/tram.json?limit=500&raw_json=1"]
    assert thread.source == "reddit" and len(thread.comments) == 2
