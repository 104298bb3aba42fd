"""The one reader of ISO 8601 dates for every source.

Exports and APIs write dates as ISO 8601 with a `Z`, with an offset, without a zone, with a
space for the `T` (WordPress) or as a date alone. Every source reads them here, so each gets the
same answer: an aware datetime (UTC where the text names no zone), or None for anything that is
not such a date (a missing field, a number, WordPress's "0000-00-00 00:00:00").
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso_date(value: object) -> datetime | None:
    """An aware datetime from ISO 8601 text; None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
