"""Gateways as processes, end to end: two `threadbrief run --role gateway` processes hold shards
0 and 1 of 2 against the Discord stand-in, a worker process answers, PostgreSQL is real.

A gateway that is killed (SIGKILL) or stopped (SIGTERM) and started again with the same flags
identifies its shard again and the bot answers in that shard's server as before; the other
gateway's shard is never disconnected meanwhile. A link posted where auto-summary is on is
briefed by the worker, not in the gateway, and replied to once, even when its job runs again."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.cluster import queue
from bot.cluster.payload import AutoSummary
from bot.pipeline import BriefOptions
from tests.cluster import GatewayProcess, WorkerProcess, ledger_row, write_fleet_config
from tests.fakediscord.server import (
    ADMIN,
    BOT_USER,
    CHANNEL_ID,
    GUILD_ID,
    MEMBER,
    FakeDiscord,
    InteractionRecord,
)
from tests.localweb import serving

FIXTURE = Path(__file__).parent / "fixtures" / "tram-vote.txt"
pytestmark = pytest.mark.slow  # gateway and worker processes, PostgreSQL: the full run only
SHARDS = 2


@dataclass
class Fleet:
    gateways: dict[int, GatewayProcess]
    """Each gateway by the shard it holds."""
    worker: WorkerProcess

    @property
    def holder(self) -> int:
        """The shard that receives the test server's events."""
        return FakeDiscord.guild_shard(SHARDS)

    @property
    def other(self) -> int:
        return 1 - self.holder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def metrics_of(gateway: GatewayProcess) -> str:
    """The address of the gateway's /metrics, from its config."""
    port = re.search(r"port = (\d+)", gateway.config.read_text())
    assert port is not None
    return f"http://127.0.0.1:{port[1]}/metrics"


@pytest.fixture
async def fleet(fake: FakeDiscord, tmp_path: Path, postgres_db: str) -> AsyncIterator[Fleet]:
    def config(name: str, monitor: int | None = None) -> Path:
        return write_fleet_config(
            tmp_path,
            postgres_db,
            store=postgres_db,
            monitor=monitor,
            name=f"{name}.toml",
            max_jobs=1,
            message_content="true",
        )

    gateways = {
        shard: GatewayProcess(
            fake,
            config(f"gateway-{shard}", free_port()),
            f"gateway-{shard}",
            shards=str(shard),
            shard_count=SHARDS,
        )
        for shard in range(SHARDS)
    }
    worker = WorkerProcess(fake, config("worker"), "worker")
    try:
        await asyncio.gather(worker.start(), *(g.start() for g in gateways.values()))
        assert sorted(fake.shards_identified) == [(0, 2), (1, 2)]
        yield Fleet(gateways, worker)
    finally:
        await asyncio.gather(worker.stop(), *(g.stop() for g in gateways.values()))


async def brief_of_a_file(fake: FakeDiscord) -> InteractionRecord:
    """/summarize file in the test server, answered by the worker in place of "thinking…"."""
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)

    def briefed() -> bool:
        shown = record.original
        return bool(shown and shown["embeds"] and not shown["flags"] & 128)

    await fake.wait_for(briefed, within=90)
    return record


def answered_once(record: InteractionRecord) -> dict[str, Any]:
    assert [c["type"] for c in record.callbacks] == [5]  # the gateway deferred it, once
    assert record.followups == [] and not record.deleted
    assert record.original is not None
    finals = [e for e in record.original_edits if e.get("embeds")]
    assert len(finals) == 1 and finals[0]["allowed_mentions"] == {"parse": []}
    return dict(record.original["embeds"][0])


async def by_the_worker(record: InteractionRecord, fleet: Fleet, postgres_db: str) -> None:
    """The fleet's ledger: the worker made this brief, in one attempt, and answered it."""
    row = await ledger_row(postgres_db, record.payload["id"])
    assert row is not None and row["attempts"] == 1 and row["answered_at"] is not None
    assert f":{fleet.worker.pid}:" in str(row["worker"])


def never_disconnected(fake: FakeDiscord, shard: int) -> None:
    """The shard kept its one session and its one connection throughout."""
    [session] = fake.shard_sessions(shard)
    assert session.connected and session.ends == [] and session.resumes == 0
    assert fake.shards_identified.count((shard, SHARDS)) == 1


async def test_a_killed_gateway_comes_back_and_its_shard_answers_again(
    fake: FakeDiscord, fleet: Fleet, postgres_db: str
) -> None:
    holder = fleet.gateways[fleet.holder]
    before = fake.live_session(fleet.holder)
    assert before is not None

    holder.kill()
    await holder.wait()
    await fake.wait_for(lambda: fake.live_session(fleet.holder) is None, within=30)
    assert before.ends == [None]  # the connection dropped: no close frame from a killed process
    assert not before.invalidated  # Discord keeps such a session resumable for a while

    await holder.start()
    after = fake.live_session(fleet.holder)
    assert after is not None and after is not before and after.has_guild
    assert fake.shards_identified.count((fleet.holder, SHARDS)) == 2  # identified again

    record = await brief_of_a_file(fake)
    embed = answered_once(record)
    await by_the_worker(record, fleet, postgres_db)
    assert embed["title"] == "Council approves the river tram after a long night"
    never_disconnected(fake, fleet.other)


