"""The address guard holds on the lowest aiohttp that pyproject.toml allows, not only the newest.

The suite itself runs on the aiohttp pip installs, the highest allowed. Older aiohttp reads an
all-digit host as an address and skips the resolver the guard sits in, so the guard's file
(tests/test_fetch_guard.py: every spelling, special-use address, malformed link and redirect,
and `threadbrief summarize URL` exiting 2 for each) runs again here in a child process with the
lowest allowed aiohttp first on its path, installed once per session into a temporary directory
from the package index. Only an unreachable index skips it, and says so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
GUARD_TESTS = ROOT / "tests" / "test_fetch_guard.py"
UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
    r"resolution|Name or service not known|Network is unreachable|ConnectTimeout|ReadTimeout|"
    r"ProxyError|Connection refused|No route to host",
    re.IGNORECASE,
)
"""What pip says when it cannot reach the index (as against a version that does not exist)."""


def lowest_allowed() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (spec,) = [d for d in project["project"]["dependencies"] if d.startswith("aiohttp")]
    low = re.search(r">=\s*([\d.]+)", spec)
    assert low, f"aiohttp needs a lower bound in pyproject.toml: {spec}"
    return low.group(1)


@pytest.fixture(scope="session")
def floor_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A directory holding only the lowest allowed aiohttp (its dependencies are the suite's)."""
    low = lowest_allowed()
    target = tmp_path_factory.mktemp("aiohttp-floor")
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--timeout", "20"]
    run = subprocess.run(
        [*pip, "--retries", "1", "--target", str(target), f"aiohttp=={low}"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    said = run.stdout + run.stderr
    if run.returncode != 0 and UNREACHABLE.search(said):
        pytest.skip(f"the package index is unreachable, so aiohttp=={low} cannot be installed")
    assert run.returncode == 0, said[-2000:]
    return target, low


def test_the_guard_holds_on_the_lowest_allowed_aiohttp(floor_site: tuple[Path, str]) -> None:
    target, low = floor_site
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}
    version = subprocess.run(
        [sys.executable, "-c", "import aiohttp; print(aiohttp.__version__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == low
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", str(GUARD_TESTS)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed and int(passed.group(1)) >= 100, run.stdout[-500:]
    assert "skipped" not in run.stdout.splitlines()[-1], run.stdout[-500:]
