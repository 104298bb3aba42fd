"""Discourse topics and Mastodon threads, from saved JSON and from their URLs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import FetchConfig
from bot.errors import ThreadBriefError
from bot.sources import discourse, mastodon, parse_json
from tests.localweb import read_link, serving


def post(number: int, text: str, reply_to: int | None = None, user: str = "user") -> dict[str, Any]:
    return {
        "id": 1000 + number,
        "post_number": number,
        "cooked": f"<p>{text}</p>",
        "username": f"{user}{number}",
        "name": None,
        "created_at": "2024-05-03T10:00:00.000Z",
        "reply_to_post_number": reply_to,
        "like_count": number % 3,
    }


def topic(total: int, shown: int) -> dict[str, Any]:
    posts = [post(1, "Should the tram get a dedicated lane on Main Street?")] + [
        post(n, f"Reply number {n} about the tram lane.", reply_to=2 if n == 3 else None)
        for n in range(2, total + 1)
    ]
    return {
        "id": 77,
        "title": "Tram lane on Main Street",
        "posts_count": total,
        "post_stream": {"posts": posts[:shown], "stream": [p["id"] for p in posts]},
        "_all": posts,
    }


def test_discourse_topic_first_post_is_the_article_and_replies_nest() -> None:
    document = topic(4, 4)
    document.pop("_all")
    thread = parse_json(document, url="https://forum.example/t/tram-lane/77")
    assert thread.source == "discourse" and thread.article is not None
    assert thread.article.title == "Tram lane on Main Street"
    assert [(c.id, c.parent_id) for c in thread.comments] == [
        ("1002", None),
        ("1003", "1002"),
        ("1004", None),
    ]
    assert thread.comments[0].url == "https://forum.example/t/tram-lane/77/2"
    assert thread.declared_count == 3 and thread.missing == 0


def test_discourse_topic_urls_map_to_json() -> None:
    assert discourse.json_url("https://forum.example/t/tram-lane/77/5") == (
        "https://forum.example/t/77.json"
    )
    assert discourse.json_url("https://forum.example/latest") is None


STATUS = {
    "id": "1",
    "url": "https://social.example/@ana/1",
    "content": "<p>Trams or buses?</p>",
    "account": {"display_name": "Ana", "acct": "ana"},
    "created_at": "2024-05-03T10:00:00Z",
    "language": "en",
    "in_reply_to_id": None,
}
CONTEXT = {
    "ancestors": [],
    "descendants": [
        {
            "id": "2",
            "in_reply_to_id": "1",
            "content": "<p>Trams, <span>clearly</span>.</p>",
            "account": {"display_name": "", "acct": "bo@other.example"},
            "favourites_count": 4,
            "created_at": "2024-05-03T10:05:00Z",
            "language": "en",
            "url": "https://o.example/2",
        },
        {
            "id": "3",
            "in_reply_to_id": "2",
            "content": "<p>Buses are cheaper.</p>",
            "spoiler_text": "money",
            "account": {"display_name": "Cy"},
            "created_at": "2024-05-03T10:07:00Z",
            "language": "en",
        },
    ],
}


def test_mastodon_thread_root_is_the_article_and_replies_nest() -> None:
    thread = parse_json({"status": STATUS, "context": CONTEXT})
    assert thread.source == "mastodon" and thread.article is not None
    assert thread.article.author == "Ana" and thread.article.paragraphs == ("Trams or buses?",)
    assert [(c.author, c.parent_id, c.score) for c in thread.comments] == [
        ("bo@other.example", None, 4),
        ("Cy", "2", None),
    ]
    assert thread.comments[1].text == "money\n\nBuses are cheaper."


def test_mastodon_status_urls_map_to_the_api() -> None:
    assert mastodon.api_urls("https://social.example/@ana/1") == (
        "https://social.example/api/v1/statuses/1",
        "https://social.example/api/v1/statuses/1/context",
    )
    assert mastodon.api_urls("https://social.example/about") is None


@pytest.fixture
async def server() -> AsyncIterator[Callable[[dict[str, Any]], str]]:
    routes: dict[str, Any] = {}
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        key = request.path
        if key.endswith("/posts.json"):
            wanted = {int(v) for v in request.query.getall("post_ids[]")}
            body = {"post_stream": {"posts": [p for p in routes["_all"] if p["id"] in wanted]}}
        else:
            body = routes[key]
        return web.Response(body=json.dumps(body).encode(), content_type="application/json")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    async with serving(app) as base:

        def serve(new: dict[str, Any]) -> str:
            routes.update(new)
            return base

        serve.seen = seen  # type: ignore[attr-defined]
        yield serve


async def test_a_long_discourse_topic_is_fetched_in_chunks(server) -> None:
    document = topic(45, 20)
    base = server(
        {"/t/77.json": {k: v for k, v in document.items() if k != "_all"}, "_all": document["_all"]}
    )
    thread = await read_link(f"{base}/t/tram-lane/77", FetchConfig(allow_loopback=True))
    assert len(thread.comments) == 44 and thread.missing == 0
    chunks = [s for s in server.seen if "posts.json" in s]
    assert len(chunks) == 2  # 25 missing posts: 20, then 5


async def test_a_mastodon_status_url_is_read_with_its_context(server) -> None:
    base = server({"/api/v1/statuses/1": STATUS, "/api/v1/statuses/1/context": CONTEXT})
    thread = await read_link(f"{base}/@ana/1", FetchConfig(allow_loopback=True))
    assert thread.source == "mastodon" and len(thread.comments) == 2


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "post_stream",
                    "posts",
                    "stream",
                    "cooked",
                    "post_number",
                    "status",
                    "context",
                    "ancestors",
                    "descendants",
                    "content",
                    "in_reply_to_id",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(JSONISH)
def test_arbitrary_forum_json_is_read_or_refused_with_a_message(obj: object) -> None:
    try:
        outcome = parse_json(obj).source
    except ThreadBriefError as e:
        outcome = e.user_message()
        assert outcome.endswith("."), outcome  # a sentence saying why, not a trace
    assert outcome
