"""The bot's state on disk, damaged: a clear line and a refusal, or a backoff and a notice.

At start the bot names the database it opened and whether it created it, and refuses (one line
naming the file and what to do) one that was deleted beside its WAL, one that is damaged, and one
of a newer version. While it runs, a scheduler that cannot read or write its state says so in the
log and in the channels, and tries again after a growing wait.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.digest.scheduler import Scheduler
from bot.digest.service import RunResult
from bot.digest.state import DigestState, PlannedMessage
from bot.store import MIGRATIONS, StateError, Store
from tests.fakediscord.botprocess import ROOT, write_config
from tests.fakediscord.server import FakeDiscord
from tests.test_bot_digest import START as DIGEST_START
from tests.test_bot_digest import Server, server  # noqa: F401
from tests.test_bot_startup import threadbrief_run
from tests.virtualclock import VirtualClock


async def _make(path: Path) -> None:
    async with Store(path) as store:
        await store.set_auto_channel(1, 2, True)


async def test_a_new_database_is_named_and_said_to_be_created(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.sqlite3"
    with caplog.at_level(logging.INFO, "threadbrief.store"):
        await _make(path)
        async with Store(path):
            pass
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        f"database {path}: created (schema version {len(MIGRATIONS)})",
        f"database {path}: opened (schema version {len(MIGRATIONS)})",
    ]


async def test_outbox_writes_reach_the_disk_before_commit_returns(tmp_path: Path) -> None:
    async with (
        Store(tmp_path / "state.sqlite3") as store,
        store.db.execute("PRAGMA synchronous") as cursor,
    ):
        row = await cursor.fetchone()
    assert row is not None and row[0] == 2  # FULL


async def test_a_database_deleted_beside_its_wal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = await Store(path).open()
    await store.set_auto_channel(1, 2, True)  # the change sits in the WAL
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    path.unlink()  # as a careless clean-up would, while the bot runs
    with pytest.raises(StateError) as refused:
        await Store(path).open()
    await store.close()
    message = str(refused.value)
    assert str(path) in message and "state.sqlite3-wal" in message
    assert "\n" not in message
    assert not path.exists()  # no empty database was created in its place


async def test_a_clean_stop_folds_the_wal_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    await _make(path)
    assert path.read_bytes()[18:20] == b"\x01\x01"  # rollback-journal mode: closed cleanly
    assert not path.with_name("state.sqlite3-wal").exists()
    async with Store(path) as store:
        assert (await store.guild_settings(1)).auto_channels == {2}


async def test_a_wal_lost_after_a_crash_is_refused_and_the_digest_claims_survive(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite3"
    store = await Store(path).open()
    state = DigestState(store)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    subscription = await state.add(
        guild_id=1,
        channel_id=70,
        source="https://example.org/feed.xml",
        schedule="daily 08:00",
        timezone="UTC",
        created_by=None,
        now=now,
        next_run=now,
        limit=5,
    )
    rows = await state.plan(subscription, [PlannedMessage({"content": "news"}, ("a", "b"))], now)
    await state.mark_sending(rows[0].id, now)
    await store.set_auto_channel(1, 2, True)  # not durable: only in the WAL
    # The bot dies here and only the database file is kept: its WAL was deleted.
    copy = tmp_path / "copy" / "state.sqlite3"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    await store.close()
    with pytest.raises(StateError) as refused:
        await Store(copy).open()
    message = str(refused.value)
    assert str(copy) in message and "WAL (state.sqlite3-wal) is missing" in message
    assert "\n" not in message
    # The owner goes on with what the file holds, as the line says how to.
    with closing(sqlite3.connect(copy)) as db:
        db.execute("PRAGMA journal_mode=DELETE")
    async with Store(copy) as reopened:
        state = DigestState(reopened)
        assert await state.seen(70, ["a", "b", "c"]) == {"a", "b"}  # never posted twice
        assert [r.status for r in await state.unsent()] == ["sending"]  # looked for first


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b"garbage!" * 8 + b[64:], id="header"),
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:4096] + b"\xde\xad" * 2048 + b[8192:], id="pages"),
    ],
)
async def test_a_damaged_database_is_refused_in_one_line(tmp_path: Path, damage: Any) -> None:
    path = tmp_path / "state.sqlite3"
    await _make(path)
    # fill a few pages so the damage lands on real data
    async with Store(path) as store, store.transaction() as db:
        for i in range(200):
            await db.execute(
                "INSERT INTO guild_settings (guild_id, auto_channels) VALUES (?, ?)",
                (100 + i, "[" + ",".join(str(n) for n in range(40)) + "]"),
            )
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(StateError) as refused:
        await Store(path).open()
    message = str(refused.value)
    assert str(path) in message and "backup" in message and "\n" not in message


async def _fill(path: Path) -> None:
    await _make(path)
    # a few pages, so that damage lands on real data
    async with Store(path) as store, store.transaction() as db:
        for i in range(200):
            await db.execute(
                "INSERT INTO guild_settings (guild_id, auto_channels) VALUES (?, ?)",
                (100 + i, "[" + ",".join(str(n) for n in range(40)) + "]"),
            )


def _newer(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        db.execute("PRAGMA journal_mode=DELETE")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(
            lambda p: p.write_bytes(b"garbage!" * 8 + p.read_bytes()[64:]), "damaged", id="header"
        ),
        pytest.param(
            lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
            "damaged",
            id="truncated",
        ),
        pytest.param(
            lambda p: p.write_bytes(
                p.read_bytes()[:4096] + b"\xde\xad" * 2048 + p.read_bytes()[8192:]
            ),
            "damaged",
            id="pages",
        ),
        pytest.param(_newer, "newer than this ThreadBrief knows", id="newer-version"),
        pytest.param(lambda p: p.unlink(), None, id="deleted"),
    ],
)
async def test_threadbrief_run_on_damaged_state_says_so_in_one_line(
    fake: FakeDiscord, tmp_path: Path, damage: Any, expected: str | None
) -> None:
    config = write_config(tmp_path)
    path = tmp_path / "bot.sqlite3"
    await _fill(path)
    damage(path)
    if expected is None:  # deleted while the bot was down: a new one, and the log says so
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.fakediscord.botprocess",
            fake.api_base,
            fake.gateway_url,
            str(config),
            "cli",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        while b"threadbrief.store" not in line:
            line = await asyncio.wait_for(process.stdout.readline(), 60)
        process.terminate()
        await process.wait()
        assert f"database {path}: created".encode() in line
        return
    status, lines = await threadbrief_run(fake.api_base, fake.gateway_url, config)
    assert status == 2
    assert lines[-1].startswith(f"threadbrief: The database {path} ")
    assert expected in lines[-1]
    assert not any("Traceback" in line for line in lines)


async def test_a_database_of_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    await _make(path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StateError, match="newer than this ThreadBrief knows"):
        await Store(path).open()


# --- the scheduler, when the state fails while the bot runs ----------------------------------


@dataclass
class _Subscription:
    id: int
    channel_id: int


@dataclass
class _Poster:
    posts: list[tuple[int, str]] = field(default_factory=list)

    async def post(self, channel_id: int, payload: dict[str, Any]) -> int:
        self.posts.append((channel_id, payload["content"]))
        return len(self.posts)


@dataclass
class _State:
    clock: VirtualClock
    readable: bool = True
    reads: int = 0
    subscription: _Subscription = field(default_factory=lambda: _Subscription(7, 70))
    next_at: datetime | None = None

    def _read(self) -> None:
        self.reads += 1
        if not self.readable:
            raise sqlite3.DatabaseError("database disk image is malformed")

    async def subscriptions(self) -> list[_Subscription]:
        self._read()
        return [self.subscription]

    async def due(self, now: datetime, exclude: Any = ()) -> list[_Subscription]:
        self._read()
        due = self.next_at is None or self.next_at <= now
        return [self.subscription] if due and self.subscription.id not in exclude else []

    async def next_due(self, exclude: Any = ()) -> datetime | None:
        self._read()
        return None if self.subscription.id in exclude else (self.next_at or self.clock.now())


@dataclass
class _Service:
    state: _State
    poster: _Poster = field(default_factory=_Poster)
    runs: int = 0
    disk_full: bool = True

    async def resume(self) -> int:
        return 0

    async def run(self, subscription: _Subscription) -> RunResult:
        self.runs += 1
        if self.disk_full:
            raise sqlite3.OperationalError("database or disk is full")
        self.state.next_at = self.state.clock.now() + timedelta(days=1)
        return RunResult(1, 1, 0, "Posted 1 new item")


async def _scheduled(service: _Service, clock: VirtualClock, hours: float) -> Scheduler:
    scheduler = Scheduler(service, clock)  # type: ignore[arg-type]
    task = asyncio.create_task(scheduler.run_forever())
    try:
        await clock.advance(timedelta(hours=hours), lambda: scheduler.idle)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return scheduler


async def test_unreadable_state_is_logged_told_and_retried_with_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = VirtualClock(datetime(2026, 5, 1, tzinfo=UTC))
    state = _State(clock)
    service = _Service(state, disk_full=False)
    scheduler = Scheduler(service, clock)  # type: ignore[arg-type]
    task = asyncio.create_task(scheduler.run_forever())
    try:
        await clock.advance(timedelta(minutes=1), lambda: scheduler.idle)
        state.readable = False  # pages damaged while the bot runs
        scheduler.poke()
        with caplog.at_level(logging.ERROR, "threadbrief.digest"):
            await clock.advance(timedelta(hours=1), lambda: scheduler.idle)
        rounds_in_the_hour = scheduler.state_failures
        state.readable = True
        await clock.advance(timedelta(minutes=20), lambda: scheduler.idle)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # 30 s, 1, 2, 4, 8, then every 15 min: about 8 tries in an hour, not one a day nor a loop.
    assert 6 <= rounds_in_the_hour <= 10
    assert any("could not read its state" in r.getMessage() for r in caplog.records)
    assert [c for c, _ in service.poster.posts] == [70]
    assert "Digests are paused" in service.poster.posts[0][1]
    assert scheduler.state_failures == 0  # readable again: back to normal


async def test_a_run_that_cannot_record_is_held_back_not_rerun_in_a_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = VirtualClock(datetime(2026, 5, 1, tzinfo=UTC))
    service = _Service(_State(clock))  # every run fails to write: the disk is full
    with caplog.at_level(logging.ERROR, "threadbrief.digest"):
        await _scheduled(service, clock, hours=1)
    assert 6 <= service.runs <= 10  # backoff, where a hot loop would run thousands of times
    assert [c for c, _ in service.poster.posts] == [70]  # the channel is told, once
    assert "could not save its progress" in service.poster.posts[0][1]
    assert any("could not record its run" in r.getMessage() for r in caplog.records)


# --- the real bot, when its disk fills up -----------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The bot's database here is SQLite alone: these tests fill or damage the file itself."""
    return tmp_path / "bot.sqlite3"


