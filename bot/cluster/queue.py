"""The job queue in PostgreSQL: PgQueuer's tables, and the ledger of briefs the fleet answered.

PgQueuer hands each job to one worker (`FOR UPDATE SKIP LOCKED`) and hands it again to another
when the first stops sending heartbeats, so a killed worker costs a delay, not the brief. A job
may therefore run twice; `threadbrief_briefs` is the guard: a worker records each start and each
answer, and a job whose interaction was already answered is dropped without a second reply.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from pgqueuer import Queries

from bot.cluster.payload import QueuedBrief

BRIEF = "brief"
"""PgQueuer entrypoint of /summarize jobs."""
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
    """Queue a brief; None when this interaction is queued already (a replayed event)."""
    queries = Queries.from_asyncpg_pool(pool)
    [job_id] = await queries.enqueue(
        BRIEF,
        job.encode(),
        dedupe_key=f"brief:{job.reply.interaction_id}",
        on_conflict="skip",
    )
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
