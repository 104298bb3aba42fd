"""Two bot processes on one PostgreSQL, killed while they post digests: every item posted once.
And a PostgreSQL restarted under a running bot: it reconnects, says so, and goes on answering."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from tests import pgserver
from tests.digest_crash import item_links
from tests.digest_crash_pg import crash_cycles, kill_plan, seed, write_configs
from tests.fakediscord.botprocess import BotProcess
from tests.fakediscord.server import ADMIN, GUILD_ID, NEWS_ID, FakeDiscord
from tests.feeds import FeedSite, serve


async def test_two_processes_killed_while_posting_post_every_item_once(
    fake: FakeDiscord, tmp_path: Path, postgres_db: str
) -> None:
    async with (
        serve(FeedSite(name="Metro")) as first,
        serve(FeedSite(name="Valley")) as second,
        serve(FeedSite(name="Harbour")) as third,
    ):
        configs = write_configs(tmp_path, postgres_db, digest_items=12, max_jobs=2)
        # Each round, each digest takes two messages (10 + 2 items), six in all: the process
        # that posted one is killed right after Discord created it, then the other one, then
        # both; each comes back, and the survivor takes over the dead one's digests.
        outcome = await crash_cycles(
            fake, postgres_db, configs, (first, second, third), NEWS_ID, kill_plan(3, 6), within=90
        )
    assert (outcome.kills, outcome.poster_kills) == (4, 2)
    assert (outcome.duplicates, outcome.losses) == (0, 0)
    assert outcome.posted == 3 * 36


async def test_a_restarted_postgres_is_reconnected_said_in_the_log_and_the_bot_answers(
    fake: FakeDiscord, tmp_path: Path, postgres_server: pgserver.PgServer, postgres_db: str
) -> None:
    config, _ = write_configs(tmp_path, postgres_db)
    log = config.parent / "bot.log"
    async with serve(FeedSite(name="Metro")) as site:
        site.add(2, datetime(2026, 11, 1, tzinfo=UTC))
        await seed(postgres_db, [f"{site.base}/feed.xml"], NEWS_ID, int(GUILD_ID))
        bot = BotProcess(fake, config)
        await bot.start()
        try:
            await fake.wait_for(lambda: len(item_links(fake, NEWS_ID)) == 2, 60)
            await asyncio.to_thread(postgres_server.restart)
            await fake.wait_for(lambda: "reconnected after" in log.read_text(), 60)
            record = await fake.invoke_slash("digest", subcommand="list", user=ADMIN)
            await fake.wait_for(lambda: record.original, 30)
        finally:
            await bot.stop()
    text = log.read_text()
    assert "connection lost (the server closed it); reconnecting" in text
    assert postgres_server.password not in text
    assert f"{site.base}/feed.xml" in json.dumps(record.original)
