"""Web servers for the tests and benchmarks: an aiohttp app on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.config import FetchConfig
from bot.fetch import Fetcher, settings_from
from bot.sources.url import read_url
from bot.thread import Thread


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` while the block runs; yields its base URL ("http://127.0.0.1:PORT")."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def page_app(path: str, body: str | bytes, content_type: str = "text/html") -> web.Application:
    """An app that answers one path with one fixed page."""

    async def page(_: web.Request) -> web.Response:
        data = body.encode() if isinstance(body, str) else body
        return web.Response(body=data, content_type=content_type)

    app = web.Application()
    app.router.add_get(path, page)
    return app


async def read_link(url: str, config: FetchConfig, *, pick: str | None = None) -> Thread:
    """What a user's link reads as, through a fetcher made from `config` (as the CLI does)."""
    async with Fetcher(settings_from(config)) as fetcher:
        return await read_url(url, fetcher, pick=pick, hackernews_api=config.hackernews_api)
