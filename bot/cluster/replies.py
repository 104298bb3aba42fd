"""Answering a user from a worker: Discord's REST API with the interaction's token, no gateway;
and replying to a posted link (auto-summary) with the bot's token, since nobody asked.

Any process that holds the token may edit the original (deferred) response and send followups
for 15 minutes (docs: interactions/receiving-and-responding.md). Editing the original response is
idempotent, which is what makes a retried job safe: a brief made twice shows once. Every request
first takes a token from the fleet-wide limiter, so all workers together stay below Discord's
50 requests per second; discord.py still honours each route's own 429s.

An auto-summary reply is a new message, which is not idempotent by itself: it carries a nonce
made from the posted message's id with `enforce_nonce`, so Discord answers a second run of the
job with the reply the first run posted (docs: resources/message.mdx, Create Message).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Final, cast

import aiohttp
import discord

from bot.answering import ProgressInBackground
from bot.brief import Brief
from bot.cluster.payload import AutoSummary, Reply
from bot.render.embeds import brief_pages, error_embed
from bot.render.markdown import CONTENT_LIMIT, clip

Acquire = Callable[[], Awaitable[None]]
KeepPages = Callable[[str, list[dict[str, Any]]], Awaitable[None]]
PAGE_BUTTON_ID = "threadbrief:page:{nonce}:{step}"
"""The page buttons' custom id, as cogs/brief_view.py makes and reads it."""
ORIGINAL: Final = cast(int, "@original")
"""Discord's name for an interaction's original response in webhook message routes (discord.py
types message ids as int, and formats the route with whatever it is given)."""


class Replier:
    """Edits and followups of one interaction, each after `acquire()` lets it go."""

    def __init__(self, reply: Reply, session: aiohttp.ClientSession, acquire: Acquire) -> None:
        self.reply = reply
        self._acquire = acquire
        # Type 3 (application): the webhook Discord makes for an interaction.
        self._webhook = discord.Webhook(
            {"id": reply.application_id, "type": 3, "token": reply.token},
            session,
        )
        self.progress = ProgressInBackground(self._show_progress)
        """The job's `Progress`: edits sent beside the work, never in its way."""

    async def _show_progress(self, text: str) -> None:
        await self._acquire()
        await self._webhook.edit_message(
            ORIGINAL,
            content=clip(f"⏳ {text}", CONTENT_LIMIT),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def brief(
        self, brief: Brief, *, per_page: int, source: str | None, keep: KeepPages
    ) -> None:
        """The brief in place of the "thinking…" reply: its first page, page buttons, a link to
        the source. The pages are kept in the database (`keep`), since the click goes to a
        gateway, not to this worker."""
        await self.progress.settle()
        pages = brief_pages(brief, per_page=per_page)
        nonce = secrets.token_hex(6)
        if len(pages) > 1:
            await keep(nonce, [dict(e) for e in pages.embeds])
        view = page_view(nonce, 0, len(pages), brief.url or source)
        await self._acquire()
        await self._webhook.edit_message(
            ORIGINAL,
            content=None,
            embed=discord.Embed.from_dict(pages.embeds[0]),
            view=view,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def error(self, message: str, *, reference: str | None = None) -> None:
        """A private error, as the one-process bot answers: the public "thinking…" goes first."""
        await self.progress.settle(drop_waiting=True)
        await self._acquire()
        try:
            await self._webhook.delete_message(ORIGINAL)
        except discord.NotFound:
            pass
        await self._acquire()
        await self._webhook.send(
            embed=discord.Embed.from_dict(error_embed(message, reference=reference)),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


class AutoSummaryReplier:
    """Replies to posted messages with the bot's token over REST; it logs in (GET /users/@me)
    at its first reply. Every request first waits for `acquire()`."""

    def __init__(self, token: str, acquire: Acquire) -> None:
        self._token = token
        self._acquire = acquire
        self._http: discord.http.HTTPClient | None = None

    async def _client(self) -> discord.http.HTTPClient:
        if self._http is None:
            http = discord.http.HTTPClient(asyncio.get_running_loop())
            await self._acquire()
            try:
                await http.static_login(self._token)
            except BaseException:
                await http.close()
                raise
            self._http = http
        return self._http

    async def auto_summary(self, job: AutoSummary, brief: Brief) -> str:
        """The brief's first page as a reply to the posted message, pinging nobody (not its
        author either); sent as a plain message if that message is gone. Returns its id."""
        http = await self._client()
        pages = brief_pages(brief, per_page=job.options.viewpoints)
        reference = discord.MessageReference(
            message_id=job.message_id,
            channel_id=job.channel_id,
            guild_id=job.guild_id,
            fail_if_not_exists=False,
        )
        params = discord.http.handle_message_parameters(
            embed=discord.Embed.from_dict(pages.embeds[0]),
            allowed_mentions=discord.AllowedMentions.none(),
            mention_author=False,
            message_reference=reference.to_message_reference_dict(),
            nonce=job.nonce,  # with enforce_nonce: discord.py sends both
        )
        await self._acquire()
        message = await http.send_message(job.channel_id, params=params)
        return str(message["id"])

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None


def refusal(error: BaseException) -> str | None:
    """What Discord answered when it refused a request ("403 Missing Permissions (50013)"),
    or None for any other failure."""
    if isinstance(error, discord.LoginFailure):
        return "401 Unauthorized: the bot token was refused"
    if isinstance(error, discord.HTTPException):
        return f"{error.status} {error.text or error.response.reason} ({error.code})"
    return None


class SharedPageButtons(discord.ui.View):
    """Page buttons whose clicks any gateway answers from the database (ExpiredPages in
    cogs/brief_view.py), not a view held in this process's memory."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        return False  # no callbacks here: discord.py must not keep it, nor refuse to send it


def page_view(nonce: str, index: int, count: int, url: str | None) -> discord.ui.View:
    """Previous/next (as one machine shows them) and the source link, for page `index`."""
    view = SharedPageButtons()
    if count > 1:
        for label, step, disabled in (
            ("◀ Previous", "prev", index == 0),
            ("Next ▶", "next", index >= count - 1),
        ):
            view.add_item(
                discord.ui.Button(
                    label=label,
                    style=discord.ButtonStyle.secondary,
                    custom_id=PAGE_BUTTON_ID.format(nonce=nonce, step=step),
                    disabled=disabled,
                )
            )
    if url and url.startswith(("http://", "https://")) and len(url) <= 512:
        view.add_item(discord.ui.Button(label="Source", url=url))
    return view


def is_expired(error: BaseException) -> bool:
    """Discord's answer to a token past its 15 minutes (50027) or an unknown interaction."""
    return isinstance(error, discord.HTTPException) and error.code in (50027, 10015, 10008)
