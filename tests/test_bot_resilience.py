"""The bot under load and trouble: a huge thread, a rate limit, a gateway reconnect."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

import pytest
from aiohttp import web

from bot.render.json import thread_dict
from bot.render.markdown import MESSAGE_TOTAL_LIMIT
from tests.fakediscord.fixtures import bot_config, start_bot, stop_bot
from tests.fakediscord.server import ADMIN, MEMBER, FakeDiscord
from tests.localweb import serving
from tests.test_bot_summarize import final_embed
from tests.threads import big_thread

FIXTURE = Path(__file__).parent / "fixtures" / "tram-vote.txt"


@pytest.mark.heartbeat(0.2)
async def test_a_2000_comment_thread_fits_discord_and_the_heartbeat_keeps_flowing(
    fake: FakeDiscord, bot
) -> None:
    attachment = fake.add_attachment("big.json", json.dumps(thread_dict(big_thread(2000))).encode())
    await fake.wait_for(lambda: len(fake.heartbeats) >= 2)
    start = len(fake.heartbeats)
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    embed = await final_embed(fake, record, within=60)
    # Two more beats after the brief, so the gaps span the whole of its making.
    await fake.wait_for(lambda: len(fake.heartbeats) >= start + 2)
    beats = fake.heartbeats[start - 1 :]
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert len(embed["fields"]) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed["fields"])
    total = (
        len(embed["title"])
        + len(embed["description"])
        + len(embed["footer"]["text"])
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
        + len(embed.get("author", {}).get("name", ""))
    )
    assert total <= MESSAGE_TOTAL_LIMIT
    assert "2,000" in "".join(e.get("content") or "" for e in record.original_edits)
    assert max(gaps) < 0.2 * 2.5, f"heartbeat stalled: largest gap {max(gaps):.2f} s"


async def test_a_rate_limited_edit_is_retried_after_retry_after(fake: FakeDiscord, bot) -> None:
    fake.rate_limit_next("PATCH", "/messages/@original", retry_after=0.2)
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    embed = await final_embed(fake, record)
    assert fake.rate_limited and embed["title"].startswith("Council approves")


async def test_a_gateway_reconnect_mid_command_resumes_and_the_brief_arrives(
    fake: FakeDiscord, bot
) -> None:
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    await fake.wait_for(lambda: record.callbacks)
    await fake.reconnect()
    embed = await final_embed(fake, record)
    await fake.wait_for(lambda: fake.resumes == 1)
    assert embed["title"].startswith("Council approves")
    help_record = await fake.invoke_slash("help")
    await fake.wait_for(lambda: help_record.original)


async def test_a_second_request_within_the_cooldown_is_refused_privately(
    fake: FakeDiscord, tmp_path: Path, worker_pool
) -> None:
    bot = await start_bot(bot_config(tmp_path, user_cooldown=60.0), worker_pool)
    try:
        first = await fake.invoke_slash(
            "summarize",
            subcommand="file",
            file=fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes()),
        )
        await final_embed(fake, first)
        second = await fake.invoke_slash(
            "summarize",
            subcommand="file",
            file=fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes()),
        )
        await fake.wait_for(lambda: second.original)
    finally:
        await stop_bot(bot)
    assert second.original is not None and second.ephemeral
    assert "Try again in" in second.original["embeds"][0]["description"]


async def test_briefs_past_the_job_bound_wait_their_turn_and_say_so(
    fake: FakeDiscord, tmp_path: Path, worker_pool
) -> None:
    bot = await start_bot(bot_config(tmp_path, max_jobs=1), worker_pool)
    data = json.dumps(thread_dict(big_thread(2000))).encode()
    try:
        records = [
            await fake.invoke_slash(
                "summarize",
                subcommand="file",
                file=fake.add_attachment("big.json", data),
                user=user,
            )
            for user in (MEMBER, ADMIN)
        ]
        embeds = [await final_embed(fake, r, within=60) for r in records]
    finally:
        await stop_bot(bot)
    waited = [
        any("Waiting for a free slot" in (e.get("content") or "") for e in r.original_edits)
        for r in records
    ]
    assert sorted(waited) == [False, True]  # one ran at once, the other waited and was told
    assert all(e["title"] for e in embeds)


async def test_a_brief_still_queued_near_the_token_deadline_says_so_in_time(
    fake: FakeDiscord, tmp_path: Path, worker_pool
) -> None:
    release = asyncio.Event()

    async def stalled(_: web.Request) -> web.Response:  # a page that takes for ever
        await release.wait()
        return web.Response(text="<html><body>late</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/slow", stalled)
    bot = await start_bot(bot_config(tmp_path, max_jobs=1), worker_pool)
    try:
        async with serving(app) as base:
            busy = await fake.invoke_slash("summarize", subcommand="link", url=f"{base}/slow")
            await fake.wait_for(lambda: busy.original_edits)  # it holds the only slot
            # Another brief whose token has 32 seconds left: it waits, then must say it gave up
            # while Discord still accepts the edit.
            late = await fake.invoke_slash(
                "summarize",
                subcommand="file",
                user=ADMIN,
                issued_ago=15 * 60 - 32,
                file=fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes()),
            )
            await fake.wait_for(lambda: late.followups, within=20)
            release.set()
    finally:
        release.set()
        await stop_bot(bot)
    [reply] = late.followups
    assert "within the 15 minutes" in reply["embeds"][0]["description"]
    assert not late.refused and not late.expired
