"""Running your own bot: `threadbrief run` as a user starts it, its logs, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sqlite3
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp

from bot.config import MonitorConfig
from tests.fakediscord.fixtures import bot_config, start_bot, stop_bot
from tests.fakediscord.server import APP_ID, TOKEN, FakeDiscord
from tests.test_bot_digest import START, Server, server  # noqa: F401 (the digest fixture)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "tram-vote.txt"
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+: ")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> tuple[int, str]:
    for _ in range(600):
        if process.returncode is not None:
            raise AssertionError("the bot exited at start")
        try:
            status, body = await get(url)
        except aiohttp.ClientConnectionError:
            status, body = 0, ""
        if status == 200:
            return status, body
        await asyncio.sleep(0.1)
    raise AssertionError(f"/healthz never answered 200 (last {status} {body})")


async def test_threadbrief_run_logs_its_start_and_answers_health_and_metrics(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ntoken = "{TOKEN}"\ndatabase = "bot.sqlite3"\n\n'
        f"[fetch]\nallow_loopback = true\n\n[monitor]\nenabled = true\nport = {port}\n"
    )
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.selfhost_bot",
            fake.api_base,
            fake.gateway_url,
            "run",
            "--config",
            str(config),
            cwd=ROOT,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        status, body = await wait_healthy(f"{base}/healthz", process)
        assert json.loads(body) == {"status": "ok", "gateway": "connected", "database": "writable"}

        fake.rate_limit_next("PATCH", "/messages/@original", retry_after=0.2)
        attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
        record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
        await fake.wait_for(lambda: record.original and record.original["embeds"], within=60)
        await fake.wait_for(lambda: fake.rate_limited)
        status, metrics = await get(f"{base}/metrics")
        for _ in range(100):  # the served count lands just after the brief is on screen
            if "threadbrief_briefs_served_total 1.0" in metrics:
                break
            await asyncio.sleep(0.05)
            status, metrics = await get(f"{base}/metrics")
        assert status == 200
        assert "threadbrief_briefs_served_total 1.0" in metrics
        assert "threadbrief_brief_duration_seconds_count 1.0" in metrics
        assert "threadbrief_brief_queue_length 0.0" in metrics
        assert "threadbrief_discord_rate_limit_waits_total 1.0" in metrics
        assert "threadbrief_discord_rate_limit_wait_seconds_total 0.2" in metrics
        assert "threadbrief_digests_posted_total 0.0" in metrics
        assert "threadbrief_digest_failures_total 0.0" in metrics
    finally:
        if process.returncode is None:
            process.terminate()  # what docker stop and systemctl stop send
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0, "SIGTERM closes the bot cleanly"
    state = (tmp_path / "bot.sqlite3").read_bytes()
    assert state[18:20] == b"\x01\x01", "a clean stop folds the WAL into the database file"
    text = log.read_text()
    print("--- start-up log ---", text, "--- /metrics ---", metrics, sep="\n")
    lines = text.splitlines()
    assert all(LINE.match(line) for line in lines), "every event is one line, in one format"
    [logged_in] = [line for line in lines if "Logged in as" in line]
    assert f"Logged in as ThreadBrief ({APP_ID}) in 1 server; invite: " in logged_in
    assert (
        f"https://discord.com/oauth2/authorize?client_id={APP_ID}&scope=bot+applications.commands"
        "&permissions=274877991936" in logged_in
    )
    assert "voice will NOT be supported" not in text
    assert "\x1b[" not in text, "no colour codes in a log that is not a terminal"
    assert TOKEN not in text
    assert lines[-1].endswith("threadbrief: stopping: SIGTERM received")


async def test_healthz_fails_while_the_database_cannot_be_written(
    fake: FakeDiscord, tmp_path: Path, worker_pool
) -> None:
    config = replace(bot_config(tmp_path), monitor=MonitorConfig(enabled=True, port=0))
    bot = await start_bot(config, worker_pool)
    try:
        assert bot.monitor is not None
        url = f"http://127.0.0.1:{bot.monitor.port}/healthz"
        assert (await get(url))[0] == 200
        other = sqlite3.connect(config.bot.database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another writer holds the database
        status, body = await get(url)
        assert status == 503
        assert json.loads(body)["database"] == "not writable"
        other.execute("ROLLBACK")
        other.close()
        assert (await get(url))[0] == 200
    finally:
        await stop_bot(bot)
    assert bot.monitor is not None
    assert bot.gateway_connected() is False


async def test_the_endpoint_is_off_unless_asked_for(fake: FakeDiscord, bot) -> None:
    assert bot.monitor is None


async def test_digest_runs_are_counted_as_posted_or_failed(server: Server) -> None:  # noqa: F811
    server.site.add(2, START - timedelta(hours=1))
    await server.add("daily 08:00")
    await server.to_local("2026-03-07 08:00", "UTC")
    assert server.bot is not None
    figures = server.bot.metrics.registry
    assert figures.get_sample_value("threadbrief_digests_posted_total") == 1.0
    assert figures.get_sample_value("threadbrief_digest_failures_total") == 0.0
    server.site.failing = True
    await server.to_local("2026-03-08 08:00", "UTC")
    assert figures.get_sample_value("threadbrief_digest_failures_total") == 1.0
    assert figures.get_sample_value("threadbrief_digests_posted_total") == 1.0


async def test_a_failed_brief_is_counted_by_its_kind(fake: FakeDiscord, bot) -> None:
    attachment = fake.add_attachment("notes.pdf", b"%PDF-1.7\n...")
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    figures = bot.metrics.registry
    await fake.wait_for(
        lambda: figures.get_sample_value(
            "threadbrief_briefs_failed_total", {"reason": "unsupported"}
        )
    )
    await fake.wait_for(lambda: record.followups or record.original)
    assert figures.get_sample_value("threadbrief_briefs_served_total") == 0.0
    assert figures.get_sample_value("threadbrief_brief_queue_length") == 0.0
