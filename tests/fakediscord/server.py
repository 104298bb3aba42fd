"""A local stand-in for Discord: REST API v10, the gateway websocket, and a CDN, on 127.0.0.1.

The unmodified discord.py client talks to it over real sockets once `Route.BASE` and the default
gateway URL point here (see `fixtures.py`). It refuses what Discord refuses, as Discord answers
it, and keeps what a user would see: the deferred reply, its edits, followups, channel messages,
and every request body (so tests can check `allowed_mentions`). A request it does not know is
answered 404 and recorded in `unhandled`, which fails the test: a gap in the stand-in never
passes silently.

The parts, by job: `world.py` (the guild, its channels, people and permissions), `validation.py`
(payload limits and the 50035 answer), `rest.py` (REST routes and interaction deadlines),
`gateway.py` (the websocket and its close codes), `driver.py` (what users do).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakediscord.driver import CommandHidden, Driver
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.rest import InteractionRecord, Recorded
from tests.fakediscord.world import (
    ADMIN,
    ALL_PERMISSIONS,
    ANNOUNCEMENTS_ID,
    APP_ID,
    BOT_USER,
    CHANNEL_ID,
    EDITOR_ROLE_ID,
    FORUM_ID,
    FORUM_POST_ID,
    FORUM_TAG_ID,
    GUILD_ID,
    MEMBER,
    MEMBER_PERMISSIONS,
    MESSAGE_CONTENT,
    NEWS_ID,
    NICKNAMES,
    NO_HISTORY_ID,
    READONLY_ID,
    RULES_THREAD_ID,
    THREAD_ID,
    TOKEN,
    VOICE_ID,
    World,
)

__all__ = [
    "ADMIN",
    "ALL_PERMISSIONS",
    "ANNOUNCEMENTS_ID",
    "APP_ID",
    "BOT_USER",
    "CHANNEL_ID",
    "EDITOR_ROLE_ID",
    "FORUM_ID",
    "FORUM_POST_ID",
    "FORUM_TAG_ID",
    "GUILD_ID",
    "MEMBER",
    "MEMBER_PERMISSIONS",
    "MESSAGE_CONTENT",
    "NEWS_ID",
    "NICKNAMES",
    "NO_HISTORY_ID",
    "READONLY_ID",
    "RULES_THREAD_ID",
    "THREAD_ID",
    "TOKEN",
    "VOICE_ID",
    "CommandHidden",
    "FakeDiscord",
    "InteractionRecord",
    "Recorded",
]


class FakeDiscord(Gateway, Driver):
    def __init__(self, heartbeat_interval: float = 41.25) -> None:
        World.__init__(self)
        self._init_gateway(heartbeat_interval)
        self._init_rest()
        self.attachments: dict[str, bytes] = {}
        self.changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{name}", self._cdn)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        live = {id(s.connection): s.connection for s in self.sessions if s.connection is not None}
        if self._ws is not None:
            live[id(self._ws)] = self._ws
        for ws in live.values():
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], within: float = 30.0) -> Any:
        """Wait until `predicate()` is truthy; re-checked on every request and every 10 ms."""
        deadline = time.monotonic() + within
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the bot did not do what the test waited for")
            async with self.changed:
                try:
                    await asyncio.wait_for(self.changed.wait(), min(0.01, remaining))
                except TimeoutError:
                    pass

    # -- CDN -----------------------------------------------------------------------------------

    async def _cdn(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.attachments:
            return web.Response(status=404)
        return web.Response(body=self.attachments[name])