async def test_a_gateway_stopped_with_sigterm_closes_normally_and_comes_back(
    fake: FakeDiscord, fleet: Fleet, postgres_db: str
) -> None:
    holder = fleet.gateways[fleet.holder]
    before = fake.live_session(fleet.holder)
    assert before is not None

    await holder.stop()
    assert holder.process is not None and holder.process.returncode == 0
    assert before.ends == [1000] and before.invalidated  # a normal close ends the session
    assert fake.live_session(fleet.holder) is None
    assert b"stopping: SIGTERM received" in holder.log.read_bytes()

    await holder.start()
    after = fake.live_session(fleet.holder)
    assert after is not None and after is not before and after.has_guild
    assert fake.shards_identified.count((fleet.holder, SHARDS)) == 2

    record = await brief_of_a_file(fake)
    assert answered_once(record)["title"] == "Council approves the river tram after a long night"
    await by_the_worker(record, fleet, postgres_db)
    never_disconnected(fake, fleet.other)


ARTICLE = """<html><head><title>Night buses return</title></head><body><article>
<h1>Night buses return to the eastern suburbs</h1>
<p>The city council voted on Thursday to bring back night buses to the eastern suburbs.</p>
<p>Buses will run every thirty minutes between midnight and five in the morning.</p>
<p>The service will be paid for by a new levy on parking in the city centre.</p>
<p>Unions of night workers had asked for the buses since the service was cut three years ago.</p>
</article></body></html>"""


def replies_to(fake: FakeDiscord, posted: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot's messages in the channel that reply to `posted`."""
    return [
        m
        for m in fake.channel_messages
        if m["author"]["id"] == BOT_USER["id"]
        and (m.get("message_reference") or {}).get("message_id") == posted["id"]
    ]


async def logged(fake: FakeDiscord, process: GatewayProcess | WorkerProcess, text: str) -> None:
    await fake.wait_for(lambda: text.encode() in process.log.read_bytes(), within=90)


async def test_a_link_posted_where_auto_summary_is_on_is_briefed_by_the_worker_and_replied_once(
    fake: FakeDiscord, fleet: Fleet, postgres_db: str
) -> None:
    gateway = fleet.gateways[fleet.holder]
    turned_on = await fake.invoke_slash(
        "settings", subcommand="autosummary", user=ADMIN, channel=CHANNEL_ID, enabled=True
    )
    await fake.wait_for(lambda: turned_on.original, within=30)
    reads: list[str] = []

    async def article(request: web.Request) -> web.Response:
        reads.append(request.path)
        return web.Response(text=ARTICLE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/night-buses", article)
    async with serving(app) as base:
        link = f"{base}/night-buses"
        posted = await fake.post(f"The council brought the night buses back: {link}")
        [reply] = await fake.wait_for(lambda: replies_to(fake, posted), within=90)

        # What the channel shows: the brief, as a reply to the link, pinging nobody.
        assert reply["embeds"][0]["title"] == "Night buses return to the eastern suburbs"
        assert reply["type"] == 19 and reply["mentions"] == []
        sent = reply["_request"]
        assert sent["allowed_mentions"] == {"parse": [], "replied_user": False}
        assert sent["message_reference"]["fail_if_not_exists"] is False
        assert sent["nonce"] == f"auto{posted['id']}" and sent["enforce_nonce"] is True

        # The worker made it; the gateway only queued it, and its workers made no brief.
        await logged(fake, fleet.worker, f"replied to message {posted['id']} (reply {reply['id']})")
        assert b"queued auto-summary" in gateway.log.read_bytes()
        assert reads == ["/night-buses"]  # read once, by the worker
        async with (
            aiohttp.ClientSession() as http,
            http.get(metrics_of(gateway)) as answer,
        ):
            metrics = await answer.text()
        assert "threadbrief_briefs_served_total 0.0" in metrics
        assert "threadbrief_briefs_failed_total{" not in metrics

        # The same user again at once: the gateway keeps the cooldown, and says nothing.
        again = await fake.post(f"And again: {link}?again")
        await logged(fake, gateway, f"auto-summary skipped for {link}?again")
        # A link that cannot be read: the worker logs it, the channel sees nothing.
        broken = await fake.post(f"Read this: {base}/gone", author=ADMIN)
        await logged(fake, fleet.worker, f"auto-summary skipped for {base}/gone")

        # The job runs again (a worker died after posting, say): Discord returns the reply
        # the first run posted, and the channel still shows one.
        pool = await queue.connect(postgres_db)
        try:
            retried = AutoSummary(
                guild_id=GUILD_ID,
                channel_id=CHANNEL_ID,
                message_id=int(posted["id"]),
                author_id=int(MEMBER["id"]),
                url=link,
                options=BriefOptions(),
                enqueued_at=time.time(),
            )
            assert await queue.enqueue_auto_summary(pool, retried) is not None
        finally:
            await pool.close()
        await fake.wait_for(lambda: fake.deduplicated, within=90)
    assert fake.deduplicated == [f"auto{posted['id']}"]
    assert replies_to(fake, posted) == [reply]
    assert replies_to(fake, again) == [] and replies_to(fake, broken) == []
    bot_posts = [m for m in fake.channel_messages if m["author"]["id"] == BOT_USER["id"]]
    assert bot_posts == [reply]
