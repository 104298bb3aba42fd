"""Persistent state in SQLite, the default backend of `bot.storage.StateStore`: per-server
settings and digests (see `bot.digest.state`), for one bot process.

The schema is versioned: `MIGRATIONS[i]` takes the database from version i to i + 1 and all
pending ones run in one transaction at start-up, so a crash mid-upgrade leaves the old version
intact. Writes are single statements or explicit transactions: nothing stored is lost when a
command fails.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from bot.schema import migrations
from bot.storage import Conflict, GuildSettings, Row, SettingsQueries, StateError

__all__ = ["MIGRATIONS", "STATE_ERRORS", "GuildSettings", "StateError", "Store"]

log = logging.getLogger("threadbrief.store")


STATE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,)
"""What the store raises when its database cannot be read or written (damaged, disk full):
callers tell these apart from a source's or Discord's failures."""

MIGRATIONS: Sequence[str] = migrations("sqlite")


class _Tx:
    """A transaction on the SQLite connection, as `bot.storage.Tx`."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            cursor = await self.db.execute(sql, params)
        except sqlite3.IntegrityError as e:
            raise Conflict(str(e)) from e
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            await self.db.executemany(sql, rows)
        except sqlite3.IntegrityError as e:
            raise Conflict(str(e)) from e

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        try:
            async with self.db.execute(sql, params) as cursor:
                row = await cursor.fetchone()
        except sqlite3.IntegrityError as e:
            raise Conflict(str(e)) from e
        return tuple(row) if row is not None else None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self.db.execute(sql, params) as cursor:
            return [tuple(r) for r in await cursor.fetchall()]


_WAL_MODE = 2
"""Bytes 18 and 19 of an SQLite header: 2 while the database is in WAL mode."""


def _refuse_lost_wal(path: Path) -> None:
    """A file left in WAL mode (the bot did not stop cleanly) with no WAL beside it: what the
    WAL held, the last changes and the record of the last posts, is gone."""
    wal = path.with_name(path.name + "-wal")
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError:
        return  # SQLite says what is wrong with it
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return
    if header[18] == _WAL_MODE and header[19] == _WAL_MODE and not wal.exists():
        raise StateError(
            f"The database {path} was not closed cleanly and its WAL ({wal.name}) is missing: "
            "the changes it held are lost.",
            hint=f"Put {wal.name} back beside it; if it is gone for good, restore a backup or "
            "go on with what the file holds (digests will not post twice) by running: "
            f"python3 -c \"import sqlite3; sqlite3.connect('{path}')"
            f".execute('PRAGMA journal_mode=DELETE')\"",
        )


