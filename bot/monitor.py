"""Health and metrics over HTTP, for a container's health check and for Prometheus.

* `GET /healthz`: 200 when the gateway is connected and the database takes a write, 503
  otherwise; the JSON body says which part failed.
* `GET /metrics`: the bot's figures in Prometheus' text format (prometheus-client), from a
  registry of its own (no process-wide state, so two bots in one test process never mix).

The endpoint is off unless `monitor.enabled` is set, and listens on 127.0.0.1 by default: it
tells whoever can reach it how busy the bot is, so exposing it is the owner's choice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.brief import Brief
from bot.errors import ThreadBriefError
from bot.fetch import Fetcher
from bot.jobs import JobRunner, Progress, SourceRequest, quiet
from bot.parcel import ThreadParcel
from bot.pipeline import BriefOptions

DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0)


class Metrics:
    """Every figure the bot reports; the code that does the work updates them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.briefs_served = Counter(
            "threadbrief_briefs_served", "Briefs made and shown to a user.", registry=r
        )
        self.briefs_failed = Counter(
            "threadbrief_briefs_failed",
            "Briefs that ended in an error, by its kind (not-found, too-large, internal...).",
            ["reason"],
            registry=r,
        )
        self.queue_length = Gauge(
            "threadbrief_brief_queue_length", "Briefs waiting for a free worker slot.", registry=r
        )
        self.in_progress = Gauge(
            "threadbrief_briefs_in_progress", "Briefs being read or computed now.", registry=r
        )
        self.brief_duration = Histogram(
            "threadbrief_brief_duration_seconds",
            "Time from a request to its brief: waiting, reading and briefing.",
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self.digests_posted = Counter(
            "threadbrief_digests_posted", "Digest runs that posted to a channel.", registry=r
        )
        self.digest_failures = Counter(
            "threadbrief_digest_failures", "Digest runs that failed.", registry=r
        )
        self.rate_limit_waits = Counter(
            "threadbrief_discord_rate_limit_waits",
            "Times Discord answered 429 and the bot had to wait.",
            registry=r,
        )
        self.rate_limit_seconds = Counter(
            "threadbrief_discord_rate_limit_wait_seconds",
            "Seconds Discord asked the bot to wait (Retry-After), summed.",
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def digest_ran(self, ok: bool, messages: int) -> None:
        if not ok:
            self.digest_failures.inc()
        elif messages:
            self.digests_posted.inc()

    def trace_config(self) -> aiohttp.TraceConfig:
        """Counts Discord's 429 answers on the bot's own HTTP session."""
        trace = aiohttp.TraceConfig()

        async def on_request_end(
            session: aiohttp.ClientSession,
            context: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            if params.response.status != 429:
                return
            self.rate_limit_waits.inc()
            try:
                self.rate_limit_seconds.inc(float(params.response.headers.get("Retry-After", 0)))
            except ValueError:
                pass

        trace.on_request_end.append(on_request_end)
        return trace


class MeasuredJobRunner(JobRunner):
    """The job runner, counting what it serves, fails, queues, and how long briefs take."""

    def __init__(
        self,
        executor: Executor,
        fetcher: Fetcher,
        *,
        metrics: Metrics,
        max_jobs: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(executor, fetcher, max_jobs=max_jobs, **kwargs)
        self.metrics = metrics
        self._max_jobs = max_jobs
        self._active = 0

    def _count(self, delta: int) -> None:
        self._active += delta
        self.metrics.in_progress.set(min(self._active, self._max_jobs))
        self.metrics.queue_length.set(max(0, self._active - self._max_jobs))

    async def run(
        self, request: SourceRequest, options: BriefOptions, progress: Progress = quiet
    ) -> tuple[Brief, ThreadParcel]:
        started = time.monotonic()
        self._count(+1)
        try:
            result = await super().run(request, options, progress)
        except ThreadBriefError as e:
            self.metrics.briefs_failed.labels(reason=e.code).inc()
            raise
        except asyncio.CancelledError:
            raise
        except Exception:
            self.metrics.briefs_failed.labels(reason="internal").inc()
            raise
        finally:
            self._count(-1)
        self.metrics.briefs_served.inc()
        self.metrics.brief_duration.observe(time.monotonic() - started)
        return result


class MonitorServer:
    """The /healthz and /metrics endpoint of one bot."""

    def __init__(
        self,
        metrics: Metrics,
        *,
        gateway_connected: Callable[[], bool],
        database: Callable[[], Awaitable[bool]],
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.metrics = metrics
        self.gateway_connected = gateway_connected
        self.database = database
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets: Any = getattr(site._server, "sockets", None)
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        gateway = self.gateway_connected()
        database = await self.database()
        healthy = gateway and database
        return web.json_response(
            {
                "status": "ok" if healthy else "failing",
                "gateway": "connected" if gateway else "disconnected",
                "database": "writable" if database else "not writable",
            },
            status=200 if healthy else 503,
        )

    async def _metrics(self, request: web.Request) -> web.Response:
        response = web.Response(body=self.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
