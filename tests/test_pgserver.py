"""The PostgreSQL the tests start is real: it stores, restarts, and is never silently absent."""

from __future__ import annotations

import asyncpg
import pytest

from tests import pgserver


async def test_the_server_stores_rows_over_tcp_and_over_its_socket(
    postgres_server: pgserver.PgServer, postgres_db: str
) -> None:
    conn = await asyncpg.connect(postgres_db)
    try:
        assert conn.get_server_version().major >= 15
        await conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        await conn.execute("INSERT INTO notes VALUES (1, 'kept')")
    finally:
        await conn.close()
    name = postgres_db.rsplit("/", 1)[1]
    other = await asyncpg.connect(postgres_server.socket_dsn(name))
    try:
        assert await other.fetchval("SELECT body FROM notes WHERE id = 1") == "kept"
    finally:
        await other.close()


async def test_a_wrong_password_is_refused(postgres_server: pgserver.PgServer) -> None:
    wrong = postgres_server.dsn().replace(postgres_server.password, "not-the-password")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(wrong)


async def test_each_test_database_starts_empty(postgres_db: str, postgres_dsn: str) -> None:
    assert postgres_db != postgres_dsn
    conn = await asyncpg.connect(postgres_db)
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    assert tables == 0


async def test_a_restart_cuts_connections_and_keeps_the_data(
    postgres_server: pgserver.PgServer, postgres_db: str
) -> None:
    conn = await asyncpg.connect(postgres_db)
    await conn.execute("CREATE TABLE t (v int)")
    await conn.execute("INSERT INTO t VALUES (7)")
    postgres_server.restart()
    with pytest.raises((asyncpg.PostgresConnectionError, ConnectionError, OSError)):
        await conn.fetchval("SELECT 1")
    conn.terminate()
    again = await asyncpg.connect(postgres_db)
    try:
        assert await again.fetchval("SELECT v FROM t") == 7
    finally:
        await again.close()


def test_missing_binaries_say_how_to_install_them(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(pgserver.PostgresUnavailable, match="apt-get install postgresql"):
        pgserver.find_bin_dir({"THREADBRIEF_PG_BIN": str(tmp_path)})


@pytest.mark.parametrize(
    ("env", "skips"),
    [
        ({}, False),
        ({"THREADBRIEF_SKIP_POSTGRES": "1"}, True),
        ({"THREADBRIEF_SKIP_POSTGRES": "1", "CI": "true"}, False),
        ({"CI": "true"}, False),
    ],
)
def test_a_missing_server_fails_in_ci_and_skips_only_when_asked(
    env: dict[str, str], skips: bool
) -> None:
    assert pgserver.should_skip(env) is skips
