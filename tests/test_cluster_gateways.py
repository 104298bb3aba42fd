"""Gateways as processes, end to end: two `threadbrief run --role gateway` processes hold shards
0 and 1 of 2 against the Discord stand-in, a worker process answers, PostgreSQL is real.

A gateway that is killed (SIGKILL) or stopped (SIGTERM) and started again with the same flags
identifies its shard again and the bot answers in that shard's server as before; the other
gateway's shard is never disconnected meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import GatewayProcess, WorkerProcess, write_fleet_config
from tests.fakediscord.server import FakeDiscord, InteractionRecord

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


@pytest.fixture
async def fleet(fake: FakeDiscord, tmp_path: Path, postgres_db: str) -> AsyncIterator[Fleet]:
    config = write_fleet_config(tmp_path, postgres_db, store=postgres_db, max_jobs=1)
    gateways = {
        shard: GatewayProcess(
            fake, config, f"gateway-{shard}", shards=str(shard), shard_count=SHARDS
        )
        for shard in range(SHARDS)
    }
    worker = WorkerProcess(fake, config, "worker")
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


def never_disconnected(fake: FakeDiscord, shard: int) -> None:
    """The shard kept its one session and its one connection throughout."""
    [session] = fake.shard_sessions(shard)
    assert session.connected and session.ends == [] and session.resumes == 0
    assert fake.shards_identified.count((shard, SHARDS)) == 1


async def test_a_killed_gateway_comes_back_and_its_shard_answers_again(
    fake: FakeDiscord, fleet: Fleet
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
    assert embed["title"] == "Council approves the river tram after a long night"
    never_disconnected(fake, fleet.other)


async def test_a_gateway_stopped_with_sigterm_closes_normally_and_comes_back(
    fake: FakeDiscord, fleet: Fleet
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
    never_disconnected(fake, fleet.other)
