"""Fixtures: the stand-in started per test, discord.py pointed at it, and the bot running on it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from bot.config import BotConfig, Config, FetchConfig
from bot.jobs import process_pool
from bot.runner import ThreadBriefBot, create_bot
from tests.fakediscord.server import TOKEN, FakeDiscord

if not (hasattr(discord.http.Route, "BASE") and hasattr(DiscordWebSocket, "DEFAULT_GATEWAY")):
    raise RuntimeError(
        "this discord.py no longer has Route.BASE / DEFAULT_GATEWAY: update the "
        "test stand-in (tests/fakediscord) for the new version"
    )


@pytest.fixture(scope="session")
def worker_pool() -> Iterator[ProcessPoolExecutor]:
    """The bot's real worker processes, started once for the whole test session.

    Both workers are started and have imported the pipeline before the first test, so no test
    pays (or times out on) a cold start.
    """
    with process_pool(2) as pool:
        list(pool.map(abs, [1, 2]))
        yield pool


@pytest.fixture
async def fake(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> AsyncIterator[FakeDiscord]:
    """Discord on 127.0.0.1. `@pytest.mark.heartbeat(0.2)` shortens the heartbeat interval."""
    marker = request.node.get_closest_marker("heartbeat")
    server = FakeDiscord(heartbeat_interval=marker.args[0] if marker else 41.25)
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.stop()
    assert not server.unhandled, f"requests the stand-in does not know: {server.unhandled}"
    malformed = [r for r in server.rejected if (r.answer or {}).get("code") == 50035]
    assert not malformed, f"Discord would refuse these payloads: {malformed}"
    assert not server.deprecated, f"deprecated paths Discord may drop: {server.deprecated}"


def bot_config(tmp_path: Path, **bot: Any) -> Config:
    """The bot's config for tests: no cooldown unless asked, and loopback URLs allowed."""
    settings: dict[str, Any] = {
        "token": TOKEN,
        "database": tmp_path / "bot.sqlite3",
        "user_cooldown": 0.0,
        **bot,
    }
    return Config(bot=BotConfig(**settings), fetch=FetchConfig(allow_loopback=True))


async def start_bot(config: Config, pool: ProcessPoolExecutor, **kwargs: Any) -> ThreadBriefBot:
    """Start order that surfaces start-up errors: login, connect, then race ready against it."""
    bot = create_bot(config, executor=pool, guild_ready_timeout=0.05, **kwargs)
    await bot.login(TOKEN)
    task = asyncio.create_task(bot.connect(reconnect=True))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        await bot.close()
        task.result() if task.done() else task.cancel()
        raise TimeoutError("the bot did not become ready against the stand-in")
    bot._test_task = task  # type: ignore[attr-defined]
    return bot


async def stop_bot(bot: ThreadBriefBot) -> None:
    await bot.close()
    await asyncio.wait_for(bot._test_task, 5)  # type: ignore[attr-defined]


@asynccontextmanager
async def running_bot(
    fake: FakeDiscord, config: Config, pool: ProcessPoolExecutor
) -> AsyncIterator[ThreadBriefBot]:
    """The bot for one test; afterwards, no user may have seen an unexpected error."""
    running = await start_bot(config, pool)
    yield running
    await stop_bot(running)
    for record in fake.interactions.values():
        shown = json.dumps(record.original or {}) + json.dumps(record.followups)
        assert "Something went wrong" not in shown, "an unexpected error reached a user"


@pytest.fixture
async def bot(
    fake: FakeDiscord, tmp_path: Path, worker_pool: ProcessPoolExecutor
) -> AsyncIterator[ThreadBriefBot]:
    async with running_bot(fake, bot_config(tmp_path), worker_pool) as running:
        yield running


@pytest.fixture
async def reading_bot(
    fake: FakeDiscord, tmp_path: Path, worker_pool: ProcessPoolExecutor
) -> AsyncIterator[ThreadBriefBot]:
    """The bot with the Message Content intent, as an owner sets it up to brief conversations."""
    config = bot_config(tmp_path, message_content=True)
    async with running_bot(fake, config, worker_pool) as running:
        yield running
