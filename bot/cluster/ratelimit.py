"""One request budget for the whole fleet, kept in PostgreSQL: Discord counts per bot, not per
process.

A token bucket in one row: each request takes a token (an atomic UPDATE computes the refill
since the last one and subtracts one). A negative balance is a reservation: the caller sleeps
until its token is due, so waiting callers are spaced exactly `rate` apart across all workers.
With `rate` 40 and `burst` 10, no second can see more than 50 requests.
"""

from __future__ import annotations

import asyncio

import asyncpg

TAKE = """
INSERT INTO threadbrief_rate (name, tokens, at) VALUES ($1, $3 - 1, clock_timestamp())
ON CONFLICT (name) DO UPDATE SET
    tokens = LEAST(
        $3,
        threadbrief_rate.tokens
            + EXTRACT(EPOCH FROM clock_timestamp() - threadbrief_rate.at)::float8 * $2
    ) - 1,
    at = clock_timestamp()
RETURNING tokens
"""


class FleetRateLimit:
    def __init__(
        self, pool: asyncpg.Pool, *, rate: float, burst: float, name: str = "discord"
    ) -> None:
        self.pool = pool
        self.rate = rate
        self.burst = burst
        self.name = name
        self.waited = 0.0
        """Seconds this process spent waiting for its turn (for logs and the benchmark)."""

    async def acquire(self) -> None:
        tokens = await self.pool.fetchval(TAKE, self.name, self.rate, self.burst)
        if tokens < 0:
            delay = -float(tokens) / self.rate
            self.waited += delay
            await asyncio.sleep(delay)
