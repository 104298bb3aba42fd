"""Kill the bot (SIGKILL) while it posts digests, restart it, and count what was posted.

Shared by the crash test and `python -m bench.digest`: the digests' subscriptions are written
to the bot's database as due, the bot runs in its own process against the stand-in, and the
stand-in kills it at chosen moments: right after Discord created a message but before the bot
heard back (the window where a naive bot posts twice), or after a delay (while reading).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.digest.state import DigestState
from bot.store import Store
from tests.fakediscord.botprocess import BotProcess
from tests.fakediscord.server import FakeDiscord


@dataclass(frozen=True)
class Outcome:
    posted: int
    duplicates: int
    losses: int
    messages: int
    kills: int
    seconds: float


async def seed(database: Path, sources: Sequence[str], channel_id: int) -> None:
    """Subscriptions that are due now, as if the bot had been down at their time."""
    now = datetime.now(UTC)
    async with Store(database) as store:
        state = DigestState(store)
        for source in sources:
            await state.add(
                guild_id=1,
                channel_id=channel_id,
                source=source,
                schedule="daily 08:00",
                timezone="UTC",
                created_by=None,
                now=now - timedelta(days=1),
                next_run=now - timedelta(minutes=1),
                limit=len(sources),
            )


def unsent_rows(database: Path) -> int:
    """Read-only: a connection that may write would fold a killed bot's WAL into the file and
    delete it on close, which the bot would rightly take for a lost WAL."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        row = db.execute("SELECT COUNT(*) FROM outbox WHERE status != 'sent'").fetchone()
    return int(row[0])


def item_links(fake: FakeDiscord, channel_id: int) -> Counter[str]:
    return Counter(
        e["url"]
        for m in fake.channel_messages
        if m["channel_id"] == str(channel_id)
        for e in m["embeds"]
        if "url" in e
    )


async def crash_cycles(
    fake: FakeDiscord,
    config: Path,
    expected: set[str],
    channel_id: int,
    kills: Sequence[tuple[str, float]],
    *,
    within: float = 300.0,
) -> Outcome:
    """Run the bot, killing it once per entry of `kills`, then let it finish.

    A kill is ("post", n): right after the n-th message of that process life exists on Discord,
    before the bot gets the answer; or ("after", seconds) from the start of that life.
    """
    database = config.parent / "bot.sqlite3"
    bot = BotProcess(fake, config)
    started = time.monotonic()
    done_kills = 0

    def finished() -> bool:
        return set(item_links(fake, channel_id)) >= expected and unsent_rows(database) == 0

    for kind, value in kills:
        posts = 0
        killed = asyncio.Event()

        async def maybe_kill(
            message: dict[str, Any],
            at: float = value,
            kind: str = kind,
            killed: asyncio.Event = killed,
        ) -> None:
            nonlocal posts
            posts += 1
            if kind == "post" and posts >= at and not killed.is_set():
                bot.kill()
                killed.set()

        fake.on_channel_post = maybe_kill
        await bot.start()
        if kind == "after":
            await asyncio.sleep(value)
        else:
            # Killed at the n-th post, or once everything is out if fewer posts were left.
            await fake.wait_for(lambda killed=killed: killed.is_set() or finished(), within)
        bot.kill()
        await bot.wait()
        done_kills += 1
        fake.on_channel_post = None
    await bot.start()
    try:
        await fake.wait_for(finished, within)
    except TimeoutError:
        pass  # what is missing is counted below
    finally:
        seconds = time.monotonic() - started
    try:
        await asyncio.sleep(0.5)  # a duplicate would arrive now
    finally:
        await bot.stop()
    links = item_links(fake, channel_id)
    return Outcome(
        posted=len(set(links) & expected),
        duplicates=sum(n - 1 for n in links.values() if n > 1),
        losses=len(expected - set(links)),
        messages=sum(1 for m in fake.channel_messages if m["channel_id"] == str(channel_id)),
        kills=done_kills,
        seconds=seconds,
    )


def kill_plan(cycles: int, messages: int, seed_value: int = 7) -> list[tuple[str, float]]:
    """One kill per cycle, deterministic: two in three right after one of the `messages` posts
    of a round, the others at a random moment of the first seconds (start-up, reading, briefing).
    """
    rng = random.Random(seed_value)
    plan: list[tuple[str, float]] = []
    for n in range(cycles):
        if n % 3 == 2:
            plan.append(("after", round(rng.uniform(0.3, 3.0), 2)))
        else:
            plan.append(("post", rng.randint(1, max(1, messages - 1))))
    return plan
