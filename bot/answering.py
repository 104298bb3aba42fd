"""How long a brief may take to answer a Discord interaction: the one rule for the bot and workers.

Discord accepts edits and followups of an interaction's reply for 15 minutes after it was made.
A brief that waits for a slot or takes long to make gives up in time to say so, rather than
finishing when nobody can be told.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from bot.errors import Busy

T = TypeVar("T")

TOKEN_LIFETIME = 15 * 60.0
"""Seconds Discord accepts edits and followups of an interaction's reply."""
ANSWER_MARGIN = 30.0
"""Seconds kept for the last edit, or for the message that says the brief could not be made."""


def seconds_to_answer(created_at: float, now: float) -> float:
    """Seconds left to make a brief for an interaction made at `created_at` (epoch seconds)."""
    return max(0.0, created_at + TOKEN_LIFETIME - ANSWER_MARGIN - now)


async def in_answer_time(work: Awaitable[T], created_at: float, now: float) -> T:
    """The work's result, or Busy (saying why) once the interaction could no longer be told."""
    try:
        async with asyncio.timeout(seconds_to_answer(created_at, now)) as deadline:
            return await work
    except TimeoutError:
        if not deadline.expired():
            raise
        raise Busy(
            "This brief could not be made within the 15 minutes Discord lets me answer: "
            "the bot was too busy.",
            hint="Try again in a few minutes.",
        ) from None
