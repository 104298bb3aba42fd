"""The digest scheduler, with a fake service and state: which digests run, and when."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.digest.scheduler import Scheduler
from bot.digest.service import RunResult
from bot.digest.state import Subscription
from tests.unit.fakes import FakePoster
from tests.virtualclock import VirtualClock

START = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def subscription(number: int, next_run: datetime, channel: int = 500) -> Subscription:
    return Subscription(
        id=number,
        guild_id=1,
        channel_id=channel + number,
        source=f"https://site{number}.example/feed",
        schedule="daily 12:00",
        timezone="UTC",
        post_empty=False,
        created_by=None,
        created_at=START - timedelta(days=30),
        paused=False,
        next_run=next_run,
        retry_at=None,
        last_run=None,
        last_success=None,
        last_result=None,
        failures=0,
        failure_notified=False,
    )


class FakeState:
    """Subscriptions in memory; `broken` makes every read fail as a damaged database would."""

    def __init__(self, *items: Subscription) -> None:
        self.items = {s.id: s for s in items}
        self.broken = False

    def _check(self) -> None:
        if self.broken:
            raise OSError("disk I/O error")

    async def subscriptions(self) -> list[Subscription]:
        self._check()
        return list(self.items.values())

    async def due(self, now: datetime, exclude: Collection[int] = ()) -> list[Subscription]:
        self._check()
        return [s for s in self.items.values() if s.due_at <= now and s.id not in exclude]

    async def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        self._check()
        times = [s.due_at for s in self.items.values() if s.id not in exclude]
        return min(times) if times else None


class FakeService:
    """Runs a digest by noting when, then scheduling its next daily slot (or failing to record)."""

    def __init__(self, state: FakeState, clock: VirtualClock) -> None:
        self.state, self.clock, self.poster = state, clock, FakePoster()
        self.runs: list[tuple[int, datetime]] = []
        self.resumed = 0
        self.cannot_record: set[int] = set()

    async def resume(self) -> int:
        self.resumed += 1
        return 0

    async def run(self, item: Subscription) -> RunResult:
        self.runs.append((item.id, self.clock.now()))
        if item.id in self.cannot_record:
            raise OSError("database or disk is full")
        following = item.next_run
        while following <= self.clock.now():  # the next daily slot, as a schedule gives it
            following += timedelta(days=1)
        self.state.items[item.id] = replace(item, next_run=following)
        return RunResult(0, 0, 0, "Nothing new")


class Running:
    def __init__(self, *items: Subscription) -> None:
        self.clock = VirtualClock(START)
        self.state = FakeState(*items)
        self.service = FakeService(self.state, self.clock)
        self.scheduler = Scheduler(self.service, self.clock)  # type: ignore[arg-type]

    async def advance(self, **delta: float) -> None:
        await self.clock.advance(timedelta(**delta), lambda: self.scheduler.idle)


@pytest.fixture
async def running(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    made: list[Running] = []
    tasks: list[asyncio.Task[None]] = []

    def start(*items: Subscription) -> Running:
        world = Running(*items)
        made.append(world)
        tasks.append(asyncio.create_task(world.scheduler.run_forever()))
        return world

    yield start
    for task in tasks:
        task.cancel()
    for world in made:
        await world.scheduler.stop()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_digest_runs_at_its_time_and_not_before(running: Any) -> None:
    world = running(subscription(1, START + timedelta(hours=2)))
    await world.advance(hours=1, minutes=59)
    assert world.service.runs == []
    await world.advance(minutes=1)
    assert world.service.runs == [(1, START + timedelta(hours=2))]
    await world.advance(days=1)
    assert [when for _, when in world.service.runs] == [
        START + timedelta(hours=2),
        START + timedelta(days=1, hours=2),
    ]


async def test_digests_missed_while_the_bot_was_down_run_once_after_the_outbox(
    running: Any,
) -> None:
    world = running(
        subscription(1, START - timedelta(days=3)), subscription(2, START + timedelta(hours=1))
    )
    await world.advance(seconds=1)
    assert world.service.resumed == 1
    assert world.service.runs == [(1, START)]  # one digest for the gap, not one per missed day
    await world.advance(hours=1)
    assert [number for number, _ in world.service.runs] == [1, 2]


async def test_an_unreadable_state_pauses_digests_says_so_once_and_backs_off(running: Any) -> None:
    world = running(subscription(1, START + timedelta(minutes=10)))
    await world.advance(seconds=1)
    world.state.broken = True
    world.scheduler.poke()
    await world.advance(minutes=5)
    notices = world.service.poster.texts()
    assert len(notices) == 1 and "Digests are paused" in notices[0]
    assert world.scheduler.state_failures >= 4  # 30 s, 1 min, 2 min: it kept trying, slower
    assert world.scheduler.state_failures <= 5
    world.state.broken = False
    await world.advance(minutes=10)
    assert world.scheduler.state_failures == 0
    assert [number for number, _ in world.service.runs] == [1]


async def test_a_run_that_cannot_record_is_held_back_not_restarted_at_once(running: Any) -> None:
    world = running(subscription(1, START + timedelta(minutes=1)))
    world.service.cannot_record.add(1)
    await world.advance(minutes=1, seconds=10)
    assert len(world.service.runs) == 1
    notices = world.service.poster.texts()
    assert len(notices) == 1 and "could not save its progress" in notices[0]
    await world.advance(seconds=30)  # the first backoff
    assert len(world.service.runs) == 2 and len(world.service.poster.texts()) == 1
