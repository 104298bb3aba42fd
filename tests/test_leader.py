"""The digest schedule's election against a real PostgreSQL: one candidate leads, the other
waits; closing (or a dead connection) hands the schedule over; a NOTIFY wakes the leader only."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.cluster.leader import LEADER_LOCK, Leadership, wake_schedule
from bot.pgstore import LOCK_SPACE, PgStore

pytestmark = pytest.mark.slow  # a PostgreSQL server of its own


async def test_one_of_two_candidates_leads_until_it_closes(postgres_db: str) -> None:
    first, second = Leadership(postgres_db), Leadership(postgres_db)
    try:
        assert await first.take()
        assert not await second.take()
        assert await first.take()  # still the leader, asked again
        assert not await second.take()
        await first.close()
        assert await second.take()
        assert not await first.take()  # the old leader, back, waits its turn
    finally:
        await first.close()
        await second.close()


async def test_a_leader_whose_connection_dies_is_replaced(postgres_db: str) -> None:
    leader, waiting = Leadership(postgres_db), Leadership(postgres_db)
    admin = await asyncpg.connect(postgres_db)
    try:
        assert await leader.take()
        assert not await waiting.take()
        pid = await admin.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objid = $2 AND objsubid = 1",
            LEADER_LOCK >> 32,
            LEADER_LOCK & 0xFFFFFFFF,
        )
        await admin.execute("SELECT pg_terminate_backend($1)", pid)  # as if its host died
        await asyncio.wait_for(leader.lost(), 10)
        assert leader.lost_connection
        assert await waiting.take()
    finally:
        await admin.close()
        await leader.close()
        await waiting.close()


async def test_the_schedule_lock_is_not_a_subscription_lock(postgres_db: str) -> None:
    """A digest's own lock (bot.pgstore `exclusive`) never blocks the election, nor the reverse,
    whatever the digest's id."""
    leader = Leadership(postgres_db)
    async with PgStore(postgres_db) as store:
        try:
            assert await leader.take()
            for key in (0, 1, LEADER_LOCK & 0xFFFFFFFF, LEADER_LOCK >> 32, LOCK_SPACE):
                async with store.exclusive(key) as mine:
                    assert mine
        finally:
            await leader.close()


async def test_a_gateway_s_notify_wakes_the_leader(postgres_db: str) -> None:
    woken = asyncio.Event()
    leader = Leadership(postgres_db, on_wake=woken.set)
    async with PgStore(postgres_db) as store:
        try:
            assert await leader.take()
            await wake_schedule(store)
            await asyncio.wait_for(woken.wait(), 10)
        finally:
            await leader.close()
