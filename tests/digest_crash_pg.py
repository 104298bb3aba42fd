"""Two bot processes on one PostgreSQL, killed (SIGKILL) while they post digests and started
again, with every post counted: the two-process form of `tests.digest_crash`.

Each process names itself to PostgreSQL (`application_name` in its database URL), so at the
moment Discord has created a message, before its bot heard back, the stand-in can ask the
server which process holds that digest and kill exactly that one (the window where a naive bot
posts twice), the other one, or both.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bot.digest.state import DigestState, stamp
from bot.pgstore import LOCK_SPACE, PgStore
from tests.digest_crash import item_links
from tests.fakediscord.botprocess import BotProcess
from tests.fakediscord.server import TOKEN, FakeDiscord
from tests.feeds import FeedSite

NAMES = ("bot-a", "bot-b")


@dataclass(frozen=True)
class Outcome:
    posted: int
    duplicates: int
    losses: int
    messages: int
    kills: int
    """Processes killed."""
    poster_kills: int
    """Of them, killed right after Discord created a message of a digest they held."""
    seconds: float


def write_configs(directory: Path, dsn: str, **bot: object) -> list[Path]:
    """One config per process, the same database, each process named in its URL."""
    paths = []
    for name in NAMES:
        folder = directory / name
        folder.mkdir()
        lines = ["[bot]", f'token = "{TOKEN}"', f'database = "{dsn}?application_name={name}"']
        lines += [f"{key} = {value}" for key, value in bot.items()]
        lines += ["", "[fetch]", "allow_loopback = true"]
        path = folder / "config.toml"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


async def seed(
    dsn: str, sources: Sequence[str], channel_id: int, guild_id: int = 1
) -> dict[str, int]:
    """Subscriptions due now; returns each source's subscription id."""
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    async with PgStore(dsn) as store:
        state = DigestState(store)
        for source in sources:
            added = await state.add(
                guild_id=guild_id,
                channel_id=channel_id,
                source=source,
                schedule="daily 08:00",
                timezone="UTC",
                created_by=None,
                now=now - timedelta(days=1),
                next_run=now - timedelta(minutes=1),
                limit=len(sources),
            )
            ids[source] = added.id
    return ids


def kill_plan(cycles: int, messages: int, seed_value: int = 11) -> list[tuple[str, float, str]]:
    """(kind, when, whom) per cycle, deterministic: mostly right after a post, killing the
    process that posted it, the other one, or both; some at a random moment of the first
    seconds (start-up, reading, briefing)."""
    rng = random.Random(seed_value)
    whom = ("poster", "other", "both")
    plan: list[tuple[str, float, str]] = []
    for n in range(cycles):
        if n % 4 == 3:
            plan.append(("after", round(rng.uniform(0.3, 3.0), 2), rng.choice(NAMES)))
        else:
            plan.append(("post", rng.randint(1, max(1, messages - 1)), whom[(n - n // 4) % 3]))
    return plan


async def crash_cycles(
    fake: FakeDiscord,
    dsn: str,
    configs: Sequence[Path],
    sites: Sequence[FeedSite],
    channel_id: int,
    kills: Sequence[tuple[str, float, str]],
    *,
    items: int = 12,
    within: float = 300.0,
) -> Outcome:
    """One round per entry of `kills`: every site gets `items` new items and every digest is
    due, both processes start, one or both are killed as the entry says and started again, and
    the round ends once every item is out; then both stop (SIGTERM) for the next round."""
    bots = dict(zip(NAMES, (BotProcess(fake, c) for c in configs), strict=True))
    subscriptions = await seed(dsn, [f"{s.base}/feed.xml" for s in sites], channel_id)
    watcher = await asyncpg.connect(dsn)
    unsent = [-1]
    expected: set[str] = set()
    started = time.monotonic()
    killed_total = poster_kills = 0
    day = datetime.now(UTC)

    async def holder(message: dict[str, Any]) -> str | None:
        """The process holding the digest this message belongs to."""
        urls = [e["url"] for e in message.get("embeds", []) if "url" in e]
        ids = [
            i
            for source, i in subscriptions.items()
            if any(u.startswith(source.rsplit("/", 1)[0] + "/") for u in urls)
        ]
        if not ids:
            return None
        name = await watcher.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.granted",
            LOCK_SPACE,
            ids[0],
        )
        return str(name) if name else None

    async def count_unsent() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            while True:
                unsent[0] = int(
                    await conn.fetchval("SELECT COUNT(*) FROM outbox WHERE status != 'sent'")
                )
                await asyncio.sleep(0.05)
        finally:
            await conn.close()

    def finished() -> bool:
        return set(item_links(fake, channel_id)) >= expected and unsent[0] == 0

    poller = asyncio.create_task(count_unsent())
    try:
        for kind, value, whom in kills:
            day += timedelta(days=1)
            for site in sites:
                expected |= {f"{site.base}{e.link_path}" for e in site.add(items, day)}
            await watcher.execute(
                "UPDATE subscriptions SET next_run = $1, retry_at = NULL",
                stamp(datetime.now(UTC) - timedelta(minutes=1)),
            )
            victims: list[str] = []
            posts = 0
            chosen = asyncio.Event()

            async def maybe_kill(
                message: dict[str, Any],
                at: float = value,
                kind: str = kind,
                whom: str = whom,
                chosen: asyncio.Event = chosen,
                victims: list[str] = victims,
            ) -> None:
                nonlocal posts, poster_kills
                posts += 1
                if kind != "post" or posts < at or chosen.is_set():
                    return
                poster = await holder(message)
                if poster is None:
                    return  # a notice, not a digest message: wait for the next post
                other = next(n for n in NAMES if n != poster)
                victims.extend({"poster": [poster], "other": [other], "both": list(NAMES)}[whom])
                for name in victims:
                    bots[name].kill()
                poster_kills += poster in victims
                chosen.set()

            fake.on_channel_post = maybe_kill
            await asyncio.gather(*(b.start() for b in bots.values()))
            if kind == "after":
                await asyncio.sleep(value)
                victims.append(whom)
                bots[whom].kill()
                chosen.set()
            else:
                await fake.wait_for(lambda c=chosen: c.is_set() or finished(), within)
            fake.on_channel_post = None
            for name in victims:
                await bots[name].wait()
                killed_total += 1
            await asyncio.gather(*(bots[name].start() for name in victims))
            try:
                await fake.wait_for(finished, within)
            except TimeoutError:
                break  # what is missing is counted below
            await asyncio.sleep(0.3)  # a duplicate would arrive now
            await asyncio.gather(*(b.stop() for b in bots.values()))
        seconds = time.monotonic() - started
    finally:
        poller.cancel()
        await asyncio.gather(poller, return_exceptions=True)
        await watcher.close()
        await asyncio.gather(*(b.stop() for b in bots.values()))
    links = item_links(fake, channel_id)
    return Outcome(
        posted=len(set(links) & expected),
        duplicates=sum(n - 1 for n in links.values() if n > 1),
        losses=len(expected - set(links)),
        messages=sum(1 for m in fake.channel_messages if m["channel_id"] == str(channel_id)),
        kills=killed_total,
        poster_kills=poster_kills,
        seconds=seconds,
    )
