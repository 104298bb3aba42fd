"""Digests past one machine, end to end: a gateway (the real discord.py bot) takes /digest add
into the shared PostgreSQL, two worker processes elect one of them to run the schedule, and it
reads, briefs and posts the digest over Discord's REST API, once. When that worker is killed
(SIGKILL) as Discord creates its post, the other one takes the schedule over within seconds:
the interrupted digest is finished, the next one posted, nothing lost and nothing doubled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.cluster.leader import WAKE_CHANNEL
from bot.config import ClusterConfig
from bot.digest.state import stamp
from bot.runner import ThreadBriefBot
from tests.cluster import WorkerProcess, write_fleet_config
from tests.digest_crash import item_links
from tests.fakediscord.fixtures import bot_config, running_bot
from tests.fakediscord.server import ADMIN, NEWS_ID, FakeDiscord, InteractionRecord
from tests.feeds import FeedSite, serve
from tests.pgserver import PgServer

pytestmark = pytest.mark.slow  # worker processes, a PostgreSQL server, kills

LEADS = b"runs the digest schedule"


@pytest.fixture
async def gateway(
    fake: FakeDiscord, tmp_path: Path, postgres_db: str, worker_pool: ProcessPoolExecutor
) -> AsyncIterator[ThreadBriefBot]:
    """`threadbrief run --role gateway` with the fleet's PostgreSQL as its database."""
    config = bot_config(tmp_path / "gateway", digest_items=12)
    config = replace(
        config, bot=replace(config.bot, database=postgres_db), cluster=ClusterConfig("gateway")
    )
    async with running_bot(fake, config, worker_pool) as bot:
        yield bot


@pytest.fixture
async def fleet(
    fake: FakeDiscord, tmp_path: Path, postgres_db: str
) -> AsyncIterator[list[WorkerProcess]]:
    config = write_fleet_config(
        tmp_path, postgres_db, store=postgres_db, max_jobs=2, digest_items=12
    )
    workers = [WorkerProcess(fake, config, f"worker-{i}") for i in (1, 2)]
    try:
        await asyncio.gather(*(w.start() for w in workers))
        yield workers
    finally:
        await asyncio.gather(*(w.stop() for w in workers))


async def leader_of(fake: FakeDiscord, workers: list[WorkerProcess]) -> WorkerProcess:
    """The one worker that says it runs the schedule (and only one says it)."""
    await fake.wait_for(lambda: any(LEADS in w.log.read_bytes() for w in workers), 30)
    leading = [w for w in workers if LEADS in w.log.read_bytes()]
    assert len(leading) == 1
    return leading[0]


async def reply(fake: FakeDiscord, record: InteractionRecord) -> str:
    def done() -> str | None:
        original = record.original
        if original is None or original["flags"] & 128:
            return None
        texts = [original.get("content") or ""]
        for embed in original.get("embeds") or []:
            texts += [embed.get("description", "")]
            texts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
        return "\n".join(texts).replace("\\", "")

    return str(await fake.wait_for(done, 60))


