"""/help: what ThreadBrief reads and how to ask for a brief."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.runner import ThreadBriefBot

HELP = """\
ThreadBrief reads an article **with its comments** and posts a brief: the article's key \
sentences, and the main viewpoints of the people who commented, each with its share of the \
thread and real quotes. Nothing is written that is not in the thread.

**Ask for a brief**
• `/summarize link url:<link>`: a blog or news page with comments, a Reddit, Hacker News, \
Discourse or Mastodon thread, or an RSS/Atom feed (its newest item).
• `/summarize file file:<upload>`: an export: a text copy of a page with its comments, WordPress \
WXR, Disqus XML, RSS/Atom, Reddit/HN/Discourse/Mastodon JSON, a Discord channel export, or \
ThreadBrief JSON.
• Right-click a message → **Apps → Summarize thread** to brief the link or file it carries.
• `/summarize here`: brief this thread, forum post or channel (options `messages`, `since`, \
`bots`); or right-click a message → **Apps → Summarize from here**. Private unless the channel \
takes briefs; needs Read Message History; nothing read is kept.
Options: `sentences`, `algorithm` (LexRank by default), `viewpoints` per page, `private`.

**For admins** (Manage Server)
• `/settings show`, `/settings defaults`: this server's default algorithm and lengths.
• `/settings autosummary`: brief links posted in a channel automatically (off by default).
• `/settings defaults timezone:` and `/settings digestrole`: digest time zone, and a role \
that may manage digests besides Manage Server.

**Digests** (Manage Server or the digest role)
• `/digest add source:<feed or page> channel:<#channel> schedule:<when>`: post the new items \
of a source with their briefs, in a channel, a thread, a forum (`tag:`; a new post each time) or \
an announcement channel (`publish:`). Schedules: `daily 08:00`, `weekdays 18:30`, `mon,thu 12:00`, \
`every 6h`, `hourly`, or a cron line, in the server's time zone or `timezone:`.
• `/digest list`, `remove`, `pause`, `resume`; `/digest preview` (privately) and `/digest run`.

Briefs never ping anyone. Only the person who asked can turn a brief's pages.\
"""


class Help(commands.Cog):
    def __init__(self, bot: ThreadBriefBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What ThreadBrief reads, and how to use it")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="ThreadBrief", description=HELP, colour=0x5865F2)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: ThreadBriefBot) -> None:
    await bot.add_cog(Help(bot))
