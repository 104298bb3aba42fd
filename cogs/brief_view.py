"""The brief on screen: page buttons for the user who asked, and progress while it is made.

Helpers for cogs/summarize.py, not an extension. The pages live in memory for PAGE_TIMEOUT, then
the buttons are disabled; a button that outlived its pages (the bot restarted, or the edit that
disables them failed) is answered by `ExpiredPages`, so a click never meets silence.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import discord

from bot.answering import ProgressInBackground
from bot.render.embeds import Pages
from bot.render.markdown import CONTENT_LIMIT, clip

PAGE_TIMEOUT = 600.0
NOT_YOURS = (
    "Only the person who asked for this brief can turn its pages. "
    "Run /summarize yourself to get your own."
)


class BriefView(discord.ui.View):
    """Previous/next buttons over the brief's pages, for the user who asked, plus a source link."""

    def __init__(
        self, pages: Pages, owner_id: int, url: str | None, live: set[str] | None = None
    ) -> None:
        super().__init__(timeout=PAGE_TIMEOUT)
        self.pages = pages
        self.owner_id = owner_id
        self.index = 0
        self.interaction: discord.Interaction | None = None
        self.nonce = secrets.token_hex(6)
        self.live = live if live is not None else set()
        self.live.add(self.nonce)
        self.previous.custom_id = page_button_id(self.nonce, "prev")
        self.next.custom_id = page_button_id(self.nonce, "next")
        if len(pages) < 2:
            self.remove_item(self.previous)
            self.remove_item(self.next)
        if url and url.startswith(("http://", "https://")) and len(url) <= 512:
            self.add_item(discord.ui.Button(label="Source", url=url))
        self._sync()

    def embed(self) -> discord.Embed:
        """The page shown now, made a discord.py embed at the edge."""
        return discord.Embed.from_dict(self.pages.embeds[self.index])

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction, _: discord.ui.Button[BriefView]
    ) -> None:
        await self._show(interaction, -1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[BriefView]) -> None:
        await self._show(interaction, +1)

    async def on_timeout(self) -> None:
        self.live.discard(self.nonce)
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.url is None:
                item.disabled = True
        if self.interaction is not None:
            try:
                await self.interaction.edit_original_response(view=self)
            except discord.HTTPException:
                pass


PAGE_BUTTON = re.compile(r"threadbrief:page:(?P<nonce>[0-9a-f]{1,32}):(?P<step>prev|next)")


def page_button_id(nonce: str, step: str) -> str:
    return f"threadbrief:page:{nonce}:{step}"


class ExpiredPages(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAGE_BUTTON.pattern):
    """Answers a click on page buttons whose pages are gone, instead of leaving it unanswered."""

    def __init__(self, nonce: str, step: str) -> None:
        super().__init__(discord.ui.Button(label=step, custom_id=page_button_id(nonce, step)))
        self.nonce = nonce
        self.step = step

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ExpiredPages:
        return cls(match["nonce"], match["step"])

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Summarize") if interaction.client else None  # type: ignore[attr-defined]
        if self.nonce in getattr(cog, "live_pages", set()):
            return  # the live view answers this click
        bot = interaction.client
        if getattr(bot, "queued", False):  # a worker made this brief: its pages are shared
            shown = await bot.turn_shared_page(self.nonce, self.step, interaction.user.id)  # type: ignore[attr-defined]
            if shown is False:
                await interaction.response.send_message(NOT_YOURS, ephemeral=True)
                return
            if shown is not None:
                embed, view = shown
                await interaction.response.edit_message(embed=embed, view=view)
                return
        await interaction.response.send_message(
            "This brief's page buttons have expired (after 10 minutes, or because the bot "
            "restarted). Run /summarize again to page through a fresh brief.",
            ephemeral=True,
        )


class ProgressReply(ProgressInBackground):
    """A `bot.jobs.Progress` that edits the deferred reply with what is happening (a few edits
    per brief, no more), without holding up the brief; used as `async with`, so that the answer
    comes after the last edit."""

    def __init__(self, interaction: discord.Interaction) -> None:
        super().__init__(self._edit)
        self.interaction = interaction

    async def _edit(self, text: str) -> None:
        # The text may carry what the user gave (a 2,000-character URL): Discord's limit holds.
        await self.interaction.edit_original_response(content=clip(f"⏳ {text}", CONTENT_LIMIT))
