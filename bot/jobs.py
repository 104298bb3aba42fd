"""The one path for everything that reads and briefs: commands, menus, auto-summary, digests.

A job is a small picklable request (`BriefJob`, or a digest's own jobs) with one method,
`run(work)`, that returns a brief (or a digest entry) or raises a `ThreadBriefError` a user can
read. `JobRunner.submit` runs it:

* in a slot: at most `max_jobs` at once, of which digests hold at most `digest_jobs`; a user's
  job waiting for a slot always gets the next one before any waiting digest job, so scheduled
  digests never queue ahead of someone's brief;
* within one deadline for the whole job, and the comment limit (`Work.check_count`);
* with the process's one `Fetcher` for downloads (on the event loop: it is I/O) and the worker
  processes for CPU work (`Work.cpu`), so the gateway heartbeat never stalls;
* telling the user how it goes through `progress` ("Reading 412 comments…").
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from bot.brief import Brief
from bot.config import FetchConfig
from bot.errors import Busy, DeadlineExceeded, ThreadBriefError, TooLarge, TooManyComments
from bot.fetch.client import Fetcher, settings_from
from bot.parcel import ThreadParcel, parcelled
from bot.pipeline import BriefOptions, make_brief
from bot.sources import hackernews, read_bytes, webpage
from bot.sources.chat import ChatHistory, article_link, chat_thread
from bot.sources.url import Offload, inline, read_url_parcel
from bot.thread import Thread
from bot.workers import WorkerPool

Progress = Callable[[str], Awaitable[None]]
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


async def quiet(_: str) -> None:
    """The progress of a job nobody watches (digests, auto-summary)."""


class Lane(enum.Enum):
    """Who waits for a job: a person (first in line) or a digest (within its share)."""

    USER = "user"
    DIGEST = "digest"


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


@dataclass(frozen=True, slots=True)
class Work:
    """What a running job may use: the fetcher, worker processes, the limits, its progress."""

    fetcher: Fetcher
    cpu: Offload
    progress: Progress = quiet
    max_comments: int | None = None
    hackernews_api: str = hackernews.ALGOLIA

    def check_count(self, present: int) -> None:
        """Refuse a thread with more comments than this bot briefs (TooLarge)."""
        if self.max_comments is not None and present > self.max_comments:
            raise too_many(f"{present:,}", self.max_comments)


class Job(Protocol[T_co]):
    """A picklable request that makes its result with what `Work` lends it."""

    async def run(self, work: Work) -> T_co: ...


class Jobs(Protocol):
    """What runs jobs: `JobRunner` in one process; a queue in front of workers elsewhere."""

    async def submit(self, job: Job[T], progress: Progress = ..., *, lane: Lane = ...) -> T: ...


def too_many(count: str, most: int) -> TooLarge:
    return TooLarge(
        f"This thread has {count} comments; this bot briefs at most {most:,}.",
        hint="Ask the bot's owner to raise bot.max_comments.",
    )


async def read_thread(request: SourceRequest, work: Work) -> ThreadParcel:
    """The thread a request names: downloaded with the work's fetcher, parsed by `work.cpu`.

    It comes in the parcel the worker made (bot/parcel.py): the bot's process hands it on to
    the worker that briefs it without rebuilding it. An upload stops being read at its first
    comment past the limit; a download is bounded by its size already and is counted once read."""
    if request.chat is not None:
        parcel = await _read_chat(request.chat, work)
    elif request.url is not None:
        parcel = await read_url_parcel(
            request.url,
            work.fetcher,
            pick=request.pick,
            hackernews_api=work.hackernews_api,
            cpu=work.cpu,
        )
    else:
        read = functools.partial(read_bytes, pick=request.pick, max_comments=work.max_comments)
        try:
            return await work.cpu(parcelled, read, request.data or b"")
        except TooManyComments:
            if work.max_comments is None:
                raise
            raise too_many(f"more than {work.max_comments:,}", work.max_comments) from None
    work.check_count(parcel.present_count)
    return parcel


async def _read_chat(history: ChatHistory, work: Work) -> ThreadParcel:
    """A conversation as a thread; the link its first message shares is read as the article."""
    link = article_link(history)
    linked = None
    if link is not None:
        try:
            linked = await read_url_parcel(
                link, work.fetcher, hackernews_api=work.hackernews_api, cpu=work.cpu
            )
        except ThreadBriefError as e:
            note = f"The link in the first message could not be read: {e.message}"
            history = replace(history, notes=(*history.notes, note))
    return await work.cpu(parcelled, _chat_thread, history, linked)


def _chat_thread(history: ChatHistory, linked: ThreadParcel | None) -> Thread:
    return chat_thread(history, linked.open() if linked is not None else None)


def brief_parcel(parcel: ThreadParcel, options: BriefOptions) -> Brief:
    """The brief of a parcelled thread, in the worker that opens it."""
    return make_brief(parcel.open(), options)


@dataclass(frozen=True, slots=True)
class BriefJob:
    """A user's brief: read the source, then brief it. Returns the brief and the thread's parcel."""

    request: SourceRequest
    options: BriefOptions

    async def run(self, work: Work) -> tuple[Brief, ThreadParcel]:
        options = self.options.checked()
        await work.progress(f"Reading {self.request.describe()}…")
        parcel = await read_thread(self.request, work)
        n = parcel.present_count
        await work.progress(f"Reading {n:,} comment{'s' if n != 1 else ''}…")
        return await work.cpu(brief_parcel, parcel, options), parcel


def read_source(
    request: SourceRequest, fetch: FetchConfig, max_comments: int | None = None
) -> Thread:
    """Read a source here and now, with a fetcher of its own: the CLI's one run."""

    async def main() -> Thread:
        async with Fetcher(settings_from(fetch)) as fetcher:
            work = Work(
                fetcher, inline, max_comments=max_comments, hackernews_api=fetch.hackernews_api
            )
            return (await read_thread(request, work)).open()

    return asyncio.run(main())


