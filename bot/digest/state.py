"""Digest state in the bot's database (SQLite or PostgreSQL, `bot.storage`): subscriptions,
posted items and the outbox.

A run is crash-safe because of the order of writes. Planning a digest writes, in one
transaction, an outbox row per message (status "pending") and the keys of every item in it. Each
row is marked "sending" before it is posted and "sent", with the message id, after. After a
crash, "pending" rows are posted and "sending" rows are first looked for in the channel (by the
reference in their footer): every item is posted once, whenever the process died. The writes a
post depends on ("sending", which carries the plan before it, and the items known at /digest
add) are durable transactions: in the database file itself before the post, so even a WAL lost
while the bot was down cannot make it post twice.
With several processes, a run's outbox writes are fenced to the process holding the subscription
(`StateStore.exclusive`): one that lost it cannot mark or plan anything.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.errors import BadInput, NotFoundError
from bot.storage import Conflict, StateStore

_COLUMNS = (
    "id, guild_id, channel_id, source, schedule, timezone, post_empty, created_by, created_at,"
    " paused, next_run, retry_at, last_run, last_success, last_result, failures, failure_notified,"
    " forum_tag, publish"
)


def stamp(moment: datetime) -> str:
    """A UTC instant as text that sorts in time order."""
    return moment.isoformat(timespec="microseconds")


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int
    channel_id: int
    source: str
    schedule: str
    timezone: str
    post_empty: bool
    created_by: int | None
    created_at: datetime
    paused: bool
    next_run: datetime
    retry_at: datetime | None
    last_run: datetime | None
    last_success: datetime | None
    last_result: str | None
    failures: int
    failure_notified: bool
    forum_tag: int | None = None
    """In a forum channel: the tag each digest post gets."""
    publish: bool = False
    """In an announcement channel: publish each digest to the servers that follow it."""

    @property
    def due_at(self) -> datetime:
        """When it next runs: the scheduled time, or an earlier retry after a failure."""
        if self.retry_at is not None and self.retry_at < self.next_run:
            return self.retry_at
        return self.next_run


def _subscription(row: Sequence[Any]) -> Subscription:
    return Subscription(
        id=row[0],
        guild_id=row[1],
        channel_id=row[2],
        source=row[3],
        schedule=row[4],
        timezone=row[5],
        post_empty=bool(row[6]),
        created_by=row[7],
        created_at=datetime.fromisoformat(row[8]),
        paused=bool(row[9]),
        next_run=datetime.fromisoformat(row[10]),
        retry_at=_moment(row[11]),
        last_run=_moment(row[12]),
        last_success=_moment(row[13]),
        last_result=row[14],
        failures=row[15],
        failure_notified=bool(row[16]),
        forum_tag=row[17],
        publish=bool(row[18]),
    )


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    subscription_id: int
    channel_id: int
    marker: str
    payload: dict[str, Any]
    status: str
    attempted_at: datetime | None


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    payload: dict[str, Any]
    keys: tuple[str, ...]


class DigestState:
    def __init__(self, store: StateStore) -> None:
        self.store = store

    # -- subscriptions ------------------------------------------------------------------------

    async def add(
        self,
        *,
        guild_id: int,
        channel_id: int,
        source: str,
        schedule: str,
        timezone: str,
        created_by: int | None,
        now: datetime,
        next_run: datetime,
        limit: int,
        post_empty: bool = False,
        forum_tag: int | None = None,
        publish: bool = False,
    ) -> Subscription:
        async with self.store.transaction() as db:
            row = await db.fetchone(
                "SELECT COUNT(*) FROM subscriptions WHERE guild_id = ?", (guild_id,)
            )
            if row is not None and row[0] >= limit:
                raise BadInput(
                    f"This server already has {row[0]} digests, the most this bot allows.",
                    hint="Remove one with /digest remove, or ask the bot's owner to raise "
                    "bot.digest_limit.",
                )
            try:
                created = await db.fetchone(
                    "INSERT INTO subscriptions (guild_id, channel_id, source, schedule, timezone,"
                    " post_empty, created_by, created_at, next_run, forum_tag, publish)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (
                        guild_id,
                        channel_id,
                        source,
                        schedule,
                        timezone,
                        int(post_empty),
                        created_by,
                        stamp(now),
                        stamp(next_run),
                        forum_tag,
                        int(publish),
                    ),
                )
            except Conflict:
                raise BadInput(
                    "That channel already has a digest of this source.",
                    hint="See it with /digest list.",
                ) from None
        assert created is not None
        return await self.get(guild_id, int(created[0]))

    async def get(self, guild_id: int, subscription_id: int) -> Subscription:
        row = await self.store.fetchone(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE id = ? AND guild_id = ?",
            (subscription_id, guild_id),
        )
        if row is None:
            raise NotFoundError(
                f"This server has no digest #{subscription_id}.",
                hint="/digest list shows the numbers.",
            )
        return _subscription(row)

    async def by_id(self, subscription_id: int) -> Subscription | None:
        row = await self.store.fetchone(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE id = ?", (subscription_id,)
        )
        return _subscription(row) if row else None

    async def subscriptions(self, guild_id: int | None = None) -> list[Subscription]:
        where, args = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        rows = await self.store.fetchall(
            f"SELECT {_COLUMNS} FROM subscriptions {where} ORDER BY id", args
        )
        return [_subscription(r) for r in rows]

    async def remove(self, guild_id: int, subscription_id: int) -> Subscription:
        found = await self.get(guild_id, subscription_id)
        async with self.store.transaction() as db:
            await db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
        return found

    async def set_paused(
        self, guild_id: int, subscription_id: int, paused: bool, next_run: datetime | None = None
    ) -> Subscription:
        found = await self.get(guild_id, subscription_id)
        async with self.store.transaction() as db:
            await db.execute(
                "UPDATE subscriptions SET paused = ?, next_run = ? WHERE id = ?",
                (int(paused), stamp(next_run or found.next_run), subscription_id),
            )
        return await self.get(guild_id, subscription_id)

    async def due(self, now: datetime, exclude: Collection[int] = ()) -> list[Subscription]:
        return [
            s
            for s in await self.subscriptions()
            if not s.paused and s.due_at <= now and s.id not in exclude
        ]

    async def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        times = [
            s.due_at for s in await self.subscriptions() if not s.paused and s.id not in exclude
        ]
        return min(times, default=None)

    async def record_success(
        self, subscription_id: int, now: datetime, result: str, next_run: datetime | None
    ) -> None:
        async with self.store.transaction() as db:
            await db.execute(
                "UPDATE subscriptions SET last_run = ?, last_success = ?, last_result = ?,"
                " failures = 0, failure_notified = 0, retry_at = NULL,"
                " next_run = COALESCE(?, next_run) WHERE id = ?",
                (stamp(now), stamp(now), result, next_run and stamp(next_run), subscription_id),
            )

    async def record_failure(
        self,
        subscription_id: int,
        now: datetime,
        result: str,
        retry_at: datetime,
        next_run: datetime | None,
    ) -> None:
        async with self.store.transaction() as db:
            await db.execute(
                "UPDATE subscriptions SET last_run = ?, last_result = ?, failures = failures + 1,"
                " retry_at = ?, next_run = COALESCE(?, next_run) WHERE id = ?",
                (
                    stamp(now),
                    result,
                    stamp(retry_at),
                    next_run and stamp(next_run),
                    subscription_id,
                ),
            )

    async def set_notified(self, subscription_id: int) -> None:
        async with self.store.transaction() as db:
            await db.execute(
                "UPDATE subscriptions SET failure_notified = 1 WHERE id = ?", (subscription_id,)
            )

    # -- items and outbox ---------------------------------------------------------------------

    async def seen(self, channel_id: int, keys: Collection[str]) -> set[str]:
        """Which of `keys` were already posted (or are planned) in the channel."""
        found: set[str] = set()
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.store.fetchall(
                f"SELECT key FROM posted_items WHERE channel_id = ? AND key IN ({marks})",
                (channel_id, *chunk),
            )
            found.update(r[0] for r in rows)
        return found

    async def plan(
        self, subscription: Subscription, messages: Sequence[PlannedMessage], now: datetime
    ) -> list[OutboxRow]:
        """Write the digest's messages and claim their items, all at once."""
        rows: list[OutboxRow] = []
        async with self.store.transaction(fence=subscription.id) as db:
            for message in messages:
                marker = uuid.uuid4().hex[:12]
                created = await db.fetchone(
                    "INSERT INTO outbox (subscription_id, channel_id, marker, payload, status,"
                    " created_at) VALUES (?, ?, ?, ?, 'pending', ?) RETURNING id",
                    (
                        subscription.id,
                        subscription.channel_id,
                        marker,
                        json.dumps(message.payload),
                        stamp(now),
                    ),
                )
                assert created is not None
                row_id = int(created[0])
                await db.executemany(
                    "INSERT INTO posted_items (channel_id, key, subscription_id,"
                    " outbox_id, posted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [
                        (subscription.channel_id, k, subscription.id, row_id, stamp(now))
                        for k in message.keys
                    ],
                )
                rows.append(
                    OutboxRow(
                        row_id,
                        subscription.id,
                        subscription.channel_id,
                        marker,
                        message.payload,
                        "pending",
                        None,
                    )
                )
        return rows

    async def unsent(self, subscription_id: int | None = None) -> list[OutboxRow]:
        where = "status IN ('pending', 'sending')"
        args: tuple[Any, ...] = ()
        if subscription_id is not None:
            where += " AND subscription_id = ?"
            args = (subscription_id,)
        rows = await self.store.fetchall(
            "SELECT id, subscription_id, channel_id, marker, payload, status, attempted_at"
            f" FROM outbox WHERE {where} ORDER BY id",
            args,
        )
        return [
            OutboxRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], _moment(r[6])) for r in rows
        ]

    async def mark_sending(self, row_id: int, now: datetime, *, fence: int | None = None) -> None:
        async with self.store.transaction(durable=True, fence=fence) as db:
            await db.execute(
                "UPDATE outbox SET status = 'sending', attempted_at = COALESCE(attempted_at, ?)"
                " WHERE id = ?",
                (stamp(now), row_id),
            )

    async def mark_sent(self, row_id: int, message_id: int, *, fence: int | None = None) -> None:
        async with self.store.transaction(fence=fence) as db:
            await db.execute(
                "UPDATE outbox SET status = 'sent', message_id = ?, payload = '{}' WHERE id = ?",
                (message_id, row_id),
            )

    async def release(self, row_id: int, *, fence: int | None = None) -> None:
        """Give up a message Discord refused: its items become new again, for a later digest."""
        async with self.store.transaction(fence=fence) as db:
            await db.execute("DELETE FROM posted_items WHERE outbox_id = ?", (row_id,))
            await db.execute("DELETE FROM outbox WHERE id = ?", (row_id,))

    async def drop(self, row_id: int, *, fence: int | None = None) -> None:
        """A message Discord refused as such: never posted again, its items stay claimed."""
        async with self.store.transaction(fence=fence) as db:
            await db.execute(
                "UPDATE outbox SET status = 'dropped', payload = '{}' WHERE id = ?", (row_id,)
            )

    async def mark_seen(
        self, subscription: Subscription, keys: Collection[str], now: datetime
    ) -> None:
        """Items that exist when a digest is added: known, so never posted as news."""
        async with self.store.transaction(durable=True) as db:
            await db.executemany(
                "INSERT INTO posted_items (channel_id, key, subscription_id, outbox_id,"
                " posted_at) VALUES (?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING",
                [(subscription.channel_id, k, subscription.id, stamp(now)) for k in keys],
            )
