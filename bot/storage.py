"""The bot's state behind one interface, two backends: SQLite (`bot.store`, one process, the
default) and PostgreSQL (`bot.pgstore`, any number of processes against one server).

Both hold the same schema through versioned migrations and run the same statements, written
once in the SQL both understand (`?` placeholders, `ON CONFLICT`, `RETURNING`); a backend only
adapts the connection. `exclusive` is what lets several processes share digests: it says which
one runs a subscription now, and the outbox's writes of that run are `fence`d to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable

from bot.errors import ThreadBriefError

Row = Sequence[Any]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(database: Path | str) -> bool:
    return isinstance(database, str) and database.startswith(POSTGRES_SCHEMES)


class StateError(ThreadBriefError):
    """The bot's database cannot be used as it is: missing beside its journal, damaged, of a
    newer version, or unreachable. The bot refuses to start rather than lose or overwrite what it
    holds."""

    code = "state"


class Conflict(Exception):
    """A write broke a UNIQUE constraint (the same in every backend)."""


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """What a server's admins chose; None means "the bot's default"."""

    guild_id: int
    algorithm: str | None = None
    sentences: int | None = None
    viewpoints: int | None = None
    auto_channels: frozenset[int] = frozenset()
    """Channels where links posted by members are briefed automatically (off by default)."""
    timezone: str | None = None
    """The default timezone of new digests."""
    digest_role: int | None = None
    """A role whose members may manage digests besides those with Manage Server."""


class Tx(Protocol):
    """Statements inside one transaction; `?` placeholders in every backend."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


@runtime_checkable
class StateStore(Protocol):
    """What the bot asks of its database: settings, digests, outbox, dedupe keys, migrations."""

    errors: tuple[type[Exception], ...]
    """What it raises when its database cannot be read or written (damaged, full, unreachable):
    callers tell these apart from a source's or Discord's failures."""

    async def open(self) -> Self:
        """Connect and migrate to the current schema, or raise StateError saying what to do."""
        ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    def describe(self) -> str:
        """Where the state is, for logs (never a password)."""
        ...

    async def schema_version(self) -> int: ...

    def transaction(
        self, *, durable: bool = False, fence: int | None = None
    ) -> AbstractAsyncContextManager[Tx]:
        """Writes that land together or not at all. `durable`: the commit must survive losing
        the journal (the outbox). `fence`: the writes belong to the run holding
        `exclusive(fence)` and fail if this process no longer holds it."""
        ...

    def exclusive(self, key: int) -> AbstractAsyncContextManager[bool]:
        """True while this process alone runs `key` (a subscription), False when another does."""
        ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def writable(self) -> bool:
        """Whether the database takes a write now (the health check)."""
        ...

    async def guild_settings(self, guild_id: int) -> GuildSettings: ...

    async def save_guild_settings(self, settings: GuildSettings) -> None: ...

    async def set_auto_channel(self, guild_id: int, channel_id: int, on: bool) -> GuildSettings: ...


class SettingsQueries:
    """Per-server settings, in the SQL both backends speak (mixed into each store)."""

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        raise NotImplementedError

    def transaction(
        self, *, durable: bool = False, fence: int | None = None
    ) -> AbstractAsyncContextManager[Tx]:
        raise NotImplementedError

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self.fetchone(
            "SELECT algorithm, sentences, viewpoints, auto_channels, timezone, digest_role"
            " FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(
            guild_id,
            algorithm=row[0],
            sentences=row[1],
            viewpoints=row[2],
            auto_channels=frozenset(int(c) for c in json.loads(row[3])),
            timezone=row[4],
            digest_role=row[5],
        )

    async def save_guild_settings(self, settings: GuildSettings) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, algorithm, sentences, viewpoints,"
                " auto_channels, timezone, digest_role) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(guild_id) DO UPDATE SET"
                " algorithm=excluded.algorithm, sentences=excluded.sentences,"
                " viewpoints=excluded.viewpoints, auto_channels=excluded.auto_channels,"
                " timezone=excluded.timezone, digest_role=excluded.digest_role",
                (
                    settings.guild_id,
                    settings.algorithm,
                    settings.sentences,
                    settings.viewpoints,
                    json.dumps(sorted(settings.auto_channels)),
                    settings.timezone,
                    settings.digest_role,
                ),
            )

    async def set_auto_channel(self, guild_id: int, channel_id: int, on: bool) -> GuildSettings:
        current = await self.guild_settings(guild_id)
        channels = set(current.auto_channels)
        (channels.add if on else channels.discard)(channel_id)
        updated = replace(current, auto_channels=frozenset(channels))
        await self.save_guild_settings(updated)
        return updated
