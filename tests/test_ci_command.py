"""CI runs what the README tells a contributor to run, and that command leaves no test out."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("Install and run the tests") :]
    return re.findall(r"```sh\n(.+?)\n```", section, re.S)[0].strip()


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert script[-1] == readme_test_command()


def test_the_readmes_test_command_runs_the_slow_tests_too() -> None:
    command = readme_test_command()
    assert command.endswith("python -m pytest -q --run-slow")
