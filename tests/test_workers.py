"""A dying or runaway worker costs one brief, never the bot: the pool replaces itself.

These run real worker processes (spawned, as the bot's are) and kill them for real with SIGKILL,
as the kernel's OOM killer does.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from bot.errors import DeadlineExceeded, TooLarge, WorkerLost
from bot.fetch import Fetcher, FetchSettings
from bot.jobs import JobRunner, SourceRequest, process_pool
from bot.pipeline import BriefOptions
from bot.workers import WorkerPool

TRAM = (Path(__file__).parent / "fixtures" / "tram-vote.txt").read_bytes()


def kill_myself() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def slow_square(n: int) -> int:
    time.sleep(1.0)
    return n * n


def my_pid() -> int:
    return os.getpid()


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 2**20))


def stuck_in_c(seconds: float) -> None:
    """Ignore SIGALRM, as code deep in a C extension would: only a kill stops it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(seconds)


async def no_progress(_: str) -> None:
    return None


async def test_a_job_that_kills_its_worker_gets_a_clear_error_and_the_next_brief_works() -> None:
    with process_pool(1) as pool:
        runner = JobRunner(pool, Fetcher(FetchSettings()))
        loop = asyncio.get_running_loop()
        with pytest.raises(WorkerLost, match="stopped before it finished"):
            await loop.run_in_executor(pool, kill_myself)
        brief, _ = await runner.run(SourceRequest(data=TRAM), BriefOptions(), no_progress)
    assert brief.title == "Council approves the river tram after a long night"
    assert pool.replaced >= 1


async def test_other_jobs_go_on_when_one_kills_its_worker() -> None:
    with WorkerPool(2) as pool:
        loop = asyncio.get_running_loop()
        innocent = loop.run_in_executor(pool, slow_square, 7)
        await asyncio.sleep(0.2)
        killer = loop.run_in_executor(pool, kill_myself)
        results = await asyncio.gather(innocent, killer, return_exceptions=True)
    assert results[0] == 49
    assert isinstance(results[1], WorkerLost)


async def test_a_worker_killed_from_outside_is_replaced_and_briefs_again() -> None:
    with process_pool(1) as pool:
        runner = JobRunner(pool, Fetcher(FetchSettings()))
        loop = asyncio.get_running_loop()
        pid = await loop.run_in_executor(pool, my_pid)
        os.kill(pid, signal.SIGKILL)  # as the OOM killer would, between two briefs
        await asyncio.sleep(0.2)
        brief, _ = await runner.run(SourceRequest(data=TRAM), BriefOptions(), no_progress)
        assert brief.summary
        assert await loop.run_in_executor(pool, my_pid) != pid


async def test_a_worker_killed_during_a_brief_costs_no_other_brief() -> None:
    with WorkerPool(1) as pool:
        loop = asyncio.get_running_loop()
        pid = await loop.run_in_executor(pool, my_pid)
        running = loop.run_in_executor(pool, slow_square, 3)
        await asyncio.sleep(0.3)
        os.kill(pid, signal.SIGKILL)
        # The killed brief is run again once on the new pool, and answers.
        assert await running == 9


async def test_a_runaway_allocation_ends_its_own_job_with_a_message() -> None:
    with WorkerPool(1, memory_mb=1024) as pool:
        loop = asyncio.get_running_loop()
        with pytest.raises(TooLarge, match=r"more memory than one brief may use \(1,024 MB"):
            await loop.run_in_executor(pool, allocate, 4096)
        assert await loop.run_in_executor(pool, allocate, 16) == 16 * 2**20
        assert pool.replaced == 0  # the worker survived its MemoryError


async def test_a_job_past_its_deadline_is_stopped_with_the_deadline_named() -> None:
    with WorkerPool(1) as pool:
        future = pool.submit_within(0.5, time.sleep, 30)
        with pytest.raises(DeadlineExceeded, match=r"0\.5 s one brief may take"):
            await asyncio.wrap_future(future)
        assert pool.replaced == 0  # stopped inside the worker, which goes on


async def test_a_job_that_ignores_its_deadline_has_its_worker_killed() -> None:
    with WorkerPool(1, grace=0.5) as pool:
        future = pool.submit_within(0.5, stuck_in_c, 60)
        with pytest.raises(DeadlineExceeded, match=r"bot\.job_deadline"):
            await asyncio.wrap_future(future)
        assert pool.replaced == 1
        assert await asyncio.wrap_future(pool.submit(slow_square, 2)) == 4


async def test_the_job_deadline_covers_reading_and_briefing_together() -> None:
    """A link whose server never answers within the job's deadline: the job deadline is named."""
    from aiohttp import web

    from tests.localweb import serving

    released = asyncio.Event()

    async def hang(_: web.Request) -> web.Response:
        await released.wait()
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/", hang)
    async with serving(app) as base:
        with process_pool(1) as pool:
            fetch = FetchSettings(allow_loopback=True, total_timeout=20, deadline=30)
            runner = JobRunner(pool, Fetcher(fetch), deadline=1.0)
            await asyncio.get_running_loop().run_in_executor(pool, my_pid)  # worker started
            with pytest.raises(DeadlineExceeded, match=r"longer than the 1 s one brief may take"):
                await runner.run(SourceRequest(url=f"{base}/"), BriefOptions(), no_progress)
        released.set()
