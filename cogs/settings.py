"""/settings: per-server defaults and auto-summary channels, for members with Manage Server."""

from __future__ import annotations

from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands

from bot.commands import brief_options, changed_settings
from bot.config import Algorithm
from bot.digest.schedule import timezone as check_timezone
from bot.runner import ThreadBriefBot
from bot.store import GuildSettings


def describe(settings: GuildSettings, bot: ThreadBriefBot) -> str:
    shown = brief_options(bot.config.brief, settings)
    channels = ", ".join(f"<#{c}>" for c in sorted(settings.auto_channels)) or "none (off)"
    return (
        f"**Algorithm:** {shown.algorithm}\n"
        f"**Summary sentences:** {shown.sentences}\n"
        f"**Viewpoints per page:** {shown.viewpoints}\n"
        f"**Auto-summary channels:** {channels}\n"
        f"**Digest timezone:** {settings.timezone or 'UTC'}\n"
        f"**Digest role:** {f'<@&{settings.digest_role}>' if settings.digest_role else 'none'}"
        " (besides Manage Server)"
    )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Settings(commands.GroupCog, group_name="settings", group_description="Server defaults"):
    def __init__(self, bot: ThreadBriefBot) -> None:
        self.bot = bot
        super().__init__()

    async def _reply(self, interaction: discord.Interaction, settings: GuildSettings) -> None:
        embed = discord.Embed(
            title="ThreadBrief settings", description=describe(settings, self.bot)
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="show", description="Show this server's ThreadBrief defaults")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self._reply(interaction, await self.bot.store.guild_settings(interaction.guild_id))

    @app_commands.command(name="defaults", description="Set the default brief for this server")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(
        algorithm="How summary sentences are picked",
        sentences="Sentences in the article summary",
        viewpoints="Viewpoints per page",
        timezone="Default timezone of new digests, an IANA name such as Europe/Paris",
    )
    async def defaults(
        self,
        interaction: discord.Interaction,
        algorithm: Algorithm | None = None,
        sentences: app_commands.Range[int, 1, 20] | None = None,
        viewpoints: app_commands.Range[int, 1, 10] | None = None,
        timezone: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        if timezone is not None:
            timezone = check_timezone(timezone).key
        current = await self.bot.store.guild_settings(interaction.guild_id)
        updated = changed_settings(
            current,
            algorithm=algorithm,
            sentences=sentences,
            viewpoints=viewpoints,
            timezone=timezone,
        )
        await self.bot.store.save_guild_settings(updated)
        await self._reply(interaction, updated)

    @app_commands.command(
        name="autosummary", description="Brief links posted in a channel automatically (on/off)"
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(
        channel="The channel whose posted links are briefed", enabled="On or off"
    )
    async def autosummary(
        self, interaction: discord.Interaction, channel: discord.TextChannel, enabled: bool
    ) -> None:
        assert interaction.guild_id is not None
        updated = await self.bot.store.set_auto_channel(interaction.guild_id, channel.id, enabled)
        await self._reply(interaction, updated)
        if enabled and not self.bot.config.bot.message_content:
            await interaction.followup.send(
                "Note: this bot runs without the Message Content intent, so it cannot see links "
                "in messages. Its owner must set bot.message_content = true (and enable the "
                "intent in the Developer Portal) for auto-summary to work.",
                ephemeral=True,
            )

    @app_commands.command(
        name="digestrole", description="Let a role manage digests (leave empty to clear)"
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(role="The role that may manage digests; leave empty to clear it")
    async def digestrole(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        assert interaction.guild_id is not None
        current = await self.bot.store.guild_settings(interaction.guild_id)
        updated = replace(current, digest_role=role.id if role else None)
        await self.bot.store.save_guild_settings(updated)
        await self._reply(interaction, updated)


async def setup(bot: ThreadBriefBot) -> None:
    await bot.add_cog(Settings(bot))
