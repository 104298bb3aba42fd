"""The job queue in PostgreSQL: PgQueuer's tables, and the ledger of briefs the fleet answered.

PgQueuer hands each job to one worker (`FOR UPDATE SKIP LOCKED`) and hands it again to another
when the first stops sending heartbeats, so a killed worker costs a delay, not the brief. A job
may therefore run twice; `threadbrief_briefs` is the guard: a worker records each start and each
answer, and a job whose interaction was already answered is dropped without a second reply.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from pgqueuer import Queries

from bot.cluster.payload import AutoSummary, QueuedBrief

BRIEF = "brief"
"""PgQueuer entrypoint of /summarize jobs."""
AUTO_SUMMARY = "auto-summary"
"""PgQueuer entrypoint of links posted in auto-summary channels."""
SCHEMA_LOCK = 0x7468_7262_7266
"""Advisory lock key: one process at a time installs the schema."""

LEDGER = """
CREATE TABLE IF NOT EXISTS threadbrief_briefs (
    interaction_id bigint PRIMARY KEY,
    enqueued_at double precision NOT NULL,
    first_started_at double precision NOT NULL,
    started_at double precision NOT NULL,
    attempts integer NOT NULL DEFAULT 1,
    worker text NOT NULL,
    answered_at double precision
);
CREATE TABLE IF NOT EXISTS threadbrief_pages (
    nonce text PRIMARY KEY,
    owner_id bigint NOT NULL,
    embeds jsonb NOT NULL,
    page integer NOT NULL DEFAULT 0,
    expires_at double precision NOT NULL
);
CREATE TABLE IF NOT EXISTS threadbrief_rate (
    name text PRIMARY KEY,
    tokens double precision NOT NULL,
    at timestamptz NOT NULL
);
"""


async def connect(dsn: str, *, size: int = 4) -> asyncpg.Pool:
    """A pool on the database, with PgQueuer's schema and ours installed (once, under a lock)."""
    pool: asyncpg.Pool = await asyncpg.create_pool(dsn, min_size=1, max_size=size)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
        queries = Queries.from_asyncpg_connection(conn)
        if not await queries.schema_is_installed():
            await queries.install()
        await conn.execute(LEDGER)
    return pool


async def enqueue(pool: asyncpg.Pool, job: QueuedBrief) -> int | None:
    """Queue a brief; None when this interaction is queued already (a replayed event).

    A connection the server dropped (PostgreSQL restarted) is found only when used: the pool
    then opens a fresh one, so one failure on a stale connection is tried again once."""
    queries = Queries.from_asyncpg_pool(pool)
    try:
        return await _enqueue(queries, job)
    except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError):
        return await _enqueue(queries, job)


async def enqueue_auto_summary(pool: asyncpg.Pool, job: AutoSummary) -> int | None:
    """Queue an auto-summary; None when this message is queued already (a replayed event, or
    two sessions of its shard). Retried once on a stale connection, as `enqueue`."""
    queries = Queries.from_asyncpg_pool(pool)
    key = f"auto-summary:{job.message_id}"
    try:
        return await _put(queries, AUTO_SUMMARY, job.encode(), key)
    except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError):
        return await _put(queries, AUTO_SUMMARY, job.encode(), key)


async def _enqueue(queries: Queries, job: QueuedBrief) -> int | None:
    return await _put(queries, BRIEF, job.encode(), f"brief:{job.reply.interaction_id}")


async def _put(queries: Queries, entrypoint: str, payload: bytes, key: str) -> int | None:
    [job_id] = await queries.enqueue(entrypoint, payload, dedupe_key=key, on_conflict="skip")
    return int(job_id) if job_id is not None else None


@dataclass(frozen=True, slots=True)
class Start:
    attempt: int
    answered: bool
    """Another run of this job already answered the user: do nothing."""


async def record_start(pool: asyncpg.Pool, job: QueuedBrief, worker: str) -> Start:
    now = time.time()
    row = await pool.fetchrow(
        """
        INSERT INTO threadbrief_briefs
            (interaction_id, enqueued_at, first_started_at, started_at, worker)
        VALUES ($1, $2, $3, $3, $4)
        ON CONFLICT (interaction_id) DO UPDATE SET
            attempts = threadbrief_briefs.attempts + 1,
            started_at = EXCLUDED.started_at,
            worker = EXCLUDED.worker
        RETURNING attempts, answered_at
        """,
        job.reply.interaction_id,
        job.enqueued_at,
        now,
        worker,
    )
    assert row is not None
    return Start(attempt=int(row["attempts"]), answered=row["answered_at"] is not None)


async def record_answer(pool: asyncpg.Pool, job: QueuedBrief) -> None:
    await pool.execute(
        "UPDATE threadbrief_briefs SET answered_at = $2 WHERE interaction_id = $1",
        job.reply.interaction_id,
        time.time(),
    )


async def ledger(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Every brief's record, for the benchmark and the tests."""
    rows = await pool.fetch("SELECT * FROM threadbrief_briefs ORDER BY enqueued_at")
    return [dict(r) for r in rows]


PAGES_KEPT = 600.0
"""Seconds a brief's pages stay turnable, as on one machine (cogs/brief_view.py)."""


async def save_pages(
    pool: asyncpg.Pool, nonce: str, owner_id: int, embeds: list[dict[str, Any]]
) -> None:
    """Keep a brief's pages where any gateway can turn them (the worker made them)."""
    await pool.execute(
        "DELETE FROM threadbrief_pages WHERE expires_at < $1", time.time()
    )  # old briefs go as new ones come
    await pool.execute(
        "INSERT INTO threadbrief_pages (nonce, owner_id, embeds, expires_at) "
        "VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (nonce) DO NOTHING",
        nonce,
        owner_id,
        json.dumps(embeds),
        time.time() + PAGES_KEPT,
    )


@dataclass(frozen=True, slots=True)
class Page:
    owner_id: int
    index: int
    count: int
    embed: dict[str, Any]


async def turn_page(pool: asyncpg.Pool, nonce: str, step: int, user_id: int) -> Page | None:
    """The page `step` away from the one shown (turned only for its owner); None once the
    pages are gone."""
    row = await pool.fetchrow(
        """
        UPDATE threadbrief_pages SET page = CASE WHEN owner_id = $3
            THEN GREATEST(0, LEAST(jsonb_array_length(embeds) - 1, page + $2)) ELSE page END
        WHERE nonce = $1 AND expires_at >= $4
        RETURNING owner_id, page, jsonb_array_length(embeds) AS count, embeds -> page AS embed
        """,
        nonce,
        step,
        user_id,
        time.time(),
    )
    if row is None:
        return None
    return Page(int(row["owner_id"]), int(row["page"]), int(row["count"]), json.loads(row["embed"]))