async def test_a_full_disk_holds_the_digest_back_tells_the_channel_and_loses_nothing(
    server: Server,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.site.add(2, DIGEST_START - timedelta(hours=1))
    await server.add("daily 08:00")
    assert server.bot is not None
    db = server.bot.store.db
    async with db.execute("PRAGMA page_count") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    await db.execute(f"PRAGMA max_page_count = {row[0]}")  # not one page more: the disk is full
    server.site.add(12, DIGEST_START)
    with caplog.at_level(logging.ERROR, "threadbrief.digest"):
        await server.to_local("2026-03-07 08:00", "UTC")
        reads = server.site.requests
        await server.advance(hours=1)
    reads_in_the_hour = server.site.requests - reads
    notices = [m["content"] for m in server.posts()]
    assert len(notices) == 1 and "could not save its progress" in notices[0]
    assert "check the server's disk" in notices[0]
    assert any("could not record its run" in r.getMessage() for r in caplog.records)
    # Tried again with a backoff (30 s, 1, 2, 4, 8, 15 min...): a few reads, not hundreds.
    assert 0 < reads_in_the_hour <= 10 * (1 + 14)

    await db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    await server.advance(minutes=20)
    assert len(server.posted_titles()) == 10  # a digest's worth, within 15 minutes
    await server.to_local("2026-03-08 08:00", "UTC")
    titles = server.posted_titles()
    assert sorted(titles) == sorted(e.title for e in server.site.entries)  # all 14, once each
