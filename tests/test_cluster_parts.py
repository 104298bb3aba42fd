"""The parts of the fleet on their own: a job survives the trip through the queue's JSON, and the
fleet-wide request budget holds however many workers draw on it (real PostgreSQL), and a role
missing what it needs stops at start with one line."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.cluster import queue
from bot.cluster.payload import AutoSummary, QueuedBrief, Reply
from bot.cluster.ratelimit import FleetRateLimit
from bot.errors import BadInput
from bot.jobs import SourceRequest
from bot.pipeline import BriefOptions
from bot.sources.chat import ChatHistory, ChatMessage

REPLY = Reply(application_id=1, interaction_id=2, token="t", created_at=3.0, user_id=4)


def job(request: SourceRequest) -> QueuedBrief:
    return QueuedBrief(REPLY, request, BriefOptions(viewpoints=7, sentences=4), enqueued_at=5.0)


@pytest.mark.parametrize(
    "request_",
    [
        SourceRequest(data=b"\x00\xffraw bytes of an upload", filename="export.xml", pick="2"),
        SourceRequest(url="https://example.test/post?id=1"),
        SourceRequest(
            chat=ChatHistory(
                place="#general",
                messages=(
                    ChatMessage(
                        id="10",
                        author="Ana",
                        created=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
                        content="The tram is worth it.",
                        reply_to="9",
                        score=3,
                    ),
                ),
                starts_conversation=True,
                notes=("12 messages had no text",),
                subject="Tram vote",
            )
        ),
    ],
    ids=["file", "link", "here"],
)
def test_a_job_reads_back_as_it_was_queued(request_: SourceRequest) -> None:
    assert QueuedBrief.decode(job(request_).encode()) == job(request_)


@pytest.mark.parametrize(
    "raw", [b"not json", b'{"v": 99}', b'{"v": 1, "reply": {}}', b"[]"], ids=str
)
def test_a_job_that_cannot_be_read_is_a_clear_refusal(raw: bytes) -> None:
    with pytest.raises(BadInput, match="queued"):
        QueuedBrief.decode(raw)


POSTED = AutoSummary(
    guild_id=1,
    channel_id=2,
    message_id=1_234_567_890_123_456_789,
    author_id=4,
    url="https://example.test/tram",
    options=BriefOptions(viewpoints=3),
    enqueued_at=5.0,
)


def test_an_auto_summary_reads_back_as_it_was_queued_and_its_nonce_fits_discord() -> None:
    assert AutoSummary.decode(POSTED.encode()) == POSTED
    assert POSTED.nonce == "auto1234567890123456789"
    biggest = AutoSummary.decode(
        POSTED.encode().replace(b"1234567890123456789", b"18446744073709551615")
    )
    assert len(biggest.nonce) <= 25  # Discord's limit, for the largest snowflake


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        POSTED.encode().replace(b'"v":1', b'"v":2'),
        POSTED.encode().replace(b'"kind":"auto-summary"', b'"kind":"digest"'),
        POSTED.encode().replace(b'"message_id":1234567890123456789', b'"message_id":"12"'),
        POSTED.encode().replace(b"https://example.test/tram", b"javascript:alert(1)"),
        POSTED.encode().replace(b'"viewpoints":3', b'"viewpoints":99'),
        QueuedBrief.decode(job(SourceRequest(url="https://example.test")).encode()).encode(),
    ],
    ids=["text", "list", "version", "kind", "id", "url", "options", "a brief"],
)
def test_an_auto_summary_that_cannot_be_read_is_a_clear_refusal(raw: bytes) -> None:
    with pytest.raises(BadInput, match=r"auto-summary|Viewpoints"):
        AutoSummary.decode(raw)


async def test_three_workers_together_stay_within_the_fleet_budget(postgres_db: str) -> None:
    rate, burst = 20.0, 5.0
    pools = [await queue.connect(postgres_db) for _ in range(3)]
    stamps: list[float] = []

    async def worker(limiter: FleetRateLimit) -> None:
        for _ in range(15):
            await limiter.acquire()
            stamps.append(time.monotonic())

    start = time.monotonic()
    try:
        await asyncio.gather(*(worker(FleetRateLimit(p, rate=rate, burst=burst)) for p in pools))
    finally:
        await asyncio.gather(*(p.close() for p in pools))
    assert len(stamps) == 45
    # The burst goes at once, the other 40 at 20 a second between the three: 2 s at the least
    # (a slow machine only adds to it; a budget per process would take 0.5 s).
    assert max(stamps) - start >= (45 - burst) / rate - 0.1


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--role", "gateway"], "A gateway needs the job queue: set bot.database"),
        (["--role", "worker"], "A worker needs the job queue: set bot.database"),
        (["--shard-count", "2", "--shards", "0,5"], "Shard 5 does not exist in a bot of 2 shards"),
        (["--shards", "0,x"], "--shards takes shard numbers like 0,1,2"),
    ],
    ids=["gateway", "worker", "shard-out-of-range", "shards-not-numbers"],
)
def test_a_role_without_what_it_needs_stops_at_start_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\ntoken = "a-token-long-enough-to-pass-1234567890"\n')
    assert main(["--config", str(config), "run", *flags]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert message in line
