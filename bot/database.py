"""Which store `bot.database` names: a postgresql:// URL is PostgreSQL, anything else a SQLite
file. The runner and the tools open the bot's state only through here."""

from __future__ import annotations

from pathlib import Path

from bot.storage import StateError, StateStore, is_postgres_url
from bot.store import Store


def open_store(database: Path | str) -> StateStore:
    """The (unopened) store of `database`; a missing PostgreSQL driver is said in one line."""
    if is_postgres_url(database):
        try:
            # start-up: asyncpg costs 0.03-0.1 s and is the optional `postgres` extra; only a
            # bot whose state is in PostgreSQL needs it
            from bot.pgstore import PgStore
        except ImportError as missing:
            raise StateError(
                f"bot.database is a PostgreSQL URL but its driver is missing ({missing}).",
                hint="Install it with: pip install 'threadbrief[postgres]'",
            ) from None
        return PgStore(str(database))
    return Store(database)