class Store(SettingsQueries):
    """One SQLite connection, opened by `open()` and closed by `close()` (or `async with`).

    One process owns the file, so `exclusive` always grants and `fence` has nothing to guard.
    `synchronous` and `checkpoint_durable` exist for the benchmark that measures what they
    cost; the bot always runs with both on.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        checkpoint_durable: bool = True,
    ) -> None:
        self.path = path
        self.synchronous = synchronous
        self.checkpoint_durable = checkpoint_durable
        self._db: aiosqlite.Connection | None = None
        self._opened = False
        self._lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("Store is not open")
        return self._db

    async def open(self) -> Store:
        """Open (or create) the database, refusing one that cannot be used as it is.

        Refused, each in one line naming the file and what to do: a database that is missing
        while its WAL or journal is still there (deleted or moved while the bot ran: a new empty
        one would post everything again), one left in WAL mode by a bot that did not stop
        cleanly whose WAL is gone (the last changes are lost), a damaged one, and one of a newer
        schema version.
        """
        path = None if str(self.path) == ":memory:" else Path(self.path)
        existed = path is not None and path.exists() and path.stat().st_size > 0
        if path is not None and existed:
            _refuse_lost_wal(path)
        if path is not None and not existed:
            for suffix in ("-wal", "-journal"):
                left = path.with_name(path.name + suffix)
                if left.exists() and left.stat().st_size > 0:
                    raise StateError(
                        f"The database {path} is missing but its {left.name} is still there: "
                        "it was deleted or moved while the bot ran.",
                        hint=f"Put {path.name} back, or delete {left.name} (and "
                        f"{path.name}-shm) to start with an empty database.",
                    )
        try:
            self._db = await aiosqlite.connect(self.path)
            await self._db.execute("PRAGMA journal_mode=WAL")
            # Every commit reaches the disk before the bot posts what it recorded (the outbox).
            await self._db.execute(f"PRAGMA synchronous={self.synchronous}")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._check()
            version = await self.schema_version()
            if version > len(MIGRATIONS):
                raise StateError(
                    f"The database {self.path} has schema version {version}, newer than this "
                    f"ThreadBrief knows ({len(MIGRATIONS)}).",
                    hint="Run the newer ThreadBrief that wrote it, or restore a backup made "
                    "with this version.",
                )
            await self._migrate()
        except sqlite3.DatabaseError as e:
            await self.close()
            raise StateError(
                f"The database {self.path} is damaged or not a ThreadBrief database ({e}).",
                hint="Restore it from a backup, or move it away to start with an empty one.",
            ) from None
        except BaseException:
            await self.close()
            raise
        self._opened = True
        log.info(
            "database %s: %s (schema version %d)",
            self.path,
            "opened" if existed else "created",
            len(MIGRATIONS),
        )
        return self

    async def _check(self) -> None:
        """SQLite's quick check: a damaged page is found now, not by the first digest."""
        async with self.db.execute("PRAGMA quick_check") as cursor:
            rows = [str(r[0]) for r in await cursor.fetchall()]
        if rows != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(rows[:3]))

    async def close(self) -> None:
        """Close, folding the WAL into the file: a file left in WAL mode then means the bot did
        not stop cleanly, so a missing WAL beside it is noticed at the next start.

        Safe to call twice at once (discord.py closes the bot from its signal handler and
        again on the way out): the second call waits for the first.
        """
        async with self._lock:
            db, self._db = self._db, None
            opened, self._opened = self._opened, False
            if db is None:
                return
            if opened:  # never write to a database that was refused
                try:
                    async with db.execute("PRAGMA journal_mode=DELETE") as cursor:
                        row = await cursor.fetchone()
                    if row is None or str(row[0]).lower() != "delete":
                        log.warning(
                            "database %s: left in WAL mode (another program has it open)",
                            self.path,
                        )
                except sqlite3.Error as e:
                    log.warning("database %s: could not fold its WAL in (%s)", self.path, e)
            await db.close()

    async def __aenter__(self) -> Store:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    errors = STATE_ERRORS

    def describe(self) -> str:
        return str(self.path)

    @asynccontextmanager
    async def transaction(
        self, *, durable: bool = False, fence: int | None = None
    ) -> AsyncIterator[_Tx]:
        """Writes that land together or not at all; one writer at a time on the connection.

        `durable`: the commit is also copied from the WAL into the database file before this
        returns, for writes a post depends on (the outbox): deleting the WAL while the bot is
        down then cannot make it post anything twice. `fence`: one process, nothing to guard.
        """
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield _Tx(self.db)
            except BaseException:
                await self.db.rollback()
                raise
            await self.db.commit()
            if durable and self.checkpoint_durable:
                await self._checkpoint()

    async def _checkpoint(self) -> None:
        async with self.db.execute("PRAGMA wal_checkpoint(FULL)") as cursor:
            row = await cursor.fetchone()
        if row is not None and (row[0] != 0 or row[1] != row[2]):
            log.warning(
                "database %s: the WAL could not be copied into the file yet (busy: another "
                "program reads it); the outbox relies on the WAL until the next write",
                self.path,
            )

    @asynccontextmanager
    async def exclusive(self, key: int) -> AsyncIterator[bool]:
        yield True

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await _Tx(self.db).fetchone(sql, params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await _Tx(self.db).fetchall(sql, params)

    async def writable(self) -> bool:
        """Take SQLite's write lock on a connection of our own and let it go: a real write
        check (disk, permissions, another writer) that cannot disturb the bot's connection."""
        return await asyncio.to_thread(_writable, self.path)

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


def _writable(path: Path | str, timeout: float = 1.0) -> bool:
    try:
        with sqlite3.connect(path, timeout=timeout, isolation_level=None) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        db.close()
    except sqlite3.Error:
        return False
    return True