class Slots:
    """`total` job slots, of which digests hold at most `digest_share`; waiting users first."""

    def __init__(self, total: int, digest_share: int) -> None:
        self.total = total
        self.digest_share = max(1, min(digest_share, total))
        self.held = {Lane.USER: 0, Lane.DIGEST: 0}
        self._waiting: dict[Lane, deque[asyncio.Future[None]]] = {
            Lane.USER: deque(),
            Lane.DIGEST: deque(),
        }

    def waiting(self, lane: Lane) -> int:
        return sum(1 for f in self._waiting[lane] if not f.done())

    def _free(self, lane: Lane) -> bool:
        if sum(self.held.values()) >= self.total:
            return False
        return lane is Lane.USER or self.held[Lane.DIGEST] < self.digest_share

    def busy(self, lane: Lane) -> bool:
        """Whether a job of `lane` asking now would have to wait."""
        ahead = self.waiting(Lane.USER) + (self.waiting(Lane.DIGEST) if lane is Lane.DIGEST else 0)
        return ahead > 0 or not self._free(lane)

    @asynccontextmanager
    async def hold(self, lane: Lane) -> AsyncIterator[None]:
        await self._acquire(lane)
        try:
            yield
        finally:
            self.held[lane] -= 1
            self._hand_on()

    async def _acquire(self, lane: Lane) -> None:
        if not self.busy(lane):
            self.held[lane] += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.held[lane] -= 1  # handed a slot just as it was cancelled: pass it on
                self._hand_on()
            raise

    def _hand_on(self) -> None:
        for lane in (Lane.USER, Lane.DIGEST):
            queue = self._waiting[lane]
            while queue and self._free(lane):
                waiter = queue.popleft()
                if not waiter.done():
                    self.held[lane] += 1
                    waiter.set_result(None)
            if lane is Lane.USER and queue:
                return  # a user still waits: no digest goes ahead of them


class JobRunner:
    """Runs jobs in slots, within a deadline and the comment limit, with a per-user cooldown."""

    def __init__(
        self,
        executor: Executor,
        fetcher: Fetcher,
        *,
        max_jobs: int = 2,
        digest_jobs: int | None = None,
        cooldown: float = 20.0,
        max_comments: int = 20000,
        deadline: float = 300.0,
        hackernews_api: str = hackernews.ALGOLIA,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.executor = executor
        self.fetcher = fetcher
        self.deadline = deadline
        self.max_comments = max_comments
        self.cooldown = cooldown
        self.hackernews_api = hackernews_api
        self.slots = Slots(max_jobs, digest_jobs if digest_jobs is not None else max_jobs // 2)
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
        self, request: SourceRequest, options: BriefOptions, progress: Progress = quiet
    ) -> tuple[Brief, ThreadParcel]:
        """A user's brief of `request` (see `BriefJob`)."""
        return await self.submit(BriefJob(request, options), progress)

    async def submit(self, job: Job[T], progress: Progress = quiet, *, lane: Lane = Lane.USER) -> T:
        """Run `job` when a slot of `lane` is free, within one deadline counted from then."""
        if self.slots.busy(lane):
            await progress("Waiting for a free slot: other briefs are being made…")
        async with self.slots.hold(lane):
            ends = time.monotonic() + self.deadline
            work = Work(
                self.fetcher,
                functools.partial(self._within, ends),
                progress,
                self.max_comments,
                self.hackernews_api,
            )
            timeout = asyncio.timeout(self.deadline)
            try:
                async with timeout:
                    return await job.run(work)
            except TimeoutError:
                if not timeout.expired():
                    raise
                raise DeadlineExceeded(self._deadline_message()) from None

    async def _within(self, ends: float, fn: Callable[..., T], /, *args: Any) -> T:
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
