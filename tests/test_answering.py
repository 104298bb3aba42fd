"""A brief gives up in time to tell the member, within the 15 minutes an interaction lives."""

from __future__ import annotations

import asyncio

import pytest

from bot.answering import in_answer_time, seconds_to_answer
from bot.errors import Busy

NOW = 1_800_000_000.0


def test_a_brief_has_the_tokens_15_minutes_less_the_time_to_say_so() -> None:
    assert seconds_to_answer(NOW, NOW) == 15 * 60 - 30
    assert seconds_to_answer(NOW - 600, NOW) == 5 * 60 - 30
    assert seconds_to_answer(NOW - 3600, NOW) == 0.0


async def test_a_brief_made_in_time_is_shown() -> None:
    async def brief() -> str:
        return "the brief"

    assert await in_answer_time(brief(), NOW, NOW) == "the brief"


async def test_a_brief_too_late_to_answer_says_the_bot_was_too_busy() -> None:
    with pytest.raises(Busy) as refused:
        await in_answer_time(asyncio.sleep(10), NOW - 15 * 60 + 30.05, NOW)
    assert refused.value.user_message() == (
        "This brief could not be made within the 15 minutes Discord lets me answer: the bot was "
        "too busy. Try again in a few minutes."
    )


async def test_a_timeout_inside_the_work_is_not_taken_for_the_deadline() -> None:
    async def slow_site() -> None:
        raise TimeoutError

    with pytest.raises(TimeoutError):
        await in_answer_time(slow_site(), NOW, NOW)
