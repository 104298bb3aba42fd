"""In-process stand-ins for the job runner's collaborators: no sockets, no worker processes."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from bot.fetch import Fetcher, FetchSettings, MockTransport, Request, Response
from bot.jobs import JobRunner
from bot.render.digest import Payload
from tests.feeds import FeedSite

T = TypeVar("T")
SITE = "https://gazette.example"


class InlineExecutor(Executor):
    """Runs each task as it is submitted, on the calling thread: a worker pool without workers."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        self.ran.append(getattr(fn, "__name__", type(fn).__name__))
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


class PicklingExecutor(Executor):
    """Runs each task on the calling thread, its call and its result pickled and unpickled on
    the way, as they are between the bot and a worker process."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        call = pickle.loads(pickle.dumps((fn, args, kwargs)))
        future: Future[T] = Future()
        try:
            future.set_result(pickle.loads(pickle.dumps(call[0](*call[1], **call[2]))))
        except BaseException as error:
            future.set_exception(error)
        return future


def site_transport(site: FeedSite) -> MockTransport:
    """The news site of `tests.feeds`, answered in-process; its feed carries an ETag, and a
    request that sends it back gets 304 Not Modified while the feed is unchanged."""
    site.base = SITE

    def answer(request: Request) -> Response:
        path = request.url.path
        if path == "/feed.xml":
            site.requests += 1
            if site.failing:
                return Response.of(503, b"down for maintenance", {"Content-Type": "text/plain"})
            body = site.rss()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if request.headers.get("If-None-Match") == etag:
                return Response.of(304, headers={"ETag": etag})
            headers = {"Content-Type": "application/rss+xml", "ETag": etag}
            return Response.of(200, body, headers)
        if path.startswith("/comments/"):
            number = int(path.removeprefix("/comments/").removesuffix(".xml"))
            body = site.comments_rss(number)
            return Response.of(200, body, {"Content-Type": "application/rss+xml"})
        return Response.of(404, b"no such page", {"Content-Type": "text/plain"})

    return MockTransport(answer)


def fetcher(transport: MockTransport, **settings: Any) -> Fetcher:
    return Fetcher(FetchSettings(retries=0, **settings), transport=transport)


def runner(transport: MockTransport, **kwargs: Any) -> JobRunner:
    return JobRunner(InlineExecutor(), fetcher(transport), **kwargs)


class FakePoster:
    """Discord as the digest service sees it: every message posted is kept, in order."""

    def __init__(self) -> None:
        self.posted: list[tuple[int, Payload]] = []
        self.refuse: set[int] = set()

    async def post(self, channel_id: int, payload: Payload) -> int:
        self.posted.append((channel_id, payload))
        return 1000 + len(self.posted)

    async def find(self, channel_id: int, marker: str) -> int | None:
        return None

    def problem(self, channel_id: int) -> str | None:
        return "I cannot post there." if channel_id in self.refuse else None

    def titles(self) -> list[str]:
        """Embed titles as Discord shows them (markdown escapes removed)."""
        return [e["title"].replace("\\", "") for _, p in self.posted for e in p.get("embeds", [])]

    def texts(self) -> list[str]:
        return [str(p.get("content") or "") for _, p in self.posted]
