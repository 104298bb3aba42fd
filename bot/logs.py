"""Logging for people and for machines: one line per event, colour only on a terminal.

`text` lines read `2026-01-05 09:00:00 INFO threadbrief: message`; `json` lines are one object
each (`time`, `level`, `logger`, `message`, and `exception` when there is one), for log
collectors. A traceback never spans lines: in text it is folded onto its event's line with `\\n`
escapes, so `grep` and `journalctl` keep one event together. discord.py's notice that voice is not
supported is dropped: this bot never joins voice, and the line alarmed every start.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import IO

LEVELS = ("debug", "info", "warning", "error", "critical")
FORMATS = ("text", "json")

_COLOURS = {
    logging.DEBUG: "\x1b[2m",
    logging.INFO: "\x1b[36m",
    logging.WARNING: "\x1b[33m",
    logging.ERROR: "\x1b[31m",
    logging.CRITICAL: "\x1b[1;31m",
}
_RESET = "\x1b[0m"


class _NoVoiceNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "discord.client" and "voice will NOT be supported" in record.msg)


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", "\\n")


class TextFormatter(logging.Formatter):
    def __init__(self, *, colour: bool = False) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        level = record.levelname
        if self.colour:
            level = f"{_COLOURS.get(record.levelno, '')}{level}{_RESET}"
        line = f"{stamp} {level} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += " | " + self.formatException(record.exc_info)
        return _one_line(line)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)


def wants_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def configure(level: str = "info", fmt: str = "text", stream: IO[str] | None = None) -> None:
    """Install one handler on the root logger; replaces any handler set before."""
    out = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else TextFormatter(colour=wants_colour(out))
    )
    handler.addFilter(_NoVoiceNotice())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # discord.py's own debug output (every gateway frame) is noise unless asked for.
    logging.getLogger("discord").setLevel(max(root.level, logging.INFO))
