"""The Discord bot: a `commands.Bot` that owns the shared resources and loads the cogs.

`create_bot` takes everything from the config and passes extra keyword arguments through to
discord.py, so tests can point it at a local Discord and shorten the guild-ready wait. The bot
never pings: `AllowedMentions.none()` is its default for every message it sends.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
import uuid
from concurrent.futures import Executor
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, SystemClock
from bot.config import Config, require_token
from bot.database import open_store
from bot.errors import Busy, ConfigError, ThreadBriefError
from bot.fetch import Fetcher, settings_from
from bot.jobs import SourceRequest, process_pool
from bot.logs import configure
from bot.monitor import MeasuredJobRunner, Metrics, MonitorServer
from bot.pipeline import BriefOptions
from bot.render.embeds import error_embed
from bot.storage import StateStore, is_postgres_url

log = logging.getLogger("threadbrief")

INVITE_PERMISSIONS = discord.Permissions(274877991936)
"""View Channels, Send Messages (Create Posts in forums), Send Messages in Threads, Embed Links,
Read Message History: all the bot uses."""

NO_QUEUE = (
    "A gateway needs the job queue: set bot.database (or cluster.queue) to a postgresql:// URL."
)

EXTENSIONS = ("cogs.summarize", "cogs.settings", "cogs.digest", "cogs.help")


class ThreadBriefBot(commands.Bot):
    """Owns the store, the fetcher, the workers and the job runner; cogs reach them through it."""

    def __init__(
        self,
        config: Config,
        *,
        executor: Executor | None = None,
        clock: Clock | None = None,
        **kwargs: Any,
    ) -> None:
        intents = discord.Intents.default()
        # Privileged: only needed to brief links posted in auto-summary channels.
        intents.message_content = config.bot.message_content
        self.metrics = Metrics()
        kwargs.setdefault("http_trace", self.metrics.trace_config())
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **kwargs,
        )
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.store: StateStore = open_store(config.bot.database)
        self._own_executor = executor is None
        self.executor = executor or process_pool(
            config.bot.max_jobs,
            memory_mb=config.bot.worker_memory_mb,
            deadline=config.bot.job_deadline,
        )
        self.fetcher: Fetcher | None = None
        """The one HTTP client of the process: opened in `setup_hook`, closed in `close`."""
        self.jobs: MeasuredJobRunner
        """Every brief and digest item runs here; set in `setup_hook`, before the cogs load."""
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.monitor: MonitorServer | None = None
        self.stop_on_sigterm = False
        """Close cleanly on SIGTERM (docker stop, systemctl stop): set by `run`, not in tests."""
        self._stopping: asyncio.Task[None] | None = None
        self.queue: Any = None
        """The job queue's connection pool when this process is a gateway (`queued`)."""

    @property
    def queued(self) -> bool:
        """Briefs go to the job queue (gateway role) instead of this process's workers."""
        return self.config.cluster.role == "gateway"

    @property
    def digests_on_workers(self) -> bool:
        """A gateway whose digests are in the fleet's PostgreSQL: the workers schedule and post
        them (bot/cluster/leader.py), not this process."""
        return self.queued and is_postgres_url(self.config.bot.database)

    async def queue_brief(
        self, interaction: discord.Interaction, request: SourceRequest, options: BriefOptions
    ) -> None:
        """Hand a deferred interaction's brief to the workers, with the token that answers it."""
        # start-up: asyncpg and pgqueuer cost 0.3 s; only a bot that queues briefs needs them
        from bot.cluster import queue
        from bot.cluster.payload import QueuedBrief, Reply

        job = QueuedBrief(
            reply=Reply(
                application_id=interaction.application_id,
                interaction_id=interaction.id,
                token=interaction.token,
                created_at=interaction.created_at.timestamp(),
                user_id=interaction.user.id,
            ),
            request=request,
            options=options,
            enqueued_at=time.time(),
        )
        try:
            job_id = await queue.enqueue(self.queue, job)
        except Exception as error:  # the database is down or restarting: say so, stay up
            log.warning("could not queue a brief: %s", error)
            raise Busy(
                "The bot cannot reach its job queue right now, so this brief was not started.",
                hint="Try again in a minute.",
            ) from None
        log.info(
            "queued brief %s of %s for interaction %s", job_id, request.describe(), interaction.id
        )

    async def wake_digest_schedule(self) -> None:
        """After a /digest change on a gateway: NOTIFY the worker that runs the digest schedule.
        A notification that cannot be sent only delays: the leader re-reads on its own timer."""
        # start-up: asyncpg and pgqueuer cost 0.3 s; only a gateway's digests need them
        from bot.cluster.leader import wake_schedule

        try:
            await wake_schedule(self.store)
        except Exception as error:
            log.warning("could not wake the fleet's digest schedule: %s", error)

    async def queue_auto_summary(
        self, message: discord.Message, url: str, options: BriefOptions
    ) -> None:
        """Hand a posted link's auto-summary to the workers, which reply to the message. Nobody
        asked, so a queue that cannot be reached is logged, not said."""
        # start-up: asyncpg and pgqueuer, as above
        from bot.cluster import queue
        from bot.cluster.payload import AutoSummary

        assert message.guild is not None  # on_message answers in servers only
        job = AutoSummary(
            guild_id=message.guild.id,
            channel_id=message.channel.id,
            message_id=message.id,
            author_id=message.author.id,
            url=url,
            options=options,
            enqueued_at=time.time(),
        )
        try:
            job_id = await queue.enqueue_auto_summary(self.queue, job)
        except Exception as error:  # the database is down or restarting: stay up
            log.warning("could not queue the auto-summary of %s: %s", url, error)
            return
        log.info("queued auto-summary %s of %s for message %s", job_id, url, message.id)

    async def turn_shared_page(
        self, nonce: str, step: str, user_id: int
    ) -> tuple[discord.Embed, discord.ui.View] | bool | None:
        """A page of a brief a worker made (pages kept in the database): the embed and buttons
        to show, False when the clicker is not the owner, None when the pages are gone."""
        # start-up: asyncpg and pgqueuer cost 0.3 s; only a bot that queues briefs needs them
        from bot.cluster import queue
        from bot.cluster.replies import page_view

        if self.queue is None:
            return None
        page = await queue.turn_page(self.queue, nonce, -1 if step == "prev" else 1, user_id)
        if page is None:
            return None
        if page.owner_id != user_id:
            return False
        embed = discord.Embed.from_dict(page.embed)
        return embed, page_view(nonce, page.index, page.count, embed.url)

    def gateway_connected(self) -> bool:
        return self.is_ready() and not self.is_closed() and self.ws is not None and self.ws.open

    def invite_url(self) -> str:
        """The link that adds this bot to a server with exactly the permissions it uses."""
        return discord.utils.oauth_url(
            self.application_id or (self.user.id if self.user else 0),
            permissions=INVITE_PERMISSIONS,
            scopes=("bot", "applications.commands"),
        )

    async def on_ready(self) -> None:
        user = self.user
        if user is None:  # pragma: no cover - discord.py sets it before on_ready
            return
        n = len(self.guilds)
        log.info(
            "Logged in as %s (%s) in %d server%s; invite: %s",
            user.name,
            user.id,
            n,
            "" if n == 1 else "s",
            self.invite_url(),
        )

    def _terminate(self) -> None:
        if self._stopping is None:
            log.info("stopping: SIGTERM received")
            self._stopping = asyncio.create_task(self.close())

    async def setup_hook(self) -> None:
        if self.stop_on_sigterm:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._terminate)
        await self.store.open()
        if self.queued:
            # start-up: asyncpg and pgqueuer, as above
            from bot.cluster import queue

            url = self.config.queue_url()
            if url is None:
                raise ConfigError(NO_QUEUE)
            self.queue = await queue.connect(url)
            log.info("gateway: briefs go to the job queue")
        self.fetcher = Fetcher(settings_from(self.config.fetch))
        self.jobs = MeasuredJobRunner(
            self.executor,
            self.fetcher,
            metrics=self.metrics,
            max_jobs=self.config.bot.max_jobs,
            digest_jobs=self.config.bot.digest_jobs,
            cooldown=self.config.bot.user_cooldown,
            max_comments=self.config.bot.max_comments,
            deadline=self.config.bot.job_deadline,
            hackernews_api=self.config.fetch.hackernews_api,
        )
        if self.config.monitor.enabled:
            self.monitor = MonitorServer(
                self.metrics,
                gateway_connected=self.gateway_connected,
                database=self.store.writable,
                host=self.config.monitor.host,
                port=self.config.monitor.port,
            )
            await self.monitor.start()
            log.info(
                "health and metrics on http://%s:%d/healthz and /metrics",
                self.config.monitor.host,
                self.monitor.port,
            )
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.config.bot.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
            # Commands synced globally by an earlier run would show twice in that server.
            stale = await self.tree.fetch_commands()
            if stale:
                self.tree.clear_commands(guild=None)
                await self.tree.sync()
                log.info("cleared %d global commands: dev_guild_id is set", len(stale))
        else:
            synced = await self.tree.sync()
            log.info("synced %d commands globally", len(synced))

    async def close(self) -> None:
        if self.monitor is not None:
            await self.monitor.stop()
        for name in list(self.extensions):  # stops the digest scheduler cleanly
            await self.unload_extension(name)
        # Before discord.py's close: once that ends, `bot.run` returns and cancels this task,
        # so the store would not finish folding its WAL into the file, nor the others close.
        await self.store.close()
        if self.queue is not None:
            await self.queue.close()
        if self.fetcher is not None:
            await self.fetcher.aclose()
        await super().close()
        if self._own_executor:
            self.executor.shutdown(wait=False, cancel_futures=True)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """One place that turns any failure into a short private reply; the bot stays up."""
        original = getattr(error, "original", error)
        reference: str | None = None
        if isinstance(original, ThreadBriefError):
            message = original.user_message()
        elif isinstance(error, app_commands.CommandOnCooldown):
            message = f"Slow down: try again in {error.retry_after:.0f} s."
        elif isinstance(error, app_commands.MissingPermissions):
            message = "You do not have the permission this command needs (Manage Server)."
        elif isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You are not allowed to use this command here."
        else:
            reference = uuid.uuid4().hex[:8]
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "command %s failed (reference %s, guild %s, user %s)",
                command,
                reference,
                interaction.guild_id,
                interaction.user.id,
                exc_info=original,
            )
            message = "Something went wrong on my side while making this brief."
        embed = discord.Embed.from_dict(error_embed(message, reference=reference))
        await send_private(interaction, embed)


