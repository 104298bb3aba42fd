"""The bot's state in PostgreSQL through asyncpg: the SQLite schema and statements, shared by any
number of bot processes against one server.

Migrations run in one transaction under an advisory lock, so processes started together migrate
once. A digest run holds a session advisory lock on its subscription (`exclusive`) on a
connection of its own, and the run's outbox writes go through that very connection (`fence`):
when a process dies its connection closes, the lock is free and another process resumes the
outbox; when a connection is cut under a run, its writes fail instead of racing the new owner.
A server restart costs no state: connections lost are retried (and logged) until it is back.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.schema import migrations
from bot.storage import Conflict, Row, SettingsQueries, StateError

log = logging.getLogger("threadbrief.store")

T = TypeVar("T")

LOCK_SPACE = 0x7442
"""First key of the bot's advisory locks (the second is a subscription id, or 0: migrations)."""

RECONNECT_FOR = 60.0
"""Seconds an operation keeps retrying a lost connection before it fails."""

MIGRATIONS: Sequence[str] = migrations("postgresql")


class LostHold(ConnectionError):
    """This process no longer holds the subscription it was writing for: its session ended."""


LOST: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
    OSError,
    TimeoutError,
)
"""What a connection that went away (server restarted, network cut) raises; asyncpg's client
state error included, which a connection the server is ending can raise for one more query."""

