"""Briefs as jobs: read the source, then brief it, both in worker processes.

Reading (download and parse) and briefing are CPU work that would stall the bot's event loop,
and with it the gateway heartbeat, for seconds on a large thread. Both run in a process pool; the
loop only awaits them and reports progress between the two steps ("Reading 412 comments…"). A
semaphore bounds concurrent jobs and a per-user cooldown keeps one user from starving others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import TypeVar

from bot.brief import Brief
from bot.config import FetchConfig
from bot.errors import Busy, DeadlineExceeded, ThreadBriefError, TooLarge, TooManyComments
from bot.pipeline import BriefOptions, make_brief
from bot.sources import read_bytes, webpage
from bot.sources.chat import ChatHistory, article_link, chat_thread
from bot.sources.limit import check_count
from bot.sources.url import read_url
from bot.thread import Thread
from bot.workers import WorkerPool

Progress = Callable[[str], Awaitable[None]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """Where a thread comes from: a URL, the bytes of an uploaded file, or a chat's messages."""

    url: str | None = None
    data: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    pick: str | None = None
    chat: ChatHistory | None = field(default=None, repr=False)

    def describe(self) -> str:
        if self.chat is not None:
            return f"{len(self.chat.messages):,} messages in {self.chat.place}"
        return self.url or self.filename or "the upload"


def read_chat(history: ChatHistory, fetch: FetchConfig) -> Thread:
    """A conversation as a thread; the link its first message shares is read as the article."""
    link = article_link(history)
    if link is None:
        return chat_thread(history)
    try:
        linked = asyncio.run(read_url(link, fetch))
    except ThreadBriefError as e:
        note = f"The link in the first message could not be read: {e.message}"
        return chat_thread(replace(history, notes=(*history.notes, note)))
    return chat_thread(history, linked)


def read_source(
    request: SourceRequest, fetch: FetchConfig, max_comments: int | None = None
) -> Thread:
    """Download and parse, synchronously: meant to run in a worker process or the CLI.

    An upload stops being read at its first comment past `max_comments` (TooManyComments).
    """
    if request.chat is not None:
        thread = read_chat(request.chat, fetch)
    elif request.url is not None:
        thread = asyncio.run(read_url(request.url, fetch, pick=request.pick))
    else:
        return read_bytes(request.data or b"", pick=request.pick, max_comments=max_comments)
    check_count(thread.present_count, max_comments)  # a download is bounded by its size already
    return thread


def _warm_up() -> None:
    """Fill, in each worker at start, the caches a first web page would fill (dateparser's
    locales), not on the first user's request; importing this module imported the pipeline."""
    try:
        webpage.warm_up()
    except Exception:  # warming is an optimisation: a worker that cannot warm still works
        logging.getLogger(__name__).warning("A worker could not warm its caches.", exc_info=True)


def process_pool(
    workers: int, *, memory_mb: int | None = None, deadline: float | None = None
) -> WorkerPool:
    """The bot's workers: replaced when one dies, each under a memory ceiling and a deadline."""
    return WorkerPool(workers, memory_mb=memory_mb, deadline=deadline, warm_up=_warm_up)


class JobRunner:
    """Runs briefs in an executor, with a bound on concurrent jobs and a per-user cooldown."""

    def __init__(
        self,
        executor: Executor,
        fetch: FetchConfig,
        *,
        max_jobs: int = 2,
        cooldown: float = 20.0,
        max_comments: int = 20000,
        deadline: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.executor = executor
        self.deadline = deadline
        self.fetch = fetch
        self.max_comments = max_comments
        self.cooldown = cooldown
        self._slots = asyncio.Semaphore(max_jobs)
        self._last: dict[int, float] = {}
        self._clock = clock

    def claim(self, user_id: int) -> None:
        """Start a user's cooldown, or raise Busy saying how long they have to wait."""
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.cooldown:
            wait = self.cooldown - (now - last)
            raise Busy(
                f"You asked for a brief {now - last:.0f} s ago.", hint=f"Try again in {wait:.0f} s."
            )
        self._last[user_id] = now

    async def run(
        self, request: SourceRequest, options: BriefOptions, progress: Progress
    ) -> tuple[Brief, Thread]:
        options = options.checked()
        if self._slots.locked():
            await progress("Waiting for a free slot: other briefs are being made…")
        async with self._slots:
            # One deadline for the whole job, reading and briefing together, counted from here.
            ends = time.monotonic() + self.deadline
            await progress(f"Reading {request.describe()}…")
            try:
                thread = await self._within(
                    ends, read_source, request, self.fetch, self.max_comments
                )
            except TooManyComments:
                raise self._too_large(f"more than {self.max_comments:,}") from None
            n = thread.present_count
            if n > self.max_comments:
                raise self._too_large(f"{n:,}")
            await progress(f"Reading {n:,} comment{'s' if n != 1 else ''}…")
            brief = await self._within(ends, make_brief, thread, options)
        return brief, thread

    async def _within(self, ends: float, fn: Callable[..., T], *args: object) -> T:
        """Run `fn` in a worker with what is left of the job's deadline."""
        left = ends - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded(self._deadline_message())
        if isinstance(self.executor, WorkerPool):
            # The pool stops the worker itself (and replaces it if it must be killed).
            future = self.executor.submit_within(left, fn, *args)
            try:
                return await asyncio.wrap_future(future)
            except DeadlineExceeded:
                raise DeadlineExceeded(self._deadline_message()) from None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(left):
                return await loop.run_in_executor(self.executor, fn, *args)
        except TimeoutError:
            raise DeadlineExceeded(self._deadline_message()) from None

    def _deadline_message(self) -> str:
        return (
            f"This brief took longer than the {self.deadline:g} s one brief may take "
            "(bot.job_deadline), and was stopped."
        )

    def _too_large(self, count: str) -> TooLarge:
        return TooLarge(
            f"This thread has {count} comments; this bot briefs at most {self.max_comments:,}.",
            hint="Ask the bot's owner to raise bot.max_comments.",
        )