async def send_private(interaction: discord.Interaction, embed: discord.Embed) -> None:
    """Reply privately whatever state the interaction is in (fresh, deferred or answered)."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        if interaction.type is discord.InteractionType.application_command:
            # A public "thinking…" message must not turn into a public error: remove it first.
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                pass
        await interaction.followup.send(embed=embed, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


class ShardedThreadBriefBot(ThreadBriefBot, commands.AutoShardedBot):
    """The bot over several shards in one process (discord.py's AutoShardedBot), for gateways."""

    def gateway_connected(self) -> bool:
        shards = self.shards.values()
        return self.is_ready() and bool(shards) and not any(s.is_closed() for s in shards)


def create_bot(config: Config, **kwargs: Any) -> ThreadBriefBot:
    """The bot: sharded when `cluster.shard_count` is set, this process holding `shard_ids`."""
    cluster = config.cluster
    if cluster.shard_count:
        kwargs.setdefault("shard_count", cluster.shard_count)
        kwargs.setdefault("shard_ids", list(cluster.shard_ids) or None)
        return ShardedThreadBriefBot(config, **kwargs)
    return ThreadBriefBot(config, **kwargs)


class StartupError(ThreadBriefError):
    """Discord refused to let the bot in, or could not be reached: the owner has to act."""

    code = "startup"


PORTAL = "https://discord.com/developers/applications"


def startup_error(error: BaseException) -> StartupError | None:
    """What a failure at start-up means for the bot's owner, or None if it is a bug."""
    if isinstance(error, discord.LoginFailure) or (
        isinstance(error, discord.ConnectionClosed) and error.code == 4004
    ):
        return StartupError(
            "Discord refused the bot token (401 Unauthorized).",
            hint=f"Copy the token again from {PORTAL} (your app → Bot → Reset Token) into "
            "bot.token or DISCORD_TOKEN.",
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return StartupError(
            "Discord refused the Message Content intent: it is not enabled for this application "
            "(gateway close 4014).",
            hint=f"Enable it at {PORTAL} (your app → Bot → Privileged Gateway Intents → Message "
            "Content Intent), or set bot.message_content = false.",
        )
    if isinstance(error, discord.ConnectionClosed) and error.code == 4011:
        return StartupError(
            "Discord requires this bot to shard: it is in too many servers for one gateway "
            "connection (gateway close 4011).",
            hint="Shard it: set cluster.shard_count (Discord's recommended count, about one "
            "shard per 1,000 servers) and run gateways with --role gateway (README, Running at "
            "scale).",
        )
    if isinstance(error, discord.ConnectionClosed) and error.code == 4013:
        return StartupError(
            "Discord refused the gateway intents as invalid (gateway close 4013).",
            hint="Upgrade ThreadBrief and discord.py together; this version asks for intents "
            "Discord does not know.",
        )
    if isinstance(error, discord.GatewayNotFound | aiohttp.ClientConnectionError | TimeoutError):
        detail = str(error).strip() or type(error).__name__
        return StartupError(
            f"Cannot reach Discord ({detail}).",
            hint="Check this machine's network, DNS and proxy settings, then start again.",
        )
    return None


def run(config: Config, **client_kwargs: Any) -> None:
    """Start the bot until interrupted. The token is read here and never logged.

    A refusal at start-up (bad token, an intent not enabled, sharding required, Discord out of
    reach) raises `StartupError`, which the CLI prints as one line with exit status 2.
    """
    if config.cluster.role == "worker":
        # start-up: the worker (asyncpg, pgqueuer, aiohttp.web), only for --role worker
        from bot.cluster.worker import run_worker

        run_worker(config)
        return
    if config.cluster.role == "gateway" and config.queue_url() is None:
        raise ConfigError(NO_QUEUE)
    token = require_token(config)
    if not logging.getLogger().handlers:
        configure("info")
    bot = create_bot(config, **client_kwargs)
    bot.stop_on_sigterm = True
    try:
        bot.run(token, log_handler=None)
    except Exception as error:
        meaning = startup_error(error)
        if meaning is None:
            raise
        raise meaning from None