FAILED: tuple[type[Exception], ...] = (*LOST, asyncpg.PostgresError)


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, ...` (our statements have no `?` in text)."""
    count = 0

    def number(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return re.sub(r"\?", number, sql)


def redacted(dsn: str) -> str:
    """The DSN without its password, for logs."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _rowcount(status: str) -> int:
    """Rows changed, from a command tag such as "UPDATE 3" or "INSERT 0 1"."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _Tx:
    """A transaction on one asyncpg connection, as `bot.storage.Tx`."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            status: str = await self.conn.execute(numbered(sql), *params)
        except asyncpg.UniqueViolationError as e:
            raise Conflict(str(e)) from e
        return _rowcount(status)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(r) for r in rows]
        if not batch:
            return
        try:
            await self.conn.executemany(numbered(sql), batch)
        except asyncpg.UniqueViolationError as e:
            raise Conflict(str(e)) from e

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        try:
            row = await self.conn.fetchrow(numbered(sql), *params)
        except asyncpg.UniqueViolationError as e:
            raise Conflict(str(e)) from e
        return tuple(row) if row is not None else None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows = await self.conn.fetch(numbered(sql), *params)
        return [tuple(r) for r in rows]


class PgStore(SettingsQueries):
    """A pool of asyncpg connections to one database, opened by `open()`, closed by `close()`."""

    def __init__(
        self, dsn: str, *, reconnect_for: float = RECONNECT_FOR, max_connections: int = 10
    ) -> None:
        self.dsn = dsn
        self.reconnect_for = reconnect_for
        self.max_connections = max_connections
        self._pool: Any = None
        self._fences: dict[int, Any] = {}
        self._lost_since: float | None = None
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None

    errors = FAILED

    def describe(self) -> str:
        return redacted(self.dsn)

    @property
    def pool(self) -> Any:
        if self._pool is None:
            raise RuntimeError("PgStore is not open")
        return self._pool

    async def open(self) -> PgStore:
        """Connect and migrate; an unreachable server or a newer schema is refused in one line."""
        self._closing = False
        try:
            # No idle connection is closed by the pool itself, so a connection that ends while
            # the store is open was lost (the server restarted, the network was cut).
            self._pool = await asyncpg.create_pool(
                self.dsn,
                min_size=0,
                max_size=self.max_connections,
                max_inactive_connection_lifetime=0,
                init=self._watch,
            )
            version = await self._migrate()
        except FAILED as e:
            await self.close()
            raise StateError(
                f"Cannot connect to the PostgreSQL database {self.describe()}: "
                f"{type(e).__name__}: {e}",
                hint="Check that the server runs, and the host, port, user, password and "
                "database name in bot.database.",
            ) from None
        except BaseException:
            await self.close()
            raise
        log.info("database %s: opened (schema version %d)", self.describe(), version)
        return self

    async def close(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            await asyncio.gather(self._reconnecting, return_exceptions=True)
            self._reconnecting = None
        for conn in list(self._fences.values()):
            conn.terminate()
        self._fences.clear()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), 10)
            except LOST:
                pool.terminate()

    async def __aenter__(self) -> PgStore:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _migrate(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", LOCK_SPACE)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS threadbrief_schema (version INTEGER NOT NULL)"
            )
            version = await conn.fetchval("SELECT version FROM threadbrief_schema")
            if version is None:
                await conn.execute("INSERT INTO threadbrief_schema VALUES (0)")
                version = 0
            if version > len(MIGRATIONS):
                raise StateError(
                    f"The database {self.describe()} has schema version {version}, newer than "
                    f"this ThreadBrief knows ({len(MIGRATIONS)}).",
                    hint="Run the newer ThreadBrief that wrote it, or restore a backup made "
                    "with this version.",
                )
            for step in MIGRATIONS[version:]:
                await conn.execute(step)
            await conn.execute("UPDATE threadbrief_schema SET version = $1", len(MIGRATIONS))
        return len(MIGRATIONS)

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT version FROM threadbrief_schema")
        return int(row[0]) if row else 0

    # -- reconnecting -------------------------------------------------------------------------

    async def _watch(self, conn: Any) -> None:
        conn.add_termination_listener(self._ended)

    def _ended(self, conn: Any) -> None:
        if not self._closing:
            self._lost("the server closed it")

    def _lost(self, error: BaseException | str) -> None:
        """Say once per outage that the connection is gone, and reconnect in the background, so
        the log tells when the server is back even if the bot has nothing to do meanwhile."""
        if self._lost_since is None:
            self._lost_since = time.monotonic()
            reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
            log.warning("database %s: connection lost (%s); reconnecting", self.describe(), reason)
        if self._reconnecting is None and not self._closing:
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.05
        try:
            while self._lost_since is not None and self._pool is not None:
                await asyncio.sleep(delay)  # the ended connection is being released meanwhile
                try:
                    async with self._pool.acquire() as conn:
                        await conn.fetchval("SELECT 1")
                except LOST:
                    delay = min(delay * 2, 2.0)
                    continue
                self._back()
        finally:
            self._reconnecting = None

    def _back(self) -> None:
        if self._lost_since is not None:
            log.info(
                "database %s: reconnected after %.1f s",
                self.describe(),
                time.monotonic() - self._lost_since,
            )
            self._lost_since = None

    async def _retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run `attempt` (which starts from nothing: a read, or a transaction not yet begun),
        again on a new connection while the server is away, for up to `reconnect_for` s."""
        deadline = time.monotonic() + self.reconnect_for
        delay = 0.05
        while True:
            try:
                result = await attempt()
            except LOST as error:
                self._lost(error)
                if time.monotonic() + delay > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            self._back()
            return result

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async def read() -> Row | None:
            async with self.pool.acquire() as conn:
                return await _Tx(conn).fetchone(sql, params)

        return await self._retrying(read)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async def read() -> list[Row]:
            async with self.pool.acquire() as conn:
                return await _Tx(conn).fetchall(sql, params)

        return await self._retrying(read)

    async def writable(self) -> bool:
        try:
            async with asyncio.timeout(2):
                async with self.pool.acquire() as conn, conn.transaction():
                    await conn.execute("SELECT pg_current_xact_id()")
        except FAILED:
            return False
        return True

    # -- transactions and locks ---------------------------------------------------------------

    @asynccontextmanager
    async def transaction(
        self, *, durable: bool = False, fence: int | None = None
    ) -> AsyncIterator[_Tx]:
        """Writes that land together or not at all (every commit is durable here: the server's
        synchronous_commit). With `fence`, on the connection holding that lock, never retried."""
        if fence is not None and fence in self._fences:
            conn = self._fences[fence]
            if conn.is_closed():
                raise LostHold(f"the connection holding subscription {fence} is closed")
            try:
                tx = conn.transaction()
                await tx.start()
            except LOST as e:
                # A session the server ended under us can fail in the client's own state too.
                raise LostHold(f"subscription {fence}: {type(e).__name__}: {e}") from e
            try:
                yield _Tx(conn)
            except BaseException:
                if not conn.is_closed():
                    await tx.rollback()
                raise
            await tx.commit()
            return

        async def begin() -> tuple[Any, Any]:
            conn = await self.pool.acquire()
            try:
                tx = conn.transaction()
                await tx.start()
            except BaseException:
                await self.pool.release(conn)
                raise
            return conn, tx

        conn, tx = await self._retrying(begin)
        try:
            try:
                yield _Tx(conn)
            except BaseException:
                if not conn.is_closed():
                    await tx.rollback()
                raise
            await tx.commit()
        finally:
            await self.pool.release(conn)

    @asynccontextmanager
    async def exclusive(self, key: int) -> AsyncIterator[bool]:
        """A session advisory lock on its own connection: it goes when the process dies."""

        async def take() -> tuple[Any, bool]:
            conn = await self.pool.acquire()
            try:
                mine = bool(
                    await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_SPACE, key)
                )
            except BaseException:
                await self.pool.release(conn)
                raise
            return conn, mine

        conn, mine = await self._retrying(take)
        if not mine:
            await self.pool.release(conn)
            yield False
            return
        self._fences[key] = conn
        try:
            yield True
        finally:
            self._fences.pop(key, None)
            try:
                if not conn.is_closed():
                    await conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_SPACE, key)
            except LOST:
                pass  # the session is gone, and its lock with it
            finally:
                await self.pool.release(conn)
