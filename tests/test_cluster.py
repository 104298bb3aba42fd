"""Past one machine, end to end: sharded gateways (the real discord.py AutoShardedBot) queue
each brief in a real PostgreSQL, two worker processes take them, and the user sees one answer,
even when the worker making it is killed with SIGKILL halfway through."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.cluster import queue
from bot.config import ClusterConfig, Config, with_cluster_flags
from bot.render.json import thread_dict
from bot.runner import ThreadBriefBot
from tests.cluster import WorkerProcess, ledger_row, queue_file_brief, write_fleet_config
from tests.fakediscord.fixtures import bot_config, running_bot
from tests.fakediscord.server import ADMIN, GUILD_ID, MEMBER, FakeDiscord, InteractionRecord
from tests.localweb import page_app, serving
from tests.pgserver import PgServer
from tests.threads import big_thread

FIXTURE = Path(__file__).parent / "fixtures" / "tram-vote.txt"
pytestmark = pytest.mark.slow  # worker processes and a PostgreSQL restart: the full run only


@pytest.fixture
async def workers(
    fake: FakeDiscord, tmp_path: Path, postgres_db: str
) -> AsyncIterator[list[WorkerProcess]]:
    config = write_fleet_config(tmp_path, postgres_db, max_jobs=1)
    fleet = [WorkerProcess(fake, config, f"worker-{i}") for i in (1, 2)]
    try:
        await asyncio.gather(*(w.start() for w in fleet))
        yield fleet
    finally:
        await asyncio.gather(*(w.stop() for w in fleet))


@pytest.fixture
async def gateway(
    fake: FakeDiscord, tmp_path: Path, postgres_db: str, worker_pool: ProcessPoolExecutor
) -> AsyncIterator[ThreadBriefBot]:
    """Two gateways, shards 0 and 1 of 2, as `--shard-count 2 --shards N` starts them; yields
    the one whose shard holds the test guild."""

    def config(shard: int) -> Config:
        folder = tmp_path / f"gateway-{shard}"
        folder.mkdir()
        cluster = ClusterConfig(role="gateway")  # the queue is in bot.database
        cluster = with_cluster_flags(Config(cluster=cluster), None, 2, str(shard)).cluster
        config = bot_config(folder)
        return replace(config, bot=replace(config.bot, database=postgres_db), cluster=cluster)

    async with (
        running_bot(fake, config(0), worker_pool) as first,
        running_bot(fake, config(1), worker_pool) as second,
    ):
        assert sorted(fake.shards_identified) == [(0, 2), (1, 2)]
        holder = first if first.get_guild(GUILD_ID) else second
        other = second if holder is first else first
        assert holder.shard_ids == [fake.guild_shard(2)] and other.get_guild(GUILD_ID) is None
        yield holder


async def answered(fake: FakeDiscord, record: InteractionRecord) -> dict[str, Any]:
    """The brief the user sees in place of "thinking…", once a worker has posted it."""
    await fake.wait_for(
        lambda: (
            record.original and record.original["embeds"] and not record.original["flags"] & 128
        ),
        within=90,
    )
    assert record.original is not None
    return record.original["embeds"][0]


def one_answer(record: InteractionRecord) -> None:
    """Acknowledged once (deferred), answered in that one message, nothing posted besides."""
    assert [c["type"] for c in record.callbacks] == [5]
    assert record.followups == [] and not record.deleted
    finals = [e for e in record.original_edits if e.get("embeds")]
    assert finals and all(e["allowed_mentions"] == {"parse": []} for e in finals)


async def test_a_file_a_link_and_a_menu_are_briefed_by_the_workers(
    fake: FakeDiscord, gateway: ThreadBriefBot, workers: list[WorkerProcess], postgres_db: str
) -> None:
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    by_file = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    shared = fake.user_message(
        "the export", attachments=[fake.add_attachment("tram.txt", FIXTURE.read_bytes())]
    )
    by_menu = await fake.invoke_message_menu("Summarize thread", shared)
    page = FIXTURE.read_text().replace("\n\n", "</p><p>")
    async with serving(page_app("/tram", f"<html><body><p>{page}</p></body></html>")) as base:
        by_link = await fake.invoke_slash("summarize", subcommand="link", url=f"{base}/tram")
        file_embed, link_embed, menu_embed = await asyncio.gather(
            answered(fake, by_file), answered(fake, by_link), answered(fake, by_menu)
        )
    assert file_embed["title"] == "Council approves the river tram after a long night"
    assert "8 comments" in file_embed["description"]
    assert link_embed["description"]
    assert menu_embed["title"] == file_embed["title"]  # the message menu goes the same way
    progress = [e["content"] for e in by_file.original_edits if e.get("content")]
    assert any("Reading 8 comments" in p for p in progress)  # sent by the worker
    for record in (by_file, by_link, by_menu):
        one_answer(record)
        row = await ledger_row(postgres_db, record.payload["id"])
        assert row is not None and row["answered_at"] is not None and row["attempts"] == 1


async def test_pages_of_a_worker_s_brief_turn_through_the_gateway_for_the_invoker_only(
    fake: FakeDiscord, gateway: ThreadBriefBot, workers: list[WorkerProcess]
) -> None:
    data = json.dumps(thread_dict(big_thread(300))).encode()
    attachment = fake.add_attachment("big.json", data)
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment, viewpoints=1)
    first = await answered(fake, record)
    assert record.original is not None
    buttons = {
        b.get("label"): b for row in record.original["components"] for b in row["components"]
    }
    assert buttons["◀ Previous"]["disabled"] and not buttons["Next ▶"].get("disabled")
    click = await fake.click(record, buttons["Next ▶"]["custom_id"], user=MEMBER)
    await fake.wait_for(lambda: click.callbacks, within=30)
    [turned] = click.callbacks
    assert turned["type"] == 7  # the message itself shows page 2
    second = turned["data"]["embeds"][0]
    assert second["fields"] != first["fields"] and second["title"] == first["title"]
    shown = {b.get("label"): b for row in turned["data"]["components"] for b in row["components"]}
    assert not shown["◀ Previous"].get("disabled")
    other = await fake.click(record, buttons["Next ▶"]["custom_id"], user=ADMIN)
    await fake.wait_for(lambda: other.callbacks, within=30)
    [refused] = other.callbacks
    assert refused["type"] == 4 and refused["data"]["flags"] & 64
    assert "Only the person who asked" in refused["data"]["content"]


async def test_a_worker_killed_mid_brief_costs_a_delay_not_the_answer(
    fake: FakeDiscord, gateway: ThreadBriefBot, workers: list[WorkerProcess], postgres_db: str
) -> None:
    big = json.dumps(thread_dict(big_thread(2000))).encode()
    attachment = fake.add_attachment("big-thread.json", big)
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    await fake.wait_for(
        lambda: any("2,000 comments" in (e.get("content") or "") for e in record.original_edits),
        within=90,
    )
    row = await ledger_row(postgres_db, record.payload["id"])
    assert row is not None and row["answered_at"] is None  # it is being briefed right now
    [busy] = [w for w in workers if f":{w.pid}:" in str(row["worker"])]
    busy.kill()
    embed = await answered(fake, record)
    assert "2000 comments" in embed["description"]
    one_answer(record)
    row = await ledger_row(postgres_db, record.payload["id"])
    assert row is not None and row["attempts"] == 2 and row["answered_at"] is not None
    assert f":{busy.pid}:" not in str(row["worker"])  # the other worker finished it


async def test_a_worker_reconnects_when_postgresql_restarts_and_says_so(
    fake: FakeDiscord, tmp_path: Path, postgres_server: PgServer, postgres_db: str
) -> None:
    worker = WorkerProcess(fake, write_fleet_config(tmp_path, postgres_db, max_jobs=1), "worker")
    await worker.start()
    try:
        await asyncio.to_thread(postgres_server.restart)
        await fake.wait_for(lambda: b"reconnected to the job queue" in worker.log.read_bytes(), 90)
        pool = await queue.connect(postgres_db)
        try:
            record = await queue_file_brief(fake, pool, FIXTURE.read_bytes(), "tram-vote.txt")
            embed = await answered(fake, record)
        finally:
            await pool.close()
    finally:
        await worker.stop()
    assert embed["title"] == "Council approves the river tram after a long night"
    assert "lost the job queue" in worker.log.read_text()