async def digest_due(dsn: str) -> None:
    """08:00 has come for every digest, and the fleet is told, as a gateway tells it."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE subscriptions SET next_run = $1, retry_at = NULL",
            stamp(datetime.now(UTC) - timedelta(minutes=1)),
        )
        await conn.execute(f"SELECT pg_notify('{WAKE_CHANNEL}', '')")
    finally:
        await conn.close()


async def add_digest(fake: FakeDiscord, site: FeedSite) -> str:
    record = await fake.invoke_slash(
        "digest",
        subcommand="add",
        user=ADMIN,
        source=f"{site.base}/feed.xml",
        channel=NEWS_ID,
        schedule="daily 08:00",
    )
    return await reply(fake, record)


def posts(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [m for m in fake.channel_messages if m["channel_id"] == str(NEWS_ID)]


async def test_a_digest_added_on_the_gateway_is_posted_once_by_the_leading_worker(
    fake: FakeDiscord,
    gateway: ThreadBriefBot,
    fleet: list[WorkerProcess],
    postgres_db: str,
) -> None:
    leader = await leader_of(fake, fleet)
    heard: list[str] = []
    listener = await asyncpg.connect(postgres_db)
    await listener.add_listener(WAKE_CHANNEL, lambda *args: heard.append(args[2]))
    try:
        async with serve(FeedSite(name="Metro")) as site:
            site.add(3, datetime.now(UTC) - timedelta(hours=2))
            added = await add_digest(fake, site)
            assert "Digest #1 added" in added and "3 items now waiting" in added
            await fake.wait_for(lambda: heard, 10)  # the gateway woke the fleet's schedule
            await digest_due(postgres_db)
            await fake.wait_for(lambda: len(item_links(fake, NEWS_ID)) == 3, 90)
            await asyncio.sleep(2)  # a second post of it would come now
            record = await fake.invoke_slash("digest", subcommand="list", user=ADMIN)
            listed = await reply(fake, record)
    finally:
        await listener.close()
    [message] = posts(fake)
    assert message["content"] == "**Riverside Gazette**: 3 new items"
    assert message["_request"]["allowed_mentions"] == {"parse": []}
    assert set(item_links(fake, NEWS_ID).values()) == {1}
    assert "Posted 3 new items" in listed
    assert b"posted a digest (1 message)" in leader.log.read_bytes()
    cog: Any = gateway.get_cog("Digest")
    assert cog._task is None and cog.scheduler.rounds == 0  # no scheduler on the gateway


async def test_the_leader_killed_as_it_posts_is_replaced_and_no_item_is_lost_or_doubled(
    fake: FakeDiscord,
    gateway: ThreadBriefBot,
    fleet: list[WorkerProcess],
    postgres_db: str,
) -> None:
    leader = await leader_of(fake, fleet)
    [survivor] = [w for w in fleet if w is not leader]
    killed = asyncio.Event()
    killed_at = 0.0

    async def kill_the_poster(_message: dict[str, Any]) -> None:
        nonlocal killed_at
        if not killed.is_set():  # Discord has made the message; its worker never hears back
            leader.kill()
            killed_at = time.monotonic()
            killed.set()

    expected: set[str] = set()
    async with serve(FeedSite(name="Valley")) as site:
        day = datetime.now(UTC) - timedelta(hours=2)
        expected |= {f"{site.base}{e.link_path}" for e in site.add(12, day)}
        assert "12 items now waiting" in await add_digest(fake, site)
        fake.on_channel_post = kill_the_poster
        await digest_due(postgres_db)  # 12 items: two messages, killed after the first
        await fake.wait_for(killed.is_set, 90)
        fake.on_channel_post = None
        await fake.wait_for(lambda: LEADS in survivor.log.read_bytes(), 30)
        took_over = time.monotonic() - killed_at
        await fake.wait_for(lambda: set(item_links(fake, NEWS_ID)) >= expected, 90)
        first_run = len(posts(fake))

        expected |= {f"{site.base}{e.link_path}" for e in site.add(12, datetime.now(UTC))}
        await digest_due(postgres_db)  # the next digest, on the new leader
        await fake.wait_for(lambda: set(item_links(fake, NEWS_ID)) >= expected, 90)
        await asyncio.sleep(2)  # a duplicate would arrive now
    links = item_links(fake, NEWS_ID)
    duplicates = sum(n - 1 for n in links.values() if n > 1)
    losses = len(expected - set(links))
    assert (duplicates, losses, len(expected)) == (0, 0, 24)
    assert (first_run, len(posts(fake))) == (2, 4)
    assert b"posted a digest" in survivor.log.read_bytes()
    assert took_over < 10  # the lock went with the dead worker's connection
    # The message whose fate the dead worker never learnt was looked up, not posted again.
    history = f"/channels/{NEWS_ID}/messages"
    assert any(r.method == "GET" and r.path == history for r in fake.requests)


async def test_a_leader_that_loses_postgresql_stops_reconnects_and_the_schedule_goes_on(
    fake: FakeDiscord,
    gateway: ThreadBriefBot,
    fleet: list[WorkerProcess],
    postgres_db: str,
    postgres_server: PgServer,
) -> None:
    leader = await leader_of(fake, fleet)
    async with serve(FeedSite(name="Harbour")) as site:
        site.add(2, datetime.now(UTC) - timedelta(hours=2))
        assert "2 items now waiting" in await add_digest(fake, site)
        await asyncio.to_thread(postgres_server.restart)
        # The leader says it stopped; one worker (it, or the other) takes the schedule again.
        await fake.wait_for(
            lambda: b"stopped running the digest schedule" in leader.log.read_bytes(), 60
        )
        await fake.wait_for(lambda: sum(w.log.read_bytes().count(LEADS) for w in fleet) == 2, 60)
        await digest_due(postgres_db)
        await fake.wait_for(lambda: len(item_links(fake, NEWS_ID)) == 2, 90)
        await asyncio.sleep(2)  # a second post would come now
    assert set(item_links(fake, NEWS_ID).values()) == {1} and len(posts(fake)) == 1
    assert b"reconnected to the digest schedule's database" in leader.log.read_bytes()
    assert sum(w.log.read_bytes().count(LEADS) for w in fleet) == 2  # one leader at a time
