"""`threadbrief run` when Discord will not let the bot in: one clear line, exit status 2."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import cli, runner
from tests.fakediscord.botprocess import ROOT, write_config
from tests.fakediscord.server import FakeDiscord


async def threadbrief_run(api_base: str, gateway: str, config: Path) -> tuple[int, list[str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord.botprocess",
        api_base,
        gateway,
        str(config),
        "cli",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode().splitlines()


@pytest.mark.parametrize(
    ("setup", "settings", "expected"),
    [
        ({"token_valid": False}, {}, "Discord refused the bot token"),
        (
            {"portal_intents": 0},
            {"message_content": "true"},
            "Privileged Gateway Intents → Message Content Intent",
        ),
        ({"sharding_required": True}, {}, "Discord requires this bot to shard"),
    ],
)
async def test_a_refused_start_says_what_is_wrong_in_one_line(
    fake: FakeDiscord,
    tmp_path: Path,
    setup: dict[str, Any],
    settings: dict[str, str],
    expected: str,
) -> None:
    for key, value in setup.items():
        setattr(fake, key, value)
    config = write_config(tmp_path, **settings)
    status, lines = await threadbrief_run(fake.api_base, fake.gateway_url, config)
    assert status == 2
    assert lines[-1].startswith("threadbrief: ") and expected in lines[-1]
    assert not any("Traceback" in line or "internal error" in line for line in lines)


async def test_an_unreachable_discord_is_one_line_too(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    config = write_config(tmp_path)
    status, lines = await threadbrief_run(
        f"http://127.0.0.1:{port}/api/v10", f"ws://127.0.0.1:{port}/gateway", config
    )
    assert status == 2
    assert lines[-1].startswith("threadbrief: Cannot reach Discord")


def test_an_internal_error_logs_its_traceback_with_the_reference_shown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "run", broken)
    config = write_config(tmp_path)
    status = cli.main(["--config", str(config), "run"])
    assert status == 1
    lines = capsys.readouterr().err.splitlines()
    shown = lines[-1]
    assert shown.startswith("threadbrief: internal error (reference ")
    reference = shown.split("reference ")[1].split(")")[0]
    [logged] = [line for line in lines[:-1] if f"internal error (reference {reference})" in line]
    assert "Traceback" in logged and "RuntimeError: a bug" in logged
