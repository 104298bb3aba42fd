"""The digest service, with its collaborators faked: the news site answers in-process, Discord
is a list of posted messages, time is a virtual clock, the store a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.digest.service import DigestService, DigestSettings
from bot.digest.state import DigestState, Subscription
from bot.fetch import MockTransport
from bot.jobs import Job, JobRunner, Lane, Progress, quiet
from bot.store import Store
from tests.feeds import FeedSite
from tests.unit.fakes import SITE, FakePoster, runner, site_transport
from tests.virtualclock import VirtualClock

START = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
CHANNEL = 501


@dataclass
class RecordingJobs:
    """The job runner, with every job it was given noted with its lane."""

    inner: JobRunner
    seen: list[tuple[str, Lane]] = field(default_factory=list)

    async def submit(
        self, job: Job[Any], progress: Progress = quiet, *, lane: Lane = Lane.USER
    ) -> Any:
        self.seen.append((type(job).__name__, lane))
        return await self.inner.submit(job, progress, lane=lane)


@dataclass
class Digests:
    service: DigestService
    site: FeedSite
    poster: FakePoster
    transport: MockTransport
    jobs: RecordingJobs
    clock: VirtualClock

    async def subscribe(self, **options: Any) -> tuple[Subscription, int]:
        return await self.service.subscribe(
            guild_id=1,
            channel_id=CHANNEL,
            source=f"{SITE}/feed.xml",
            schedule=options.pop("schedule", "daily 09:00"),
            timezone="UTC",
            created_by=7,
            **options,
        )


@pytest.fixture
async def digests(tmp_path: Path) -> AsyncIterator[Digests]:
    site = FeedSite()
    site.add(5, START - timedelta(days=1))
    transport = site_transport(site)
    jobs = RecordingJobs(runner(transport, max_jobs=2))
    clock = VirtualClock(START)
    poster = FakePoster()
    async with Store(tmp_path / "digests.db") as store:
        state = DigestState(store)
        service = DigestService(state, poster, jobs, clock, DigestSettings(items=3))
        yield Digests(service, site, poster, transport, jobs, clock)


async def test_the_first_digest_brings_the_newest_items_and_keeps_the_rest_out(
    digests: Digests,
) -> None:
    subscription, waiting = await digests.subscribe()
    assert waiting == 3
    result = await digests.service.run(subscription)
    assert result.ok and result.items == 3
    assert digests.poster.titles() == [
        "Story 5: the night buses",
        "Story 4: the river cleanup",
        "Story 3: the school meals",
    ]


async def test_an_unchanged_feed_is_revalidated_and_posts_nothing(digests: Digests) -> None:
    subscription, _ = await digests.subscribe()
    await digests.service.run(subscription)
    posted = len(digests.poster.posted)
    result = await digests.service.run(subscription)
    assert result.summary == "Nothing new" and len(digests.poster.posted) == posted
    feed_asks = [r for r in digests.transport.requests if r.url.path == "/feed.xml"]
    assert feed_asks[-1].headers.get("If-None-Match")  # the shared fetcher's cache asked
    assert digests.site.requests == len(feed_asks)


async def test_only_items_published_since_the_last_digest_are_posted(digests: Digests) -> None:
    subscription, _ = await digests.subscribe()
    await digests.service.run(subscription)
    digests.site.add(1, START)
    digests.poster.posted.clear()
    result = await digests.service.run(subscription)
    assert result.items == 1
    assert digests.poster.titles() == ["Story 6: the tram line"]


async def test_every_read_and_brief_of_a_digest_runs_in_the_digest_lane(digests: Digests) -> None:
    subscription, _ = await digests.subscribe()
    digests.jobs.seen.clear()
    await digests.service.run(subscription)
    assert (
        digests.jobs.seen
        == [("ReadCandidates", Lane.DIGEST)] + [("BriefCandidate", Lane.DIGEST)] * 3
    )


async def test_a_source_failing_three_times_is_reported_once_in_the_channel(
    digests: Digests,
) -> None:
    subscription, _ = await digests.subscribe()
    digests.site.failing = True
    results = []
    for _ in range(4):
        current = await digests.service.state.by_id(subscription.id)
        assert current is not None
        results.append(await digests.service.run(current))
    assert [r.ok for r in results] == [False] * 4
    assert "HTTP 503" in results[0].summary
    notices = [t for t in digests.poster.texts() if "has failed" in t]
    assert len(notices) == 1 and "failed 3 times in a row" in notices[0]


async def test_an_item_over_the_comment_limit_is_listed_without_a_brief(tmp_path: Path) -> None:
    site = FeedSite()
    site.add(1, START)
    jobs = runner(site_transport(site), max_comments=2)
    async with Store(tmp_path / "digests.db") as store:
        service = DigestService(DigestState(store), FakePoster(), jobs, VirtualClock(START))
        subscription, _ = await service.subscribe(
            guild_id=1,
            channel_id=CHANNEL,
            source=f"{SITE}/feed.xml",
            schedule="daily 09:00",
            timezone="UTC",
            created_by=None,
        )
        plan = await service.preview(subscription)
    (entry,) = plan.entries
    assert entry.comments == 4 and entry.summary == () and entry.viewpoints == ()


async def test_a_channel_the_bot_cannot_post_in_is_refused_at_subscribe(digests: Digests) -> None:
    digests.poster.refuse.add(CHANNEL)
    with pytest.raises(Exception, match="I cannot post there"):
        await digests.subscribe()
    assert await digests.service.state.subscriptions() == []
