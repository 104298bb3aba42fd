"""Killing the bot in the middle of posting a digest loses nothing and posts nothing twice,
not even when its WAL is deleted while it is down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.digest.state import stamp
from bot.store import Store
from tests.digest_crash import crash_cycles, item_links, seed
from tests.fakediscord.botprocess import BotProcess, write_config
from tests.fakediscord.server import NEWS_ID, FakeDiscord
from tests.feeds import FeedSite, serve
from tests.test_bot_startup import threadbrief_run

START = datetime(2026, 11, 1, tzinfo=UTC)


async def test_sigkill_while_posting_then_restart_posts_every_item_once(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with serve(FeedSite(name="Metro")) as first, serve(FeedSite(name="Valley")) as second:
        first.add(12, START)
        second.add(12, START)
        config = write_config(tmp_path, digest_items=12, max_jobs=2)
        await seed(
            tmp_path / "bot.sqlite3", [f"{first.base}/feed.xml", f"{second.base}/feed.xml"], NEWS_ID
        )
        expected = {f"{site.base}{e.link_path}" for site in (first, second) for e in site.entries}
        # Each digest takes two messages (10 + 2 items): kill right after the first message
        # of a digest exists, then after the third, then while the bot reads its sources.
        outcome = await crash_cycles(
            fake, config, expected, NEWS_ID, [("post", 1), ("post", 1), ("after", 0.3)], within=60
        )
    assert outcome.kills == 3
    assert (outcome.duplicates, outcome.losses) == (0, 0)
    assert outcome.posted == 24


@pytest.mark.slow  # three bot processes, killed and restarted
async def test_a_wal_deleted_while_the_bot_is_down_is_refused_and_nothing_is_posted_twice(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with serve(FeedSite(name="Metro")) as first, serve(FeedSite(name="Valley")) as second:
        first.add(12, START)
        second.add(12, START)
        config = write_config(tmp_path, digest_items=12, max_jobs=2)
        database = tmp_path / "bot.sqlite3"
        await seed(database, [f"{first.base}/feed.xml", f"{second.base}/feed.xml"], NEWS_ID)
        expected = {f"{site.base}{e.link_path}" for site in (first, second) for e in site.entries}
        # Killed once three messages exist (the third before the bot heard back).
        outcome = await crash_cycles(fake, config, expected, NEWS_ID, [("post", 3)], within=60)
        assert outcome.kills == 1 and outcome.duplicates == 0
        already = set(item_links(fake, NEWS_ID))
        fake.channel_messages.clear()
        wal = tmp_path / "bot.sqlite3-wal"
        # Once more, killed after the first message, then the WAL is deleted while it is down.
        added = [e for site in (first, second) for e in site.add(12, START + timedelta(days=1))]
        expected = {
            f"{site.base}{e.link_path}" for site in (first, second) for e in site.entries
        } - already
        assert len(expected) == len(added) == 24
        await reschedule(database)
        bot = BotProcess(fake, config)
        killed = asyncio.Event()

        async def kill_at_first_post(message: dict[str, Any]) -> None:
            bot.kill()
            killed.set()

        fake.on_channel_post = kill_at_first_post
        await bot.start()
        await fake.wait_for(killed.is_set, 60)
        await bot.wait()
        fake.on_channel_post = None
        assert wal.exists()
        wal.unlink()
        (tmp_path / "bot.sqlite3-shm").unlink(missing_ok=True)

        status, lines = await threadbrief_run(fake.api_base, fake.gateway_url, config)
        assert status == 2
        assert lines[-1].startswith("threadbrief: ") and "Traceback" not in "\n".join(lines)
        assert str(database) in lines[-1] and "WAL (bot.sqlite3-wal) is missing" in lines[-1]

        # The owner follows the line's advice: go on with what the file holds.
        command = lines[-1].split("by running: ", 1)[1]
        done = await asyncio.create_subprocess_shell(command)
        assert await done.wait() == 0
        bot = BotProcess(fake, config)
        await bot.start()
        try:
            await fake.wait_for(lambda: set(item_links(fake, NEWS_ID)) >= expected, 60)
            await asyncio.sleep(0.5)  # a duplicate would arrive now
        finally:
            await bot.stop()
    links = item_links(fake, NEWS_ID)
    assert set(links) == expected  # the new items, and none posted before
    assert [link for link, n in links.items() if n > 1] == []


async def reschedule(database: Path) -> None:
    """Every digest due again now, as after a day."""
    async with Store(database) as store, store.transaction() as db:
        await db.execute("UPDATE subscriptions SET next_run = ?", (stamp(datetime.now(UTC)),))
