"""A clock for the digest scheduler that tests move by hand: days pass in milliseconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta


class VirtualClock:
    def __init__(self, start: datetime) -> None:
        self._now = start
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []
        self.registrations = 0

    def now(self) -> datetime:
        return self._now

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (when, future)
        self._sleepers.append(entry)
        self.registrations += 1
        waiter = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({future, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if entry in self._sleepers:
                self._sleepers.remove(entry)

    async def advance(self, delta: timedelta, settled: Callable[[], bool]) -> None:
        """Move time forward, waking each sleeper at its time and letting its work finish."""
        target = self._now + delta
        await _until(settled)
        for _ in range(10_000):
            due = [s for s in self._sleepers if s[0] <= target]
            if not due:
                break
            entry = min(due, key=lambda s: s[0])
            self._sleepers.remove(entry)
            self._now = max(self._now, entry[0])
            before = self.registrations
            entry[1].set_result(None)
            await _until(lambda b=before: self.registrations > b and settled())
        self._now = target


async def _until(predicate: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the scheduler did not settle")
        await asyncio.sleep(0.005)
