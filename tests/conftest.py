"""Shared fixtures: the sample threads beside the repository, the local Discord stand-in, and a
real PostgreSQL server (tests/pgserver.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pgserver

pytest_plugins = ["tests.fakediscord.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="also run the tests marked slow (end to end through worker processes, the Discord "
        "stand-in and local servers; parity and long property runs), as .ci/run does",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the slow tests out unless --run-slow: the default run is the quick feedback loop."""
    if config.getoption("--run-slow"):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]


SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


class SampleFinder:
    """Paths of the shared sample threads; skips the test where they are not present."""

    def __call__(self, name: str) -> Path:
        path = SAMPLES / name
        if not path.is_file():
            pytest.skip(f"sample {name} not present (expected in {SAMPLES})")
        return path


@pytest.fixture
def sample() -> SampleFinder:
    return SampleFinder()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pgserver.PgServer]:
    """One real PostgreSQL server for the whole run, stopped and deleted after it.

    Without PostgreSQL this fails (CI, and by default everywhere); outside CI,
    THREADBRIEF_SKIP_POSTGRES=1 turns the failure into a skip that says why.
    """
    try:
        server = pgserver.launch()
    except pgserver.PostgresUnavailable as missing:
        if pgserver.should_skip():
            pytest.skip(
                f"PostgreSQL unavailable, skipped as THREADBRIEF_SKIP_POSTGRES=1 asks: {missing}"
            )
        pytest.fail(f"PostgreSQL unavailable: {missing}", pytrace=False)
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def postgres_dsn(postgres_server: pgserver.PgServer) -> str:
    """DSN of the session's database ``threadbrief`` (shared by every test that asks)."""
    return postgres_server.dsn()


@pytest.fixture
def postgres_db(postgres_server: pgserver.PgServer) -> str:
    """DSN of a new empty database of its own for one test."""
    return postgres_server.create_database()
