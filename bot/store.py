"""Persistent state in SQLite: per-server settings (and, later, digests).

The schema is versioned: `MIGRATIONS[i]` takes the database from version i to i + 1 and all
pending ones run in one transaction at start-up, so a crash mid-upgrade leaves the old version
intact. Writes are single statements or explicit transactions: nothing stored is lost when a
command fails.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

import aiosqlite

MIGRATIONS: Sequence[str] = (
    """
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        algorithm TEXT,
        sentences INTEGER,
        viewpoints INTEGER,
        auto_channels TEXT NOT NULL DEFAULT '[]'
    );
    """,
)


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """What a server's admins chose; None means "the bot's default"."""

    guild_id: int
    algorithm: str | None = None
    sentences: int | None = None
    viewpoints: int | None = None
    auto_channels: frozenset[int] = frozenset()
    """Channels where links posted by members are briefed automatically (off by default)."""


class Store:
    """One SQLite connection, opened by `open()` and closed by `close()` (or `async with`)."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("Store is not open")
        return self._db

    async def open(self) -> Store:
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        await self._migrate()
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def __aenter__(self) -> Store:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        version = await self.schema_version()
        if version >= len(MIGRATIONS):
            return
        await self.db.execute("BEGIN")
        try:
            for step in MIGRATIONS[version:]:
                for statement in step.split(";"):
                    if statement.strip():
                        await self.db.execute(statement)
            await self.db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            await self.db.commit()
        except BaseException:
            await self.db.rollback()
            raise

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        async with self.db.execute(
            "SELECT algorithm, sentences, viewpoints, auto_channels FROM guild_settings "
            "WHERE guild_id = ?",
            (guild_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(
            guild_id,
            algorithm=row[0],
            sentences=row[1],
            viewpoints=row[2],
            auto_channels=frozenset(int(c) for c in json.loads(row[3])),
        )

    async def save_guild_settings(self, settings: GuildSettings) -> None:
        await self.db.execute(
            "INSERT INTO guild_settings (guild_id, algorithm, sentences, viewpoints, auto_channels)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET"
            " algorithm=excluded.algorithm, sentences=excluded.sentences,"
            " viewpoints=excluded.viewpoints, auto_channels=excluded.auto_channels",
            (
                settings.guild_id,
                settings.algorithm,
                settings.sentences,
                settings.viewpoints,
                json.dumps(sorted(settings.auto_channels)),
            ),
        )
        await self.db.commit()

    async def set_auto_channel(self, guild_id: int, channel_id: int, on: bool) -> GuildSettings:
        current = await self.guild_settings(guild_id)
        channels = set(current.auto_channels)
        (channels.add if on else channels.discard)(channel_id)
        updated = replace(current, auto_channels=frozenset(channels))
        await self.save_guild_settings(updated)
        return updated
