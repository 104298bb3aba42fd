"""Values from JSON that someone else wrote: a value of the wrong type is absent, not a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def from_unix(value: Any) -> datetime | None:
    """Seconds since 1970, as JSON APIs give them; None when absent or out of any calendar."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        return None
