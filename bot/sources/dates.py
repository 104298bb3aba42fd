"""Dates as sources give them, read without trusting them: a bad date is no date, not a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def from_unix(value: Any) -> datetime | None:
    """Seconds since 1970, as JSON APIs give them; None when absent or out of any calendar."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        return None
