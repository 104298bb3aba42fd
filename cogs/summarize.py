"""/summarize link|file|here, the message menus, and auto-summary of posted links.

Glue only: read the interaction, call the job runner, render the brief as embeds, send. Errors
propagate to the bot's one error handler, which replies privately.
"""

from __future__ import annotations

import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import in_answer_time
from bot.commands import (
    Access,
    auto_summary_link,
    brief_options,
    check_history_access,
    check_upload,
    history_limit,
    link_in,
    message_target,
    parse_since,
    private_by_default,
    require_readable,
)
from bot.config import Algorithm
from bot.errors import BadInput, ThreadBriefError
from bot.jobs import SourceRequest
from bot.pipeline import BriefOptions
from bot.render.embeds import brief_pages
from bot.runner import ThreadBriefBot
from bot.sources.chat import ChatHistory
from cogs.brief_view import BriefView, ExpiredPages, ProgressReply
from cogs.history import place_name, read_from, read_recent

log = logging.getLogger("threadbrief.summarize")

BRIEF_OPTIONS = {
    "sentences": "Sentences in the article summary (default 3)",
    "algorithm": "How summary sentences are picked (default LexRank)",
    "viewpoints": "Viewpoints per page (default 5)",
    "private": "Only you see the brief",
}


class Summarize(commands.Cog):
    def __init__(self, bot: ThreadBriefBot) -> None:
        self.bot = bot
        self.live_pages: set[str] = set()
        """Page buttons whose pages are still in memory (see `ExpiredPages`)."""
        self.menus = (
            app_commands.ContextMenu(name="Summarize thread", callback=self.summarize_message),
            app_commands.ContextMenu(name="Summarize from here", callback=self.summarize_from_here),
        )
        for menu in self.menus:
            menu.guild_only = True
            bot.tree.add_command(menu)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ExpiredPages)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ExpiredPages)
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

    async def _options(
        self,
        guild_id: int | None,
        sentences: int | None,
        algorithm: str | None,
        viewpoints: int | None,
    ) -> BriefOptions:
        saved = await self.bot.store.guild_settings(guild_id) if guild_id else None
        return brief_options(
            self.bot.config.brief,
            saved,
            algorithm=algorithm,
            sentences=sentences,
            viewpoints=viewpoints,
        )

    async def _attachment_request(self, attachment: discord.Attachment) -> SourceRequest:
        check_upload(attachment.filename, attachment.size, self.bot.config.bot.max_attachment_mb)
        return SourceRequest(data=await attachment.read(), filename=attachment.filename)

    async def _brief(
        self,
        interaction: discord.Interaction,
        request_for: discord.Attachment | str,
        options: BriefOptions,
        private: bool,
    ) -> None:
        self.bot.jobs.claim(interaction.user.id)
        await interaction.response.defer(ephemeral=private, thinking=True)
        if isinstance(request_for, str):
            request = SourceRequest(url=request_for)
        else:
            request = await self._attachment_request(request_for)
        await self._run(interaction, request, options)

    async def _run(
        self, interaction: discord.Interaction, request: SourceRequest, options: BriefOptions
    ) -> None:
        if self.bot.queued:  # a gateway: a worker makes the brief and answers with the token
            await self.bot.queue_brief(interaction, request, options)
            return
        async with ProgressReply(interaction) as progress:
            brief, _thread = await in_answer_time(
                self.bot.jobs.run(request, options, progress),
                interaction.created_at.timestamp(),
                time.time(),
            )
        pages = brief_pages(brief, per_page=options.viewpoints)
        view = BriefView(pages, interaction.user.id, brief.url or request.url, self.live_pages)
        view.interaction = interaction
        await interaction.edit_original_response(content=None, embed=view.embed(), view=view)

    summarize = app_commands.Group(
        name="summarize",
        description="Brief an article and its comments, or this conversation",
        guild_only=True,
    )

    @summarize.command(
        name="link",
        description="Brief a web page, Reddit/HN/Discourse/Mastodon thread or feed, with comments",
    )
    @app_commands.describe(
        url="Link to a blog post, news page, Reddit/HN/Discourse/Mastodon thread or feed",
        **BRIEF_OPTIONS,
    )
    async def link(
        self,
        interaction: discord.Interaction,
        url: str,
        sentences: app_commands.Range[int, 1, 20] | None = None,
        algorithm: Algorithm | None = None,
        viewpoints: app_commands.Range[int, 1, 10] | None = None,
        private: bool = False,
    ) -> None:
        link = link_in(url)
        options = await self._options(interaction.guild_id, sentences, algorithm, viewpoints)
        await self._brief(interaction, link, options, private)

    @summarize.command(name="file", description="Brief an exported thread: a file you upload")
    @app_commands.describe(
        file="An export: text copy of a page, WordPress WXR, Disqus XML, RSS/Atom, JSON",
        **BRIEF_OPTIONS,
    )
    async def file(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        sentences: app_commands.Range[int, 1, 20] | None = None,
        algorithm: Algorithm | None = None,
        viewpoints: app_commands.Range[int, 1, 10] | None = None,
        private: bool = False,
    ) -> None:
        options = await self._options(interaction.guild_id, sentences, algorithm, viewpoints)
        await self._brief(interaction, file, options, private)

    @summarize.command(
        name="here",
        description="Brief this thread, forum post or channel: what was said, and the views",
    )
    @app_commands.describe(
        messages="How many of the latest messages to read (default: the bot's limit)",
        since="Only messages from this span: 90m, 6h, 3d, 2w",
        bots="Include messages of bots (default: no)",
        viewpoints=BRIEF_OPTIONS["viewpoints"],
        private="Only you see the brief (default: yes, unless this channel takes briefs)",
    )
    async def here(
        self,
        interaction: discord.Interaction,
        messages: app_commands.Range[int, 2, 10000] | None = None,
        since: str | None = None,
        bots: bool = False,
        viewpoints: app_commands.Range[int, 1, 10] | None = None,
        private: bool | None = None,
    ) -> None:
        channel = self._readable_channel(interaction)
        span = parse_since(since) if since is not None else None
        limit = history_limit(messages, self.bot.config.bot.history_messages)
        options = await self._options(interaction.guild_id, None, None, viewpoints)
        private = await self._private_by_default(interaction) if private is None else private
        self.bot.jobs.claim(interaction.user.id)
        await interaction.response.defer(ephemeral=private, thinking=True)
        async with ProgressReply(interaction) as progress:
            history = await read_recent(
                channel, limit=limit, since=span, include_bots=bots, progress=progress
            )
        await self._brief_history(interaction, history, options)

    async def summarize_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        target = message_target(message.attachments, message.content)
        options = await self._options(interaction.guild_id, None, None, None)
        await self._brief(interaction, target, options, private=False)

    async def summarize_from_here(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        channel = self._readable_channel(interaction)
        options = await self._options(interaction.guild_id, None, None, None)
        private = await self._private_by_default(interaction)
        self.bot.jobs.claim(interaction.user.id)
        await interaction.response.defer(ephemeral=private, thinking=True)
        async with ProgressReply(interaction) as progress:
            history = await read_from(
                channel,
                message,
                limit=history_limit(None, self.bot.config.bot.history_messages),
                include_bots=False,
                progress=progress,
            )
        await self._brief_history(interaction, history, options)

    async def _brief_history(
        self, interaction: discord.Interaction, history: ChatHistory, options: BriefOptions
    ) -> None:
        readable = require_readable(history, message_content=self.bot.config.bot.message_content)
        await self._run(interaction, SourceRequest(chat=readable), options)

    def _readable_channel(self, interaction: discord.Interaction) -> discord.abc.Messageable:
        """The channel, once both the member and the bot may read its history."""
        channel = interaction.channel
        if channel is None or not isinstance(channel, discord.abc.Messageable):
            raise BadInput(
                "This command works in a server's text channel, thread or forum post.",
                hint="Run it inside the conversation you want briefed.",
            )
        mine, theirs = interaction.permissions, interaction.app_permissions
        check_history_access(
            place_name(channel),
            Access(mine.view_channel, mine.read_message_history, mine.connect),
            Access(theirs.view_channel, theirs.read_message_history, theirs.connect),
            voice=isinstance(channel, discord.VoiceChannel | discord.StageChannel),
        )
        return channel

    async def _private_by_default(self, interaction: discord.Interaction) -> bool:
        guild_id = interaction.guild_id
        settings = await self.bot.store.guild_settings(guild_id) if guild_id else None
        parent = getattr(interaction.channel, "parent_id", None)
        return private_by_default(settings, interaction.channel_id, parent)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Auto-summary: brief the first link posted in a channel where admins turned it on."""
        if message.author.bot or message.guild is None:
            return
        settings = await self.bot.store.guild_settings(message.guild.id)
        link = auto_summary_link(settings, message.channel.id, message.content)
        if link is None:
            return
        try:
            self.bot.jobs.claim(message.author.id)  # the cooldown is kept where users are
            options = await self._options(message.guild.id, None, None, None)
            if self.bot.queued:  # a gateway: a worker briefs it and replies over REST
                await self.bot.queue_auto_summary(message, link, options)
                return

            async def quiet(_: str) -> None:
                return None

            brief, _ = await self.bot.jobs.run(SourceRequest(url=link), options, quiet)
        except ThreadBriefError as e:  # best effort: nobody asked, so no error reply
            log.info("auto-summary skipped for %s: %s", link, e.user_message())
            return
        pages = brief_pages(brief, per_page=options.viewpoints)
        await message.channel.send(
            embed=discord.Embed.from_dict(pages.embeds[0]),
            reference=message.to_reference(fail_if_not_exists=False),
            mention_author=False,
        )


async def setup(bot: ThreadBriefBot) -> None:
    await bot.add_cog(Summarize(bot))
