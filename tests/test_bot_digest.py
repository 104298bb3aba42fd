"""Scheduled digests, as a server sees them: /digest commands in, digest posts out, on time."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_config
from bot.digest.state import PlannedMessage
from bot.render.digest import with_marker
from bot.runner import ThreadBriefBot
from tests.fakediscord.fixtures import bot_config, start_bot, stop_bot
from tests.fakediscord.server import (
    ADMIN,
    ANNOUNCEMENTS_ID,
    CHANNEL_ID,
    EDITOR_ROLE_ID,
    FORUM_ID,
    FORUM_TAG_ID,
    GUILD_ID,
    MEMBER,
    NEWS_ID,
    NO_HISTORY_ID,
    READONLY_ID,
    RULES_THREAD_ID,
    THREAD_ID,
    FakeDiscord,
    InteractionRecord,
)
from tests.fakediscord.validation import embed_length
from tests.feeds import FeedSite, serve
from tests.virtualclock import VirtualClock

START = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # a Friday, two days before US DST starts


class Server:
    """The bot on a virtual clock, the stand-in, and a news site, with the steps of a user."""

    def __init__(
        self,
        fake: FakeDiscord,
        site: FeedSite,
        tmp_path: Path,
        pool: ProcessPoolExecutor,
        database: Path | str,
    ) -> None:
        self.fake, self.site, self.tmp_path, self.pool = fake, site, tmp_path, pool
        self.database = database
        self.clock = VirtualClock(START)
        self.bot: ThreadBriefBot | None = None
        self.post_times: list[datetime] = []

    async def start(self, **settings: Any) -> None:
        config = bot_config(self.tmp_path, database=self.database, **settings)
        self.bot = await start_bot(config, self.pool, clock=self.clock)

    async def stop(self) -> None:
        assert self.bot is not None
        await stop_bot(self.bot)
        self.bot = None

    @property
    def idle(self) -> bool:
        assert self.bot is not None
        cog: Any = self.bot.get_cog("Digest")
        return bool(cog.scheduler.idle)

    async def advance(self, **delta: float) -> None:
        await self.clock.advance(timedelta(**delta), lambda: self.idle)

    async def to_local(self, when: str, zone: str) -> None:
        """Advance to the next time `when` (YYYY-MM-DD HH:MM) on the local clock of `zone`."""
        target = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        await self.clock.advance(target - self.clock.now(), lambda: self.idle)

    async def command(self, sub: str, *, user: dict[str, Any] = ADMIN, **options: Any) -> str:
        record = await self.fake.invoke_slash("digest", subcommand=sub, user=user, **options)
        return await self.reply(record)

    async def reply(self, record: InteractionRecord) -> str:
        def done() -> str | None:
            shown = record.followups or (
                [record.original] if record.original and not record.original["flags"] & 128 else []
            )
            if not shown:
                return None
            message = shown[-1]
            texts = [message.get("content") or ""]
            for embed in message.get("embeds") or []:
                texts += [embed.get("title", ""), embed.get("description", "")]
                texts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
            return re.sub(r"\\(.)", r"\1", "\n".join(texts))  # as Discord shows it

        return str(await self.fake.wait_for(done))

    def posts(self, channel: int = NEWS_ID) -> list[dict[str, Any]]:
        return [m for m in self.fake.channel_messages if m["channel_id"] == str(channel)]

    def posted_titles(self, channel: int = NEWS_ID) -> list[str]:
        return [e["title"].replace("\\", "") for m in self.posts(channel) for e in m["embeds"]]

    async def add(self, schedule: str = "daily 08:00", **options: Any) -> str:
        options.setdefault("source", f"{self.site.base}/feed.xml")
        options.setdefault("channel", NEWS_ID)
        return await self.command("add", schedule=schedule, **options)


@pytest.fixture
async def server(
    fake: FakeDiscord, tmp_path: Path, worker_pool: ProcessPoolExecutor, database: Path | str
) -> AsyncIterator[Server]:
    """The bot with its state in SQLite, and again in PostgreSQL (`database`)."""
    async with serve(FeedSite()) as site:
        running = Server(fake, site, tmp_path, worker_pool, database)

        async def record_time(message: dict[str, Any]) -> None:
            running.post_times.append(running.clock.now())

        fake.on_channel_post = record_time
        await running.start()
        yield running
        if running.bot is not None:
            await running.stop()


async def test_a_daily_digest_posts_new_items_at_eight_local_time(server: Server) -> None:
    server.site.add(3, START - timedelta(hours=5))
    reply = await server.add("daily 08:00", timezone="Europe/Paris")
    assert "Digest #1 added" in reply and "3 items now waiting" in reply

    await server.to_local("2026-03-07 07:59", "Europe/Paris")
    assert server.posts() == []
    await server.to_local("2026-03-07 08:00", "Europe/Paris")
    posts = server.posts()
    assert len(posts) == 1
    assert server.post_times == [datetime(2026, 3, 7, 7, 0, tzinfo=UTC)]
    message = posts[0]
    assert message["content"] == "**Riverside Gazette**: 3 new items"
    assert message["_request"]["allowed_mentions"] == {"parse": []}
    assert server.posted_titles() == [e.title for e in reversed(server.site.entries)]
    first = message["embeds"][0]
    assert first["url"] == f"{server.site.base}/news/3"
    assert "free breakfast" in first["description"]
    assert "💬 4 comments" in first["description"]
    assert "%" in first["description"]  # the viewpoints' shares
    assert "ThreadBrief digest · ref " in message["embeds"][-1]["footer"]["text"]


async def test_edited_and_renamed_items_are_not_posted_again(server: Server) -> None:
    site = server.site
    site.add(2, START - timedelta(hours=1))
    await server.add("daily 08:00")
    await server.to_local("2026-03-07 08:00", "UTC")
    assert server.posted_titles() == ["Story 2: the bike lanes", "Story 1: the library hours"]

    # The site fixes a typo in item 1, regenerates item 2's GUID, and publishes item 3.
    site.entries[0] = replace(site.entries[0], body=site.entries[0].body + " Updated.")
    site.entries[1] = replace(site.entries[1], guid="new-guid-for-item-2")
    site.add(1, START + timedelta(days=1))
    await server.to_local("2026-03-08 08:00", "UTC")
    assert server.posted_titles() == [
        "Story 2: the bike lanes",
        "Story 1: the library hours",
        "Story 3: the school meals",
    ]
    # Nothing new the next day: nothing is posted.
    await server.to_local("2026-03-09 08:00", "UTC")
    assert len(server.posts()) == 2


async def test_daylight_saving_neither_skips_nor_doubles_a_run(server: Server) -> None:
    reply = await server.add("daily 02:30", timezone="America/New_York", post_empty=True)
    assert "0 items now waiting" in reply
    await server.advance(days=4)  # across 8 March 2026, when 02:00 jumps to 03:00
    local = [t.astimezone(ZoneInfo("America/New_York")) for t in server.post_times]
    assert [t.strftime("%m-%d %H:%M") for t in local] == [
        "03-07 02:30",
        "03-08 03:00",  # 02:30 does not exist that day: once, at the first moment after the gap
        "03-09 02:30",
        "03-10 02:30",
    ]
    assert "nothing new" in server.posts()[0]["content"]


async def test_missed_runs_are_caught_up_once_after_downtime(server: Server) -> None:
    server.site.add(1, START - timedelta(hours=1))
    await server.add("every 6h")
    await server.advance(hours=6)
    assert len(server.posts()) == 1
    await server.stop()
    server.site.add(2, START + timedelta(hours=7))
    server.clock._now += timedelta(days=2)  # eight slots pass while the bot is down
    await server.start()
    await server.fake.wait_for(lambda: len(server.posts()) == 2)
    await server.advance(minutes=1)
    assert len(server.posts()) == 2
    assert server.posted_titles()[1:] == ["Story 3: the school meals", "Story 2: the bike lanes"]


async def test_list_pause_resume_and_remove(server: Server) -> None:
    server.site.add(1, START - timedelta(hours=1))
    await server.add("weekdays 18:30", timezone="Europe/Paris")
    listing = await server.command("list")
    assert "#1 · " in listing and "`weekdays 18:30` (Europe/Paris)" in listing
    assert "not run yet" in listing and "<t:" in listing

    assert "paused" in await server.command("pause", digest=1)
    await server.advance(days=7)
    assert server.posts() == []
    assert "paused" in await server.command("list")

    assert "resumed" in await server.command("resume", digest=1)
    await server.advance(days=3)
    assert len(server.posts()) == 1
    assert "Posted 1 new item" in await server.command("list")

    assert "removed" in await server.command("remove", digest=1)
    assert "No digests yet" in await server.command("list")
    assert "no digest #1" in await server.command("remove", digest=1)


async def test_preview_is_private_and_run_posts_now(server: Server) -> None:
    server.site.add(2, START - timedelta(hours=1))
    await server.add("daily 08:00")
    record = await server.fake.invoke_slash("digest", subcommand="preview", user=ADMIN, digest=1)
    shown = await server.reply(record)
    assert "Preview" in shown and "the bike lanes" in shown
    assert record.original is not None and record.original["flags"] & 64
    assert server.posts() == []

    assert "Posted 2 new items" in await server.command("run", digest=1)
    assert len(server.posts()) == 1
    assert "nothing" in (await server.command("preview", digest=1)).lower()


async def test_members_without_the_right_cannot_manage_digests(server: Server) -> None:
    server.site.add(1, START)
    refused = await server.command(
        "add",
        user=MEMBER,
        source=f"{server.site.base}/feed.xml",
        channel=NEWS_ID,
        schedule="daily 08:00",
    )
    assert "Manage Server" in refused
    await server.add()
    assert "Manage Server" in await server.command("remove", user=MEMBER, digest=1)
    assert "Manage Server" in await server.command("list", user=MEMBER)

    record = await server.fake.invoke_slash(
        "settings", subcommand="digestrole", user=ADMIN, role=EDITOR_ROLE_ID
    )
    assert "digest role" in (await server.reply(record)).lower()
    editor = await server.command("remove", user=MEMBER, roles=(EDITOR_ROLE_ID,), digest=1)
    assert "removed" in editor


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"schedule": "sometimes"}, "'sometimes' is not a schedule"),
        ({"schedule": "every 5m"}, "shortest allowed is every 15 minutes"),
        ({"schedule": "0 8 * * 9"}, "not a valid cron expression"),
        ({"timezone": "Mars/Olympus"}, "'Mars/Olympus' is not a timezone"),
        ({"channel": READONLY_ID}, "missing Send Messages"),
        ({"source": "nothing-here"}, "nothing-here"),
    ],
)
async def test_bad_subscriptions_get_a_specific_message(
    server: Server, options: dict[str, Any], expected: str
) -> None:
    server.site.add(1, START)
    options.setdefault("schedule", "daily 08:00")
    reply = await server.add(**options)
    assert expected in reply
    assert "Something went wrong" not in reply
    assert "No digests yet" in await server.command("list")


async def test_an_unreachable_source_is_refused_when_added(server: Server) -> None:
    reply = await server.add(source=f"{server.site.base}/missing.xml")
    assert "404" in reply or "not found" in reply.lower()
    assert "No digests yet" in await server.command("list")


async def test_failing_source_retries_reports_once_and_delays_no_one(server: Server) -> None:
    server.site.add(1, START)
    async with serve(FeedSite()) as other:
        other.add(1, START)
        await server.add("daily 08:00")
        await server.add("daily 08:00", source=f"{other.base}/feed.xml", channel=CHANNEL_ID)
        server.site.failing = True
        await server.to_local("2026-03-07 08:00", "UTC")
        assert server.posts() == []
        assert len(server.posts(CHANNEL_ID)) == 1  # the healthy source posted on time
        listing = await server.command("list")
        assert "Failed:" in listing and "1 failure in a row" in listing

        server.site.failing = False
        await server.advance(minutes=5)  # the first retry comes five minutes later
        assert len(server.posts()) == 1

        server.site.failing = True
        await server.advance(days=1, hours=2)  # a failed run, then retries after 5, 10, 20 min...
        notices = [m for m in server.posts() if "failed" in m["content"]]
        assert len(notices) == 1
        assert "failed 3 times in a row" in notices[0]["content"]
        assert "503" in notices[0]["content"]
        assert len(server.posts(CHANNEL_ID)) == 1  # nothing new there, nothing posted


def digest_cog(server: Server) -> Any:
    assert server.bot is not None
    return server.bot.get_cog("Digest")


async def test_the_digest_role_sees_digest_in_discord(server: Server) -> None:
    # Discord lists /digest for anyone; the command itself checks the right.
    command = server.fake.command("digest")
    assert command is not None
    assert server.fake.visible(command, MEMBER, (EDITOR_ROLE_ID,))
    assert command.get("default_member_permissions") is None
    assert command.get("contexts") == [0]  # servers only


async def test_a_full_digest_list_fits_in_one_discord_message(server: Server) -> None:
    cog = digest_cog(server)
    long_source = f"{server.site.base}/feed.xml?" + "section=city-council-and-transport&" * 40
    for n in range(25):
        subscription = await cog.state.add(
            guild_id=int(GUILD_ID),
            channel_id=NEWS_ID,
            source=f"{long_source}n={n}",
            schedule="0 8 * * 1,2,3,4,5",
            timezone="America/Argentina/ComodRivadavia",
            created_by=None,
            now=START,
            next_run=START + timedelta(days=1),
            limit=25,
        )
        reason = "Failed: the feed answered 503 Service Unavailable; " + "retrying later. " * 30
        await cog.state.record_failure(
            subscription.id, START, reason, START + timedelta(hours=1), None
        )
    listing = await server.command("list")
    assert listing.count("#") >= 25 and "1 failure in a row" in listing
    [record] = [r for r in server.fake.interactions.values() if r.original]
    assert record.original is not None
    [embed] = record.original["embeds"]
    assert len(embed["fields"]) == 25
    assert embed_length(embed) <= 6000


def test_digest_limit_has_an_upper_bound(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[bot]\ndigest_limit = 200\n")
    with pytest.raises(ConfigError, match="at most 25"):
        load_config(config, environ={})


async def test_a_source_failing_for_months_keeps_a_bounded_retry(server: Server) -> None:
    server.site.add(1, START)
    await server.add("daily 08:00")
    cog = digest_cog(server)
    async with cog.bot.store.transaction() as db:  # a dead feed, failing daily for two months
        await db.execute("UPDATE subscriptions SET failures = 60, failure_notified = 1")
    server.site.failing = True
    reply = await server.command("run", digest=1)
    assert "Failed:" in reply and "503" in reply
    [subscription] = await cog.state.subscriptions(int(GUILD_ID))
    assert subscription.failures == 61
    assert subscription.retry_at is not None
    assert timedelta(hours=1) <= subscription.retry_at - server.clock.now() <= timedelta(hours=6)


async def test_a_message_discord_refuses_is_dropped_with_a_notice_not_resent(
    server: Server,
) -> None:
    server.site.add(2, START - timedelta(hours=1))
    await server.add("daily 08:00")
    server.fake.blocked_words = {"bike lanes"}  # AutoMod refuses story 2's title
    await server.to_local("2026-03-07 08:00", "UTC")
    [notice] = server.posts()
    assert "Discord refused one digest message" in notice["content"]
    assert "automatic moderation" in notice["content"]

    server.site.add(1, START + timedelta(days=1))  # the next day, the digest carries on
    await server.to_local("2026-03-08 08:00", "UTC")
    assert server.posted_titles() == ["Story 3: the school meals"]
    refused = [r for r in server.fake.rejected if r.answer["code"] == 200000]
    assert len(refused) == 1  # refused once, never re-posted


async def test_an_interrupted_digest_is_not_reposted_where_history_is_hidden(
    server: Server,
) -> None:
    # /digest add asks for Read Message History, since without it Discord shows no history.
    server.site.add(1, START - timedelta(hours=1))
    refused = await server.add("daily 08:00", channel=NO_HISTORY_ID)
    assert "Read Message History" in refused

    # A digest interrupted after posting (the bot died before writing down the message id),
    # in a channel where the permission was removed afterwards.
    cog = digest_cog(server)
    subscription = await cog.state.add(
        guild_id=int(GUILD_ID),
        channel_id=NO_HISTORY_ID,
        source=f"{server.site.base}/feed.xml",
        schedule="daily 08:00",
        timezone="UTC",
        created_by=None,
        now=START,
        next_run=START + timedelta(days=1),
        limit=10,
    )
    payload = {"content": "**Riverside Gazette**: 1 new item", "embeds": []}
    [row] = await cog.state.plan(subscription, [PlannedMessage(payload, ("k",))], START)
    await cog.state.mark_sending(row.id, START)
    posted = server.fake.bot_message(with_marker(payload, row.marker), channel_id=NO_HISTORY_ID)
    server.fake.channel_messages.append(posted)

    reply = await server.command("run", digest=subscription.id)
    assert "Read Message History" in reply
    assert len(server.posts(NO_HISTORY_ID)) == 1  # not posted a second time


async def test_a_forum_digest_is_a_new_tagged_post_each_time(server: Server) -> None:
    server.site.add(2, START - timedelta(hours=1))
    reply = await server.add("daily 08:00", channel=FORUM_ID, tag="Digest")
    assert "as a new post in" in reply
    await server.to_local("2026-03-07 08:00", "UTC")
    server.site.add(1, START + timedelta(days=1))
    await server.to_local("2026-03-08 08:00", "UTC")
    posts = [r for r in server.fake.requests if r.path == f"/channels/{FORUM_ID}/threads"]
    assert [p.body["name"] for p in posts] == [
        "Riverside Gazette: 2 new items",
        "Riverside Gazette: 1 new item",
    ]
    assert all(p.body["applied_tags"] == [str(FORUM_TAG_ID)] for p in posts)
    assert all(p.body["message"]["allowed_mentions"] == {"parse": []} for p in posts)
    threads = [t for t, thread in server.fake.threads.items() if thread.parent_id == FORUM_ID]
    assert len(server.posts(threads[-1])) == 1
    assert server.posted_titles(threads[-1]) == ["Story 3: the school meals"]


async def test_digests_go_to_threads_and_announcements_are_published(server: Server) -> None:
    server.site.add(1, START - timedelta(hours=1))
    await server.add("daily 08:00", channel=THREAD_ID)
    await server.add("daily 08:00", channel=ANNOUNCEMENTS_ID, publish=True)
    await server.to_local("2026-03-07 08:00", "UTC")
    assert server.posted_titles(THREAD_ID) == ["Story 1: the library hours"]
    [announced] = server.posts(ANNOUNCEMENTS_ID)
    assert server.fake.published == [announced["id"]]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"channel": RULES_THREAD_ID}, "missing Send Messages in Threads"),
        ({"channel": NEWS_ID, "tag": "digest"}, "is not a forum"),
        ({"channel": FORUM_ID, "tag": "weather"}, "has no tag 'weather'"),
        ({"channel": NEWS_ID, "publish": True}, "is not an announcement channel"),
    ],
)
async def test_a_destination_that_cannot_work_is_refused_at_add(
    server: Server, options: dict[str, Any], expected: str
) -> None:
    server.site.add(1, START)
    reply = await server.add(**options)
    assert expected in reply
    assert "No digests yet" in await server.command("list")
