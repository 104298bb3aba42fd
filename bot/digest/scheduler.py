"""When digests run: a loop that sleeps until the next subscription is due.

At start it first delivers whatever a crash left in the outbox, then runs every subscription
whose time passed while the bot was down, once (one digest covering the gap, not one per missed
slot). Runs of different subscriptions go concurrently, so a slow or failing source delays no
other; a subscription never runs twice at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.clock import Clock
from bot.digest.service import DigestService
from bot.digest.state import Subscription

log = logging.getLogger("threadbrief.digest")

IDLE_NAP = timedelta(days=1)


class Scheduler:
    def __init__(self, service: DigestService, clock: Clock, *, concurrency: int = 4) -> None:
        self.service = service
        self.clock = clock
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._sleeping = False
        self.rounds = 0

    def poke(self) -> None:
        """Look at the subscriptions again now (one was added, resumed or removed)."""
        self._wake.set()

    @property
    def idle(self) -> bool:
        """Asleep with nothing running and nothing to look at: what tests wait for."""
        return self._sleeping and not self._running and not self._wake.is_set()

    async def run_forever(self) -> None:
        try:
            await self.service.resume()
        except Exception:
            log.exception("could not resume the digest outbox")
        while True:
            self._wake.clear()
            try:
                now = self.clock.now()
                for subscription in await self.service.state.due(now, exclude=self._running):
                    self._start(subscription)
                following = await self.service.state.next_due(exclude=self._running)
            except Exception:
                log.exception("digest scheduler could not read its state")
                following = None
            wake_at = following or self.clock.now() + IDLE_NAP
            self.rounds += 1
            self._sleeping = True
            try:
                await self.clock.sleep_until(wake_at, self._wake)
            finally:
                self._sleeping = False

    def _start(self, subscription: Subscription) -> None:
        self._running[subscription.id] = asyncio.create_task(
            self._run(subscription), name=f"digest-{subscription.id}"
        )

    async def _run(self, subscription: Subscription) -> None:
        try:
            async with self._slots:
                await self.service.run(subscription)
        except Exception:
            log.exception("digest %s failed unexpectedly", subscription.id)
        finally:
            self._running.pop(subscription.id, None)
            self._wake.set()

    async def stop(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)
