"""Log lines: one per event, colour only on a terminal, JSON for machines."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import configure


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging():  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def fail() -> None:
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        logging.getLogger("threadbrief.test").exception("it broke\nbadly")


def test_a_terminal_gets_colour_and_a_pipe_or_no_color_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal, pipe = Terminal(), io.StringIO()
    configure("info", stream=terminal)
    logging.getLogger("threadbrief.test").warning("careful")
    configure("info", stream=pipe)
    logging.getLogger("threadbrief.test").warning("careful")
    assert "\x1b[33mWARNING\x1b[0m" in terminal.getvalue()
    assert (
        "\x1b[" not in pipe.getvalue() and " WARNING threadbrief.test: careful" in pipe.getvalue()
    )
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    configure("info", stream=plain)
    logging.getLogger("threadbrief.test").warning("careful")
    assert "\x1b[" not in plain.getvalue()


def test_an_event_with_a_traceback_is_still_one_line() -> None:
    out = io.StringIO()
    configure("info", stream=out)
    fail()
    [line] = out.getvalue().splitlines()
    assert "it broke\\nbadly | Traceback" in line and "ValueError: first line\\nsecond line" in line


def test_json_events_carry_the_traceback_as_a_field() -> None:
    out = io.StringIO()
    configure("info", "json", stream=out)
    fail()
    [line] = out.getvalue().splitlines()
    event = json.loads(line)
    assert event["level"] == "error" and event["logger"] == "threadbrief.test"
    assert event["message"] == "it broke\nbadly" and "ValueError" in event["exception"]


def test_discord_voice_notices_are_dropped_and_other_discord_lines_kept() -> None:
    out = io.StringIO()
    configure("info", stream=out)
    discord_log = logging.getLogger("discord.client")
    discord_log.warning("PyNaCl is not installed, voice will NOT be supported")
    discord_log.warning("davey is not installed, voice will NOT be supported")
    discord_log.info("logging in using static token")
    assert out.getvalue().count("\n") == 1 and "static token" in out.getvalue()
