"""How long a brief may take to answer a Discord interaction: the one rule for the bot and workers.

Discord accepts edits and followups of an interaction's reply for 15 minutes after it was made.
A brief that waits for a slot or takes long to make gives up in time to say so, rather than
finishing when nobody can be told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.errors import Busy

T = TypeVar("T")
log = logging.getLogger("threadbrief.answering")

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


class ProgressInBackground:
    """Progress edits that never hold up the brief they describe.

    Each edit is a request to Discord (100-300 ms there); awaited in line, two of them leave a
    worker's core idle for a good part of a 2,000-comment brief. Here `__call__` returns at
    once: one task sends the edits in order, and a text that arrives while an edit is on its
    way replaces any other still waiting (only the latest is worth showing). `settle()` (or
    leaving the `async with`) sends what is still waiting and returns when the last edit is
    done, so the answer that follows is never overwritten by a late progress edit. A failed
    edit is logged and the brief goes on: the answer will meet the same problem and say it.
    """

    def __init__(self, send: Callable[[str], Awaitable[None]]) -> None:
        self._send = send
        self._waiting: str | None = None
        self._sender: asyncio.Task[None] | None = None

    async def __call__(self, text: str) -> None:
        self._waiting = text
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_all(), name="progress")

    async def _send_all(self) -> None:
        while self._waiting is not None:
            text, self._waiting = self._waiting, None
            try:
                await self._send(text)
            except Exception as error:
                log.info("a progress edit failed (%s: %s)", type(error).__name__, error)

    async def settle(self, *, drop_waiting: bool = False) -> None:
        """Return once the edits are sent; with `drop_waiting`, the one still waiting is not."""
        if drop_waiting:
            self._waiting = None
        if self._sender is not None:
            await asyncio.shield(self._sender)

    async def __aenter__(self) -> ProgressInBackground:
        return self

    async def __aexit__(self, *exc: object) -> None:
        # When the brief failed, its error is the answer: no progress may follow it.
        await self.settle(drop_waiting=exc[0] is not None)
