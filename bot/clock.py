"""Time as a dependency: the scheduler asks a `Clock`, so tests can run days in milliseconds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol

MAX_NAP = 300.0
"""Longest single wait: a wall clock that jumps (suspend, NTP) is noticed within five minutes."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> None:
        """Return at `when`, when `wake` is set, or earlier; callers re-check the time."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> None:
        delay = min(MAX_NAP, max(0.0, (when - self.now()).total_seconds()))
        try:
            await asyncio.wait_for(wake.wait(), delay)
        except TimeoutError:
            pass
