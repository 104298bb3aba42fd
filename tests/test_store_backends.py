"""One store, two backends: what the bot keeps in SQLite it keeps the same way in PostgreSQL, and
several processes on one PostgreSQL share digests without running one twice."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot import pgstore, store
from bot.config import ConfigError, load_config
from bot.database import open_store
from bot.digest.state import DigestState, PlannedMessage
from bot.errors import BadInput
from bot.storage import GuildSettings, StateError, StateStore
from tests import pgserver

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
GUILD = 1_234_567_890_123_456_789  # Discord ids need 64 bits
CHANNEL = 987_654_321_098_765_432


@pytest.fixture
async def state(database: Path | str) -> AsyncIterator[StateStore]:
    async with open_store(database) as opened:
        yield opened


async def add(digests: DigestState, source: str = "https://news.example/feed.xml") -> int:
    subscription = await digests.add(
        guild_id=GUILD,
        channel_id=CHANNEL,
        source=source,
        schedule="daily 08:00",
        timezone="UTC",
        created_by=None,
        now=NOW,
        next_run=NOW,
        limit=10,
    )
    return subscription.id


async def test_settings_and_digests_read_back_alike(state: StateStore) -> None:
    saved = GuildSettings(GUILD, algorithm="lexrank", auto_channels=frozenset({CHANNEL}))
    await state.save_guild_settings(saved)
    assert await state.guild_settings(GUILD) == saved
    digests = DigestState(state)
    first = await add(digests)
    [subscription] = await digests.subscriptions(GUILD)
    assert (subscription.id, subscription.channel_id, subscription.next_run) == (
        first,
        CHANNEL,
        NOW,
    )
    [row] = await digests.plan(subscription, [PlannedMessage({"content": "x"}, ("a", "b"))], NOW)
    assert await digests.seen(CHANNEL, ["a", "b", "c"]) == {"a", "b"}
    assert [r.id for r in await digests.unsent()] == [row.id]
    await digests.mark_sending(row.id, NOW)
    await digests.mark_sent(row.id, 42)
    assert await digests.unsent() == []


async def test_the_same_digest_twice_is_refused_on_both_backends(state: StateStore) -> None:
    digests = DigestState(state)
    await add(digests)
    with pytest.raises(BadInput, match="already has a digest of this source"):
        await add(digests)


async def test_both_backends_build_the_same_tables_and_columns(
    tmp_path: Path, postgres_db: str
) -> None:
    async with store.Store(tmp_path / "s.sqlite3"):
        pass
    with sqlite3.connect(tmp_path / "s.sqlite3") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        lite = {
            t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")]
            for t in tables
            if not t.startswith("sqlite_")
        }
    async with pgstore.PgStore(postgres_db):
        conn = await asyncpg.connect(postgres_db)
        try:
            rows = await conn.fetch(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name != 'threadbrief_schema'"
                " ORDER BY table_name, ordinal_position"
            )
        finally:
            await conn.close()
    pg: dict[str, list[str]] = {}
    for r in rows:
        pg.setdefault(r["table_name"], []).append(r["column_name"])
    assert pg == lite
    assert len(pgstore.MIGRATIONS) == len(store.MIGRATIONS)


async def test_processes_starting_together_migrate_once(postgres_db: str) -> None:
    stores = [pgstore.PgStore(postgres_db) for _ in range(4)]
    await asyncio.gather(*(s.open() for s in stores))
    try:
        assert {await s.schema_version() for s in stores} == {len(pgstore.MIGRATIONS)}
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_a_newer_postgres_schema_is_refused_in_one_line(postgres_db: str) -> None:
    async with pgstore.PgStore(postgres_db):
        pass
    conn = await asyncpg.connect(postgres_db)
    await conn.execute("UPDATE threadbrief_schema SET version = version + 1")
    await conn.close()
    with pytest.raises(StateError, match="newer than this ThreadBrief knows") as refused:
        await pgstore.PgStore(postgres_db).open()
    assert "\n" not in str(refused.value)


async def test_an_unreachable_server_is_refused_without_its_password(
    postgres_server: pgserver.PgServer,
) -> None:
    wrong = postgres_server.dsn().replace(str(postgres_server.port), str(pgserver.free_port()))
    with pytest.raises(StateError, match="Cannot connect to the PostgreSQL database") as refused:
        await pgstore.PgStore(wrong, reconnect_for=0).open()
    assert postgres_server.password not in str(refused.value)
    assert ":***@127.0.0.1" in str(refused.value)


async def test_one_process_at_a_time_holds_a_digest_and_loses_it_when_it_dies(
    postgres_db: str,
) -> None:
    async with pgstore.PgStore(postgres_db) as first, pgstore.PgStore(postgres_db) as second:
        subscription = await DigestState(first).by_id(await add(DigestState(first)))
        assert subscription is not None
        async with first.exclusive(subscription.id) as mine:
            assert mine
            async with second.exclusive(subscription.id) as theirs:
                assert not theirs
            # The holder's session dies (as its process would): the lock goes with it, and the
            # run's fenced writes fail rather than race the next holder.
            await second.fetchone(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid = ?",
                (subscription.id,),
            )
            assert await taken_over(second, subscription.id)
            with pytest.raises(pgstore.LOST):
                await DigestState(first).plan(
                    subscription, [PlannedMessage({"content": "x"}, ("k",))], NOW
                )
        assert await DigestState(second).unsent() == []


async def taken_over(store: pgstore.PgStore, key: int) -> bool:
    """Whether `store` gets the lock once the server has ended the old holder's session (it
    ends it a moment after being asked)."""
    for _ in range(200):
        async with store.exclusive(key) as mine:
            if mine:
                return True
        await asyncio.sleep(0.05)
    return False


async def test_a_restarted_server_is_reconnected_and_the_log_says_so(
    postgres_server: pgserver.PgServer, postgres_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="threadbrief.store")
    async with pgstore.PgStore(postgres_db) as opened:
        digests = DigestState(opened)
        first = await add(digests)
        await asyncio.to_thread(postgres_server.restart)
        assert [s.id for s in await digests.subscriptions()] == [first]
        await add(digests, "https://other.example/feed.xml")
        messages = [r.getMessage() for r in caplog.records]
        assert any("connection lost" in m and "reconnecting" in m for m in messages), messages
        assert any("reconnected after" in m for m in messages), messages
        assert all(postgres_server.password not in m for m in messages)
        assert len(await digests.subscriptions()) == 2


def test_a_postgres_url_in_config_selects_postgres(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\ndatabase = "postgresql://bot:secret@db.internal:5432/threadbrief"\n')
    loaded = load_config(config, environ={})
    assert loaded.bot.database == "postgresql://bot:secret@db.internal:5432/threadbrief"
    assert isinstance(open_store(loaded.bot.database), pgstore.PgStore)
    config.write_text('[bot]\ndatabase = "state.sqlite3"\n')
    assert isinstance(open_store(load_config(config, environ={}).bot.database), store.Store)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("mysql://bot@db/threadbrief", "a mysql:// URL"),
        ("postgresql:/bot@db/threadbrief", "lacks '//'"),
        ("postgresql://bot:secret@db:54x32/threadbrief", "bad port"),
        ("postgresql://bot:secret@db:5432", "names no database"),
    ],
)
def test_a_bad_database_url_is_refused_with_what_to_write(
    tmp_path: Path, value: str, says: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{value}"\n')
    with pytest.raises(ConfigError, match=says) as refused:
        load_config(config, environ={})
    assert "secret" not in str(refused.value)
    assert "postgresql://user:password@host" in str(refused.value)


async def test_the_health_check_writes_to_either_backend(state: StateStore) -> None:
    assert await state.writable()


async def test_the_health_check_says_a_stopped_server_is_not_writable(
    postgres_server: pgserver.PgServer, postgres_db: str
) -> None:
    async with pgstore.PgStore(postgres_db) as opened:
        await asyncio.to_thread(postgres_server.stop)
        try:
            assert not await opened.writable()
        finally:
            await asyncio.to_thread(postgres_server.start)
        assert await opened.writable()
