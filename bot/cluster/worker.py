"""The worker role: take brief jobs from the queue, make each brief, answer the user.

A worker holds no Discord connection. Its event loop only waits: on PostgreSQL for jobs (PgQueuer
wakes it with LISTEN/NOTIFY), on its worker processes for the brief (bot/workers.py, the same
bounded pool as one machine uses), and on Discord's REST API for the replies. PgQueuer sends a
heartbeat for each running job; a worker that dies stops sending them, and after
`cluster.job_heartbeat` seconds another worker takes the job. The ledger (bot/cluster/queue.py)
keeps a job that already answered from answering twice.

Digests run on the workers too, scheduled in one place: the worker holding the schedule's
advisory lock (bot/cluster/leader.py) runs the digest `Scheduler`, reads and briefs digest items
in its own worker processes (lane DIGEST) and posts over Discord's REST API with the bot token
(bot/cluster/posting.py), each request within the fleet's budget. The other workers try the lock
every `LEADER_RETRY` seconds, so a dead leader is replaced within seconds; the per-subscription
locks and fenced outbox writes of `bot.pgstore` keep every digest message exactly once.
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
from bot.clock import SystemClock
from bot.cluster import queue
from bot.cluster.leader import LEADER_RETRY, Leadership
from bot.cluster.payload import AutoSummary, QueuedBrief
from bot.cluster.posting import rest_poster
from bot.cluster.ratelimit import FleetRateLimit
from bot.cluster.replies import AutoSummaryReplier, Replier, is_expired, refusal
from bot.config import Config
from bot.digest.scheduler import Scheduler
from bot.digest.service import DigestService, DigestSettings
from bot.digest.state import DigestState
from bot.errors import ConfigError, ThreadBriefError
from bot.fetch import Fetcher, settings_from
from bot.jobs import JobRunner, SourceRequest, process_pool
from bot.logs import configure
from bot.pgstore import LOST, PgStore
from bot.storage import is_postgres_url

log = logging.getLogger("threadbrief.worker")

RECONNECT_DELAY = 1.0
DIGEST_RECHECK = 60.0
"""Seconds between the leader's own reads of the subscriptions, besides its timers and the
gateways' NOTIFYs: a lost notification delays a change by this much at most."""


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
            digest_jobs=config.bot.digest_jobs,
            cooldown=0.0,
            max_comments=config.bot.max_comments,
            deadline=config.bot.job_deadline,
        )
        self._stopping = asyncio.Event()
        self._manager: QueueManager | None = None
        self.listening = False
        self.answered = 0
        self._lost_at: float | None = None
        database = config.bot.database
        self.database = str(database) if is_postgres_url(database) else None
        """The fleet's shared state (settings, digests), when it is in PostgreSQL."""
        self.leading = False
        """This worker runs the digest schedule now."""

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
        digests = asyncio.create_task(self._digests(), name="digest-leadership")
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
            digests.cancel()
            await asyncio.gather(digests, return_exceptions=True)
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
        replier: AutoSummaryReplier | None = None
        try:
            async with aiohttp.ClientSession() as session:

                @manager.entrypoint(queue.BRIEF)
                async def brief(job: Job) -> None:
                    await self._brief(job, pool, session, limiter)

                replier = self._take_auto_summaries(manager, limiter)
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
            if replier is not None:
                await replier.close()
            await pool.close()
            if not listener.is_closed():
                await listener.close()

    async def _pause(self, seconds: float) -> None:
        """Sleep, or less if the worker is asked to stop."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def _digests(self) -> None:
        """Stand for the digest schedule until the worker stops: wait for the lock, lead while
        it holds, and after a lost database connect again and retake it or yield it."""
        token = (self.config.bot.token or "").strip()
        if self.database is None or not token:
            log.info(
                "worker %s does not run digests: they need bot.database in PostgreSQL and the "
                "bot token",
                self.name,
            )
            return
        lost_at: float | None = None
        while not self._stopping.is_set():
            leadership = Leadership(self.database)
            led = False
            try:
                taken = await leadership.take()
                if lost_at is not None:
                    log.info(
                        "reconnected to the digest schedule's database after %.1f s",
                        time.monotonic() - lost_at,
                    )
                    lost_at = None
                while not taken and not self._stopping.is_set():
                    await self._pause(LEADER_RETRY)
                    taken = await leadership.take()
                if taken:
                    log.info("worker %s runs the digest schedule", self.name)
                    led = True
                    await self._lead(leadership, token)
            except Exception as error:  # a lost database, Discord refusing the token
                if lost_at is None:
                    lost_at = time.monotonic()
                    what = "stopped running the digest schedule" if led else "lost the database"
                    log.warning(
                        "%s (%s); reconnecting for digests", what, error or type(error).__name__
                    )
                await self._pause(RECONNECT_DELAY)
            finally:
                self.leading = False
                await leadership.close()

    async def _lead(self, leadership: Leadership, token: str) -> None:
        """Run the digest scheduler until the lock's connection ends or the worker stops."""
        assert self.database is not None
        store = await PgStore(self.database).open()
        pool: asyncpg.Pool | None = None
        poster = None
        scheduler: Scheduler | None = None
        tasks: list[asyncio.Task[Any]] = []
        try:
            pool = await queue.connect(self.dsn, size=2)
            cluster = self.config.cluster
            limiter = FleetRateLimit(pool, rate=cluster.rest_per_second, burst=cluster.rest_burst)
            poster = await rest_poster(token, limiter.acquire)
            settings = DigestSettings(
                items=self.config.bot.digest_items, subscriptions=self.config.bot.digest_limit
            )
            clock = SystemClock()
            service = DigestService(
                DigestState(store), poster, self.runner, clock, settings, on_result=self._ran
            )
            scheduler = Scheduler(service, clock)
            leadership.on_wake = scheduler.poke
            self.leading = True
            schedule = asyncio.create_task(scheduler.run_forever(), name="digest-scheduler")
            tasks = [
                schedule,
                asyncio.create_task(self._recheck(scheduler)),
                asyncio.create_task(leadership.lost()),
                asyncio.create_task(self._stopping.wait()),
            ]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if schedule.done():
                schedule.result()  # the scheduler ended: say why
            if leadership.lost_connection:
                raise ConnectionError("the connection holding the digest schedule ended")
        finally:
            self.leading = False
            leadership.on_wake = None
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if scheduler is not None:
                await scheduler.stop()
            if poster is not None:
                await poster.close()
            if pool is not None:
                try:
                    await asyncio.wait_for(pool.close(), 5)
                except LOST:  # the server is gone: drop its connections
                    pool.terminate()
            await store.close()

    def _ran(self, ok: bool, messages: int) -> None:
        if ok and messages:
            log.info("posted a digest (%d message%s)", messages, "" if messages == 1 else "s")

    async def _recheck(self, scheduler: Scheduler) -> None:
        while True:
            await asyncio.sleep(DIGEST_RECHECK)
            scheduler.poke()

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

    def _take_auto_summaries(
        self, manager: QueueManager, limiter: FleetRateLimit
    ) -> AutoSummaryReplier | None:
        """Take the links posted in auto-summary channels: brief each and reply to its message
        with the bot's token. As on one machine, a failure is logged only (nobody asked). A worker
        without a token leaves these jobs to workers that have one."""
        token = (self.config.bot.token or "").strip()
        if not token:
            log.warning(
                "no bot token (bot.token or DISCORD_TOKEN): this worker leaves auto-summaries, "
                "which reply with it, to workers that have one"
            )
            return None
        replier = AutoSummaryReplier(token, limiter.acquire)

        @manager.entrypoint(queue.AUTO_SUMMARY)
        async def auto_summary(job: Job) -> None:
            if job.payload is None:
                return
            try:
                work = AutoSummary.decode(job.payload)
            except ThreadBriefError as error:
                log.error("dropped job %s: %s", job.id, error.message)
                return
            log.info(
                "job %s: auto-summary of %s for message %s (%.0f ms after it was queued)",
                job.id,
                work.url,
                work.message_id,
                (time.time() - work.enqueued_at) * 1000,
            )
            try:
                brief, _thread = await self.runner.run(SourceRequest(url=work.url), work.options)
                reply = await replier.auto_summary(work, brief)
            except ThreadBriefError as error:
                log.info("auto-summary skipped for %s: %s", work.url, error.user_message())
                return
            except Exception as error:
                refused = refusal(error)
                if refused is None:
                    log.error("job %s: auto-summary failed", job.id, exc_info=error)
                else:
                    log.warning("job %s: Discord refused the auto-summary: %s", job.id, refused)
                return
            log.info("job %s: replied to message %s (reply %s)", job.id, work.message_id, reply)
            self.answered += 1

        return replier

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
                {
                    "status": "ok" if ok else "failing",
                    "queue": "listening" if ok else "lost",
                    "digests": "leading" if self.leading else "standing by",
                },
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
