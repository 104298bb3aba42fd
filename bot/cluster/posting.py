"""Posting digests with discord.py, with or without a gateway; never pings.

`ChannelPoster` is the digest service's `Poster` over a `discord.Client`: the gateway bot's
(cogs/digest.py `DiscordPoster`, which reads channels and permissions from its cache) or, on the
worker that leads the digest schedule, one that has only logged in (`RestPoster`): every channel
is fetched over REST, and every request first takes a token from the fleet-wide limiter.

In a text or announcement channel a digest is a message (published to following servers if
asked); in a thread, a message in it; in a forum, a new post whose first message is the digest's
first part, the other parts following inside it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from types import SimpleNamespace

import aiohttp
import discord

from bot.errors import PayloadRefused, PostRejected
from bot.render.digest import Payload, has_marker
from bot.render.markdown import clip

log = logging.getLogger("threadbrief.digest")

Destination = discord.TextChannel | discord.ForumChannel | discord.Thread
Acquire = Callable[[], Awaitable[None]]
FORUM_POSTS_SEARCHED = 10
"""A forum's newest posts of the bot that a lost message is looked for in."""


class ChannelPoster:
    """The digest `Poster` over discord.py's channel objects."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._open_posts: dict[int, discord.Thread] = {}
        """Per forum: the post the last digest opened, where its further parts go."""

    async def _channel(self, channel_id: int) -> Destination:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                raise PostRejected(f"I cannot see channel <#{channel_id}> any more.") from None
        if not isinstance(channel, Destination):
            raise PostRejected(f"<#{channel_id}> is not a channel I can post in.")
        return channel

    async def post(self, channel_id: int, payload: Payload) -> int:
        channel = await self._channel(channel_id)
        content = payload.get("content") or None
        embeds = [discord.Embed.from_dict(e) for e in payload.get("embeds", [])]
        try:
            if isinstance(channel, discord.ForumChannel):
                message = await self._forum_post(channel, payload, content, embeds)
            else:
                message = await _send(channel, content, embeds, payload)
                if payload.get("publish") and isinstance(channel, discord.TextChannel):
                    await self._publish(channel, message)
        except (discord.Forbidden, discord.NotFound) as error:
            raise PostRejected(f"I cannot post in <#{channel_id}>: {error.text}") from None
        except discord.HTTPException as error:
            if error.status == 400:
                raise PayloadRefused(error.text or "invalid message") from None
            raise
        return message.id

    async def _forum_post(
        self,
        forum: discord.ForumChannel,
        payload: Payload,
        content: str | None,
        embeds: list[discord.Embed],
    ) -> discord.Message:
        none = discord.AllowedMentions.none()
        post = self._open_posts.get(forum.id)
        if payload.get("continues") and post is not None:
            return await _send(post, content, embeds, payload)
        wanted = set(payload.get("applied_tags") or [])
        tags = [t for t in forum.available_tags if t.id in wanted]
        created = await forum.create_thread(
            name=clip(str(payload.get("post_name") or "ThreadBrief digest"), 100),
            content=content,
            embeds=embeds,
            applied_tags=tags,
            allowed_mentions=none,
        )
        self._open_posts[forum.id] = created.thread
        return created.message

    async def _publish(self, channel: discord.TextChannel, message: discord.Message) -> None:
        """Publish to following servers; the digest is posted even when this fails."""
        if not channel.is_news():
            return
        try:
            await message.publish()
        except discord.HTTPException as error:
            log.warning("could not publish digest message %s: %s", message.id, error.text)

    async def find(self, channel_id: int, marker: str) -> int | None:
        channel = await self._channel(channel_id)
        me = self.client.user
        assert me is not None
        if not await self.can_read_history(channel):
            # Discord would answer an empty history: "not posted" could be a duplicate.
            raise PostRejected(
                f"I cannot check whether an interrupted digest reached <#{channel_id}>: "
                "I need the Read Message History permission there."
            )
        if isinstance(channel, discord.ForumChannel):
            mine = [t for t in await self.forum_posts(channel) if t.owner_id == me.id]
            places: Sequence[discord.TextChannel | discord.Thread] = sorted(
                mine, key=lambda t: t.id, reverse=True
            )[:FORUM_POSTS_SEARCHED]
        else:
            places = [channel]
        for place in places:
            async for message in place.history(limit=100):
                if message.author.id != me.id:
                    continue
                shown = {
                    "content": message.content,
                    "embeds": [e.to_dict() for e in message.embeds],
                }
                if has_marker(shown, marker):
                    return message.id
        return None

    async def can_read_history(self, channel: Destination) -> bool:
        """Whether the bot may read the channel's history (Discord answers an empty one if not)."""
        return channel.permissions_for(channel.guild.me).read_message_history

    async def forum_posts(self, forum: discord.ForumChannel) -> list[discord.Thread]:
        """The forum's active posts."""
        return list(forum.threads)

    def problem(self, channel_id: int) -> str | None:
        """None: what only a gateway's cache shows (DiscordPoster); posting errors still say."""
        return None


class RestPoster(ChannelPoster):
    """Digests over Discord's REST API alone, with the bot token: no gateway, no cache.

    What a gateway reads from its cache is asked for here: the channel (with its type, its tags
    and its permission overwrites), and for `find` the bot's roles and the server's active
    threads. `problem` cannot know without a cache and says nothing; a refused post still
    raises PostRejected or PayloadRefused.
    """

    async def can_read_history(self, channel: Destination) -> bool:
        guild = await self.client.fetch_guild(channel.guild.id)
        assert self.client.user is not None
        me = await guild.fetch_member(self.client.user.id)
        # A thread has its parent's permissions; fetched through the guild, the channel knows
        # the guild's roles, which `permissions_for` needs.
        target = channel.parent_id if isinstance(channel, discord.Thread) else channel.id
        place = await guild.fetch_channel(target)
        if not isinstance(place, discord.abc.GuildChannel):
            return False
        return place.permissions_for(me).read_message_history

    async def forum_posts(self, forum: discord.ForumChannel) -> list[discord.Thread]:
        return [t for t in await forum.guild.active_threads() if t.parent_id == forum.id]

    async def close(self) -> None:
        await self.client.close()


async def rest_poster(token: str, acquire: Acquire) -> RestPoster:
    """A poster whose client has only logged in (no gateway); each HTTP request, retries of a
    429 included, waits for `acquire()` first."""

    async def limited(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        _params: aiohttp.TraceRequestStartParams,
    ) -> None:
        await acquire()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(limited)
    client = discord.Client(
        intents=discord.Intents(guilds=True),  # no gateway: only what the channels' objects assume
        allowed_mentions=discord.AllowedMentions.none(),
        http_trace=trace,
    )
    try:
        await client.login(token)
    except BaseException:
        await client.close()
        raise
    return RestPoster(client)


async def _send(
    target: discord.abc.Messageable,
    content: str | None,
    embeds: list[discord.Embed],
    payload: Payload,
) -> discord.Message:
    """A message that pings nobody, with the payload's nonce if it has one (a notice has none):
    discord.py sends it with enforce_nonce, so a repeat returns the first message."""
    none = discord.AllowedMentions.none()
    nonce = payload.get("nonce")
    if isinstance(nonce, str):
        return await target.send(content=content, embeds=embeds, allowed_mentions=none, nonce=nonce)
    return await target.send(content=content, embeds=embeds, allowed_mentions=none)
