"""When digests run: a loop that sleeps until the next subscription is due.

At start it first delivers whatever a crash left in the outbox, then runs every subscription
whose time passed while the bot was down, once (one digest covering the gap, not one per missed
slot). Runs of different subscriptions go concurrently, so a slow or failing source delays no
other; a subscription never runs twice at once.

When the state itself fails (a damaged page, a full disk, a file gone read-only) the scheduler
says so in the log and, once per outage, in the channels it knows, and tries again after a
backoff that doubles from 30 s to 15 min: never a day's sleep, never a loop that rereads a
failing feed as fast as it can.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.digest.service import DigestService
from bot.digest.state import Subscription

log = logging.getLogger("threadbrief.digest")

IDLE_NAP = timedelta(days=1)
FIRST_BACKOFF = timedelta(seconds=30)
LONGEST_BACKOFF = timedelta(minutes=15)
ELSEWHERE_WAIT = timedelta(seconds=2)
"""How long a digest another process is running waits before this one looks at it again: it
has run by then (and is no longer due), or its process died and the digest is free."""


def backoff(failures: int) -> timedelta:
    """The wait after `failures` state failures in a row: 30 s, 1 min, 2 min ... 15 min."""
    return min(FIRST_BACKOFF * (1 << min(failures - 1, 10)), LONGEST_BACKOFF)


class Scheduler:
    def __init__(self, service: DigestService, clock: Clock, *, concurrency: int = 4) -> None:
        self.service = service
        self.clock = clock
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._sleeping = False
        self.rounds = 0
        self.state_failures = 0
        """State reads that failed in a row (0 when the last one worked)."""
        self._held: dict[int, tuple[datetime, int]] = {}
        """Subscriptions whose run could not record its outcome: (retry at, failures in a row)."""
        self._channels: set[int] = set()
        """Channels with a digest, as last read: who to tell when the state fails."""
        self._told: set[int] = set()

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
            now = self.clock.now()
            held = {i for i, (until, _) in self._held.items() if until > now}
            try:
                self._channels = {s.channel_id for s in await self.service.state.subscriptions()}
                skip = {*self._running, *held}
                for subscription in await self.service.state.due(now, exclude=skip):
                    self._start(subscription)
                following = await self.service.state.next_due(exclude={*self._running, *held})
            except Exception as error:
                wake_at = await self._state_failed(error)
            else:
                if self.state_failures:
                    log.info("digest state readable again after %d failures", self.state_failures)
                    self._told.clear()
                self.state_failures = 0
                retries = [until for until, _ in self._held.values() if until > now]
                times = [t for t in (following, *retries) if t is not None]
                wake_at = min(times) if times else now + IDLE_NAP
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
                result = await self.service.run(subscription)
        except Exception as error:
            # The run could not even record how it went (a full disk, a damaged database): hold
            # the subscription back, or the next round would start it again at once.
            _, failures = self._held.get(subscription.id, (None, 0))
            delay = backoff(failures + 1)
            self._held[subscription.id] = (self.clock.now() + delay, failures + 1)
            log.error(
                "digest %s could not record its run (%s: %s); next try in %s",
                subscription.id,
                type(error).__name__,
                error,
                delay,
            )
            if failures == 0:
                await self._tell(
                    subscription.channel_id,
                    "⚠️ A digest of this channel could not save its progress (the bot's "
                    "database could not be written). It will try again in a while; the bot's "
                    "owner should check the server's disk.",
                )
        else:
            if result.elsewhere:
                self._held[subscription.id] = (self.clock.now() + ELSEWHERE_WAIT, 0)
            elif self._held.pop(subscription.id, None) is not None:
                self._told.discard(subscription.channel_id)
        finally:
            self._running.pop(subscription.id, None)
            self._wake.set()

    async def _state_failed(self, error: Exception) -> datetime:
        self.state_failures += 1
        delay = backoff(self.state_failures)
        log.error(
            "digest scheduler could not read its state (%s: %s); digests wait, next try in %s",
            type(error).__name__,
            error,
            delay,
        )
        if self.state_failures == 1:
            for channel_id in sorted(self._channels - self._told):
                await self._tell(
                    channel_id,
                    "⚠️ Digests are paused: the bot cannot read its database. They resume by "
                    "themselves once it can; the bot's owner should check the server's logs.",
                )
        return self.clock.now() + delay

    async def _tell(self, channel_id: int, text: str) -> None:
        """A notice in a channel, once per outage; a failure to post is only logged."""
        if channel_id in self._told:
            return
        self._told.add(channel_id)
        try:
            await self.service.poster.post(channel_id, {"content": text, "embeds": []})
        except Exception:
            log.warning("could not tell channel %s that digests are failing", channel_id)

    async def stop(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)
