"""The rules the code keeps, checked where a change lands: lint, format, types, and the flow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DISCORD_ALLOWED = {
    ROOT / "bot" / "runner.py",
    ROOT / "bot" / "render" / "embeds.py",
    ROOT / "bot" / "cluster" / "replies.py",
}
"""The core's only modules that may import discord.py: the runner, the embed renderer, and the
worker's replies over Discord's REST API."""


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_never_imports_discord_outside_the_runner_and_the_embeds() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path not in DISCORD_ALLOWED and "discord" in imported_modules(path)
    ]
    assert offenders == []


def test_the_core_never_imports_the_cogs_or_the_tests() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if imported_modules(path) & {"cogs", "tests", "bench"}
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "bot", "cogs", "tests", "bench"),
        ("ruff", "format", "--check", "bot", "cogs", "tests", "bench"),
        ("mypy",),
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict-core"],
)
def test_the_code_is_clean(command: tuple[str, ...]) -> None:
    result = run(*command)
    assert result.returncode == 0, result.stdout + result.stderr
