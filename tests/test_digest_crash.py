"""Killing the bot in the middle of posting a digest loses nothing and posts nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.digest_crash import crash_cycles, seed
from tests.fakediscord.botprocess import write_config
from tests.fakediscord.server import NEWS_ID, FakeDiscord
from tests.feeds import FeedSite, serve

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
