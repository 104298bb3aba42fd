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


SLOW: dict[str, tuple[str, ...]] = {
    # The bot end to end: the real discord.py client, the Discord stand-in, worker processes.
    "test_bot_conversation.py": (),
    "test_bot_digest.py": (),
    "test_bot_resilience.py": (),
    "test_bot_startup.py": (),
    "test_bot_summarize.py": (),
    "test_digest_crash.py": (),
    "test_digest_crash_pg.py": (),
    "test_selfhost.py": (),
    "test_state_damage.py": (
        "test_threadbrief_run_on_damaged_state_says_so_in_one_line",
        "test_a_full_disk_holds_the_digest_back_tells_the_channel_and_loses_nothing",
    ),
    "test_cluster.py": (),
    "test_pgserver.py": (),
    "test_cluster_parts.py": ("test_three_workers_together_stay_within_the_fleet_budget",),
    "test_store_backends.py": (),
    # Worker processes killed, replaced and timed out for real.
    "test_workers.py": (),
    "test_worker_warm_up.py": (),
    # The command line as a user runs it: one Python process per test.
    "test_cli.py": (),
    "test_cli_behaviour.py": (),
    "test_viewpoints.py": (
        "test_the_terminal_shows_each_side",
        "test_the_readme_shows_what_the_cli_prints",
    ),
    "test_config.py": ("test_run_without_a_token_stops_with_one_line",),
    "test_limits.py": ("test_the_command_line_refuses_a_file_past_the_limit_naming_it",),
    # Parity with sumy, long property and fuzz runs, benchmarks' own tests.
    "test_ranking_parity.py": (),
    "test_ranking_parity_more.py": (),
    "test_fuzz.py": (),
    "test_regex_linear.py": (),
    "test_scaling.py": (),
    "test_bench_quality.py": (),
    "test_bench_viewpoints.py": (),
    # The address guard again on the lowest aiohttp allowed, installed into a temporary directory.
    "test_aiohttp_floor.py": (),
}
"""Files (all their tests, or the tests named) that make up most of the suite's time; a test
elsewhere can mark itself `@pytest.mark.slow`."""


def _slow(item: pytest.Item) -> bool:
    names = SLOW.get(item.path.name)
    if names is not None and (not names or getattr(item, "originalname", item.name) in names):
        item.add_marker(pytest.mark.slow)
    return item.get_closest_marker("slow") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the slow tests out unless --run-slow: the default run is the quick feedback loop."""
    slow = [item for item in items if _slow(item)]
    if config.getoption("--run-slow"):
        return
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


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The bot's `database` setting on each backend: a SQLite file, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "bot.sqlite3"
    dsn: str = request.getfixturevalue("postgres_db")
    return dsn
