"""/digest: scheduled digests of a feed, page or thread, posted to a channel.

Glue only: the schedule, the outbox and the runs live in `bot.digest`; this cog checks who may
manage digests, posts through discord.py (`DiscordPoster`) and starts the scheduler once the bot
is connected. On a gateway whose digests are in the fleet's PostgreSQL it starts none: the
leading worker runs the schedule, and the commands here wake it with a NOTIFY.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.cluster.posting import ChannelPoster
from bot.commands import check_publish, digest_timezone, forum_tag
from bot.digest.overview import digest_list, relative_time
from bot.digest.scheduler import Scheduler
from bot.digest.service import DigestService, DigestSettings, Poster, resumed_run
from bot.digest.state import DigestState
from bot.render.markdown import (
    CONTENT_LIMIT,
    clip,
)
from bot.runner import ThreadBriefBot

log = logging.getLogger("threadbrief.digest")

NEEDED = ("view_channel", "send_messages", "embed_links", "read_message_history")
"""Read Message History too: after a crash, the bot looks for what it already posted, and
without it Discord answers with an empty history rather than an error."""
IN_THREADS = ("view_channel", "send_messages_in_threads", "embed_links", "read_message_history")
IN_FORUMS = (*NEEDED, "send_messages_in_threads")
PERMISSION_NAMES = {"send_messages_in_threads": "Send Messages in Threads"}
DIGEST_NUMBER = "The digest's number, from /digest list"


class DiscordPoster(ChannelPoster):
    """Posts digest messages through the gateway bot (bot/cluster/posting.py), and tells from
    its cache, before a digest is added, what would keep it from posting there."""

    def __init__(self, bot: ThreadBriefBot) -> None:
        super().__init__(bot)
        self.bot = bot

    def problem(self, channel_id: int) -> str | None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.ForumChannel | discord.Thread):
            return f"I cannot see <#{channel_id}>, or it is not a channel I can post in."
        if isinstance(channel, discord.Thread) and channel.locked:
            return f"<#{channel_id}> is a locked thread: I cannot post in it."
        needed = (
            IN_THREADS
            if isinstance(channel, discord.Thread)
            else IN_FORUMS
            if isinstance(channel, discord.ForumChannel)
            else NEEDED
        )
        permissions = channel.permissions_for(channel.guild.me)
        missing = [p for p in needed if not getattr(permissions, p)]
        if missing:

            def name(p: str) -> str:
                if p == "send_messages" and isinstance(channel, discord.ForumChannel):
                    return "Create Posts"
                return PERMISSION_NAMES.get(p) or p.replace("_", " ").title()

            names = ", ".join(name(p) for p in missing)
            return f"I cannot post digests in <#{channel_id}>: I am missing {names} there."
        return None


@app_commands.guild_only()
class Digest(commands.GroupCog, group_name="digest", group_description="Scheduled digests"):
    def __init__(self, bot: ThreadBriefBot, poster: Poster | None = None) -> None:
        self.bot = bot
        self.state = DigestState(bot.store)
        settings = DigestSettings(
            items=bot.config.bot.digest_items, subscriptions=bot.config.bot.digest_limit
        )
        self.service = DigestService(
            self.state,
            poster or DiscordPoster(bot),
            bot.jobs,
            bot.clock,
            settings,
            on_result=bot.metrics.digest_ran,
        )
        self.scheduler = Scheduler(self.service, bot.clock)
        self._task: asyncio.Task[None] | None = None
        super().__init__()

    async def cog_load(self) -> None:
        if self.bot.digests_on_workers:
            # A gateway: the fleet's scheduler runs on the worker that leads it; the commands
            # here change the shared database and wake that scheduler (`_changed`).
            log.info("gateway: digests are scheduled and posted by the workers")
            return
        self._task = asyncio.create_task(self._start(), name="digest-scheduler")

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.scheduler.stop()

    async def _start(self) -> None:
        await self.bot.wait_until_ready()
        await self.scheduler.run_forever()

    async def _changed(self) -> None:
        """Subscriptions changed: wake the scheduler, this process's or the fleet's."""
        if self.bot.digests_on_workers:
            await self.bot.wake_digest_schedule()
        else:
            self.scheduler.poke()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Manage Server, or the role the admins chose with /settings digestrole.

        Checked here rather than with `default_member_permissions`: Discord hides a command
        from everyone that setting excludes, the digest role included.
        """
        if interaction.permissions.manage_guild:
            return True
        assert interaction.guild_id is not None
        settings = await self.bot.store.guild_settings(interaction.guild_id)
        roles = getattr(interaction.user, "roles", [])
        if settings.digest_role is not None and any(r.id == settings.digest_role for r in roles):
            return True
        raise app_commands.CheckFailure(
            "Managing digests needs the Manage Server permission"
            + (" or the digest role" if settings.digest_role else "")
            + ". Ask a server admin, who can also allow a role with /settings digestrole."
        )

    @app_commands.command(name="add", description="Post a digest of a feed, page or thread")
    @app_commands.describe(
        source="A feed, page or thread URL",
        channel="Where: a text or announcement channel, a thread, or a forum (a post each time)",
        schedule='"daily 08:00", "weekdays 18:30", "every 6h" or a cron expression',
        timezone="IANA name such as Europe/Paris (default: the server's)",
        post_empty="Also post when there is nothing new",
        tag="In a forum: the tag each digest post gets",
        publish="In an announcement channel: publish each digest to following servers",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        source: str,
        channel: discord.TextChannel | discord.ForumChannel | discord.Thread,
        schedule: str,
        timezone: str | None = None,
        post_empty: bool = False,
        tag: str | None = None,
        publish: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        place = f"<#{channel.id}>"
        forum = isinstance(channel, discord.ForumChannel)
        tags = [(t.id, t.name) for t in channel.available_tags] if forum else None
        tag_id = forum_tag(place, tags, tag)
        news = isinstance(channel, discord.TextChannel) and channel.is_news()
        check_publish(place, publish, announcement=news)
        settings = await self.bot.store.guild_settings(interaction.guild_id)
        zone = digest_timezone(timezone, settings)
        subscription, first = await self.service.subscribe(
            guild_id=interaction.guild_id,
            channel_id=channel.id,
            source=source.strip(),
            schedule=schedule,
            timezone=zone,
            created_by=interaction.user.id,
            post_empty=post_empty,
            forum_tag=tag_id,
            publish=publish,
        )
        await self._changed()
        where = "as a new post in" if isinstance(channel, discord.ForumChannel) else "to"
        await interaction.edit_original_response(
            content=clip(
                f"Digest #{subscription.id} added: <{clip(subscription.source, 300)}> {where} "
                f"<#{channel.id}>, `{subscription.schedule}` ({zone}). The first digest "
                f"({first} item{'s' if first != 1 else ''} now waiting) comes "
                f"{relative_time(subscription.next_run)}.",
                CONTENT_LIMIT,
            )
        )

    @app_commands.command(name="list", description="This server's digests and how they went")
    async def list_(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        subscriptions = await self.state.subscriptions(interaction.guild_id)
        embed = discord.Embed.from_dict(digest_list(subscriptions))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="remove", description="Stop a digest")
    @app_commands.describe(digest=DIGEST_NUMBER)
    async def remove(self, interaction: discord.Interaction, digest: int) -> None:
        assert interaction.guild_id is not None
        removed = await self.state.remove(interaction.guild_id, digest)
        await self._changed()
        await interaction.response.send_message(
            f"Digest #{removed.id} of <{clip(removed.source, 300)}> removed.", ephemeral=True
        )

    @app_commands.command(name="pause", description="Pause a digest")
    @app_commands.describe(digest=DIGEST_NUMBER)
    async def pause(self, interaction: discord.Interaction, digest: int) -> None:
        assert interaction.guild_id is not None
        paused = await self.state.set_paused(interaction.guild_id, digest, True)
        await self._changed()
        await interaction.response.send_message(
            f"Digest #{paused.id} paused; `/digest resume` starts it again.", ephemeral=True
        )

    @app_commands.command(name="resume", description="Resume a paused digest")
    @app_commands.describe(digest=DIGEST_NUMBER)
    async def resume(self, interaction: discord.Interaction, digest: int) -> None:
        assert interaction.guild_id is not None
        current = await self.state.get(interaction.guild_id, digest)
        following = resumed_run(current, self.bot.clock.now())
        resumed = await self.state.set_paused(interaction.guild_id, digest, False, following)
        await self._changed()
        await interaction.response.send_message(
            f"Digest #{resumed.id} resumed; next {relative_time(resumed.next_run)}.", ephemeral=True
        )

    @app_commands.command(name="preview", description="See the next digest, privately")
    @app_commands.describe(digest=DIGEST_NUMBER)
    async def preview(self, interaction: discord.Interaction, digest: int) -> None:
        assert interaction.guild_id is not None
        subscription = await self.state.get(interaction.guild_id, digest)
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.service.preview(subscription)
        if not plan.messages:
            await interaction.edit_original_response(
                content="Nothing new since the last digest: the next run posts nothing"
                + (" but a short note." if subscription.post_empty else ".")
            )
            return
        first = plan.messages[0].payload
        parts = f" (1 of {len(plan.messages)} messages)" if len(plan.messages) > 1 else ""
        await interaction.edit_original_response(
            content=clip(f"Preview{parts}, only you see this:\n{first['content']}", CONTENT_LIMIT),
            embeds=[discord.Embed.from_dict(e) for e in first["embeds"]],
        )

    @app_commands.command(name="run", description="Post a digest now")
    @app_commands.describe(digest=DIGEST_NUMBER)
    async def run(self, interaction: discord.Interaction, digest: int) -> None:
        assert interaction.guild_id is not None
        subscription = await self.state.get(interaction.guild_id, digest)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.run(subscription)
        await interaction.edit_original_response(
            content=clip(f"Digest #{subscription.id}: {result.summary}.", CONTENT_LIMIT)
        )


async def setup(bot: ThreadBriefBot) -> None:
    await bot.add_cog(Digest(bot))
