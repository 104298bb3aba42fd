"""The worker role: take brief jobs from the queue, make each brief, answer the user.

A worker holds no Discord connection. Its event loop only waits: on PostgreSQL for jobs (PgQueuer
wakes it with LISTEN/NOTIFY), on its worker processes for the brief (bot/workers.py, the same
bounded pool as one machine uses), and on Discord's REST API for the replies. PgQueuer sends a
heartbeat for each running job; a worker that dies stops sending them, and after
`cluster.job_heartbeat` seconds another worker takes the job. The ledger (bot/cluster/queue.py)
keeps a job that already answered from answering twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
import uuid
from concurrent.futures import Executor
from datetime import timedelta
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web
from pgqueuer import AsyncpgDriver, Queries, QueueManager
from pgqueuer.models import Job

from bot.answering import in_answer_time
from bot.cluster import queue
from bot.cluster.payload import QueuedBrief
from bot.cluster.ratelimit import FleetRateLimit
from bot.cluster.replies import Replier, is_expired
from bot.config import Config
from bot.errors import ConfigError, ThreadBriefError
from bot.fetch import Fetcher, settings_from
from bot.jobs import JobRunner, process_pool
from bot.logs import configure

log = logging.getLogger("threadbrief.worker")

RECONNECT_DELAY = 1.0


class Worker:
    """One worker process: `run()` takes jobs until `stop()` (SIGTERM) or its end."""

    def __init__(self, config: Config, *, executor: Executor | None = None) -> None:
        dsn = config.queue_url()
        if dsn is None:
            raise ConfigError(
                "A worker needs the job queue: set bot.database (or cluster.queue) to a "
                "postgresql:// URL."
            )
        self.config = config
        self.dsn = dsn
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:4]}"
        self._own_executor = executor is None
        self.executor = executor or process_pool(
            config.bot.max_jobs,
            memory_mb=config.bot.worker_memory_mb,
            deadline=config.bot.job_deadline,
        )
        self.fetcher = Fetcher(settings_from(config.fetch))
        """The process's one HTTP client (its session opens on first use, in `run`'s loop)."""
        self.runner = JobRunner(
            self.executor,
            self.fetcher,
            hackernews_api=config.fetch.hackernews_api,
            max_jobs=config.bot.max_jobs,
            cooldown=0.0,
            max_comments=config.bot.max_comments,
            deadline=config.bot.job_deadline,
        )
        self._stopping = asyncio.Event()
        self._manager: QueueManager | None = None
        self.listening = False
        self.answered = 0
        self._lost_at: float | None = None

    def stop(self) -> None:
        self._stopping.set()
        if self._manager is not None:
            self._manager.shutdown.set()

    async def run(self) -> None:
        """Serve jobs; a lost database is reconnected (and said in the log), not fatal."""
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGTERM, self.stop)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not the main thread
            pass
        health = await self._start_health()
        try:
            while not self._stopping.is_set():
                try:
                    await self._serve()
                except Exception as error:  # a lost database, a silent listener: connect again
                    self.listening = False
                    if self._lost_at is None:
                        self._lost_at = time.monotonic()
                        log.warning("lost the job queue's database (%s); reconnecting", error)
                    await asyncio.sleep(RECONNECT_DELAY)
                    continue
                if not self._stopping.is_set():  # PgQueuer stopped: its listener went silent
                    self._lost_at = self._lost_at or time.monotonic()
                    log.warning("lost the job queue's notifications; reconnecting")
                    await asyncio.sleep(RECONNECT_DELAY)
        finally:
            self.listening = False
            if health is not None:
                await health.cleanup()
            await self.fetcher.aclose()
            if self._own_executor:
                self.executor.shutdown(wait=False, cancel_futures=True)

    async def _serve(self) -> None:
        pool = await queue.connect(self.dsn)
        listener = await asyncpg.connect(self.dsn)
        cluster = self.config.cluster
        limiter = FleetRateLimit(pool, rate=cluster.rest_per_second, burst=cluster.rest_burst)
        manager = QueueManager(Queries(AsyncpgDriver(listener)))
        if self._lost_at is not None:
            log.info(
                "reconnected to the job queue's database after %.1f s",
                time.monotonic() - self._lost_at,
            )
            self._lost_at = None
        self._manager = manager
        if self._stopping.is_set():
            manager.shutdown.set()
        jobs = max(1, self.config.bot.max_jobs)
        try:
            async with aiohttp.ClientSession() as session:

                @manager.entrypoint(queue.BRIEF)
                async def brief(job: Job) -> None:
                    await self._brief(job, pool, session, limiter)

                log.info("worker %s takes briefs from the queue (%d at a time)", self.name, jobs)
                self.listening = True
                heartbeat = timedelta(seconds=cluster.job_heartbeat)
                await manager.run(
                    # Jobs arrive by NOTIFY; the poll only finds the jobs of dead workers.
                    dequeue_timeout=heartbeat / 4,
                    batch_size=1,
                    # PgQueuer's floor is twice the batch; extra jobs wait for a free slot here.
                    max_concurrent_tasks=max(2, jobs),
                    heartbeat_timeout=heartbeat,
                    # A listener that stops answering ends the run; `run` connects again.
                    shutdown_on_listener_failure=True,
                )
        finally:
            self.listening = False
            await pool.close()
            if not listener.is_closed():
                await listener.close()

    async def _brief(
        self,
        job: Job,
        pool: asyncpg.Pool,
        session: aiohttp.ClientSession,
        limiter: FleetRateLimit,
    ) -> None:
        if job.payload is None:
            return
        try:
            work = QueuedBrief.decode(job.payload)
        except ThreadBriefError as error:
            log.error("dropped job %s: %s", job.id, error.message)
            return
        start = await queue.record_start(pool, work, self.name)
        if start.answered:
            log.info("job %s was answered by an earlier run; not answering again", job.id)
            return
        waited = time.time() - work.enqueued_at
        log.info(
            "job %s: brief of %s (attempt %d, %.0f ms after it was queued)",
            job.id,
            work.request.describe(),
            start.attempt,
            waited * 1000,
        )
        replier = Replier(work.reply, session, limiter.acquire)
        try:
            brief, _thread = await in_answer_time(
                self.runner.run(work.request, work.options, replier.progress),
                work.reply.created_at,
                time.time(),
            )

            async def keep(nonce: str, embeds: list[dict[str, Any]]) -> None:
                await queue.save_pages(pool, nonce, work.reply.user_id, embeds)

            await replier.brief(
                brief, per_page=work.options.viewpoints, source=work.request.url, keep=keep
            )
        except ThreadBriefError as error:
            await self._answer_error(replier, error.user_message())
        except Exception as error:
            if is_expired(error):
                log.warning("job %s: the interaction's token expired before the answer", job.id)
            else:
                reference = uuid.uuid4().hex[:8]
                log.error("job %s failed (reference %s)", job.id, reference, exc_info=error)
                await self._answer_error(
                    replier,
                    "Something went wrong on my side while making this brief.",
                    reference=reference,
                )
        await queue.record_answer(pool, work)
        self.answered += 1

    async def _answer_error(
        self, replier: Replier, message: str, *, reference: str | None = None
    ) -> None:
        try:
            await replier.error(message, reference=reference)
        except Exception as error:  # the user cannot be reached: the log says so
            log.warning("could not deliver an error reply: %s", error)

    async def _start_health(self) -> web.AppRunner | None:
        """`GET /healthz`: 200 while this worker listens on the queue (for compose/k8s)."""
        monitor = self.config.monitor
        if not monitor.enabled:
            return None

        async def health(_: web.Request) -> web.Response:
            ok = self.listening
            return web.json_response(
                {"status": "ok" if ok else "failing", "queue": "listening" if ok else "lost"},
                status=200 if ok else 503,
            )

        app = web.Application()
        app.router.add_get("/healthz", health)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, monitor.host, monitor.port).start()
        log.info("worker health on http://%s:%d/healthz", monitor.host, monitor.port)
        return runner


def run_worker(config: Config) -> None:
    """`threadbrief run --role worker`: serve until SIGTERM."""
    if not logging.getLogger().handlers:
        configure("info")
    asyncio.run(Worker(config).run())
