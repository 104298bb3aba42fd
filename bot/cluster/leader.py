"""One digest schedule for the whole fleet: the worker holding a PostgreSQL advisory lock runs it.

The lock is a session lock on a connection of its own: when the leader dies (SIGKILL, a lost
machine) its connection closes, the server frees the lock, and another worker, trying every
`LEADER_RETRY` seconds, takes it. The same connection LISTENs on `WAKE_CHANNEL`, where a gateway
NOTIFYs after `/digest add`, `resume`, `pause` or `remove`, so the leader reads the subscriptions
again at once; a notification lost with a connection only delays until the leader's own timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg

from bot.storage import StateStore

LEADER_LOCK = 0x7468_7262_6C64
"""The advisory lock key of the digest schedule: one bigint. `bot.pgstore`'s per-subscription
locks take two int4 keys (`LOCK_SPACE`, id), a key space of their own in PostgreSQL."""
WAKE_CHANNEL = "threadbrief_digests"
"""NOTIFY channel: the subscriptions changed, read them again."""
LEADER_RETRY = 2.0
"""Seconds between a waiting worker's tries at the lock: how soon a dead leader is replaced."""


class Leadership:
    """One candidate for the digest schedule: `take()` tries the lock, `lost` ends with it."""

    def __init__(self, dsn: str, on_wake: Callable[[], None] | None = None) -> None:
        self.dsn = dsn
        self.on_wake = on_wake
        self.held = False
        self._conn: Any = None
        self._lost = asyncio.Event()

    async def take(self) -> bool:
        """Try the lock once (connecting first if need be); True while this candidate leads."""
        if self.held:
            return not self._lost.is_set()
        if self._conn is None or self._conn.is_closed():
            self._lost.clear()
            self._conn = await asyncpg.connect(self.dsn)
            self._conn.add_termination_listener(lambda _conn: self._lost.set())
        self.held = bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK))
        if self.held:
            await self._conn.add_listener(WAKE_CHANNEL, self._notified)
        return self.held

    def _notified(self, *_: object) -> None:
        if self.on_wake is not None:
            self.on_wake()

    @property
    def lost_connection(self) -> bool:
        return self._lost.is_set()

    async def lost(self) -> None:
        """Returns when the connection holding the lock has ended (the lock is gone with it)."""
        await self._lost.wait()

    async def close(self) -> None:
        """Give the lock up: closing the session frees it for the next candidate."""
        self.held = False
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), 5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                conn.terminate()


async def wake_schedule(store: StateStore) -> None:
    """Tell the fleet's scheduler the subscriptions changed (a gateway, after a /digest change)."""
    await store.fetchone(f"SELECT pg_notify('{WAKE_CHANNEL}', '')")
