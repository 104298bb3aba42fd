"""A brief gives up in time to tell the member, within the 15 minutes an interaction lives."""

from __future__ import annotations

import asyncio

import pytest

from bot.answering import ProgressInBackground, in_answer_time, seconds_to_answer
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


class SlowEdits:
    """A reply whose edits take as long as the test lets them: each waits for `release`."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.started: list[str] = []
        self.release = asyncio.Event()

    async def edit(self, text: str) -> None:
        self.started.append(text)
        await self.release.wait()
        if text == "broken":
            raise ConnectionError("the edit failed")
        self.shown.append(text)


async def test_progress_returns_at_once_while_its_edit_is_on_the_way() -> None:
    reply = SlowEdits()
    progress = ProgressInBackground(reply.edit)
    await asyncio.wait_for(progress("Reading tram.txt…"), 0.5)  # the brief goes on meanwhile
    await asyncio.sleep(0)
    assert reply.started == ["Reading tram.txt…"] and reply.shown == []
    reply.release.set()
    await progress.settle()
    assert reply.shown == ["Reading tram.txt…"]


async def test_only_the_latest_waiting_progress_is_shown_and_it_comes_before_the_answer() -> None:
    reply = SlowEdits()
    async with ProgressInBackground(reply.edit) as progress:
        await progress("Reading tram.txt…")
        await asyncio.sleep(0)
        await progress("Reading 8 comments…")
        await progress("Grouping 8 comments into viewpoints…")
        reply.release.set()
    # Leaving the block waited for every edit: the answer that follows is the last word.
    assert reply.shown == ["Reading tram.txt…", "Grouping 8 comments into viewpoints…"]


async def test_a_failed_brief_drops_the_waiting_progress_so_nothing_follows_its_error() -> None:
    reply = SlowEdits()

    async def failing_brief() -> None:
        async with ProgressInBackground(reply.edit) as progress:
            await progress("Reading tram.txt…")
            await asyncio.sleep(0)
            await progress("Reading 8 comments…")
            reply.release.set()
            raise Busy("the brief failed")

    with pytest.raises(Busy, match="the brief failed"):
        await failing_brief()
    assert reply.shown == ["Reading tram.txt…"]


async def test_a_failed_progress_edit_does_not_stop_the_brief() -> None:
    reply = SlowEdits()
    reply.release.set()
    async with ProgressInBackground(reply.edit) as progress:
        await progress("broken")
        await asyncio.sleep(0.01)
        await progress("Reading 8 comments…")
    assert reply.started == ["broken", "Reading 8 comments…"]
    assert reply.shown == ["Reading 8 comments…"]
