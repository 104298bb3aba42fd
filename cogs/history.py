"""Reading a channel's or thread's history for a brief: Discord messages to plain records.

Helpers for cogs/summarize.py, not an extension. Paging goes through discord.py's `history()`,
whose HTTP client waits out rate limits (429 and the bucket headers) before the next page.
Nothing read is stored: the records live for one command.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import discord

from bot.errors import BadInput, PermissionMissing
from bot.jobs import Progress
from bot.sources.chat import ChatHistory, ChatMessage

PROGRESS_EVERY = 200


def subject(channel: object) -> str | None:
    """A thread's or forum post's name: what its conversation is about."""
    return channel.name if isinstance(channel, discord.Thread) and channel.name else None


def place_name(channel: object) -> str:
    name = getattr(channel, "name", None)
    if isinstance(channel, discord.Thread):
        return f"the thread “{name}”" if name else "this thread"
    return f"#{name}" if name else "this channel"


def _shown(message: discord.Message) -> discord.Message | discord.MessageSnapshot:
    """Where a message's text really is.

    A thread started from a message opens with a starter (type 21) that has no content of its
    own: the text is the parent message, `referenced_message`. A forward has empty content and
    the forwarded text in its first snapshot.
    """
    reference = message.reference
    if (
        message.type is discord.MessageType.thread_starter_message
        and reference is not None
        and isinstance(reference.resolved, discord.Message)
    ):
        return reference.resolved
    if not message.content and message.message_snapshots:
        return message.message_snapshots[0]
    return message


def record(message: discord.Message, names: dict[int, str] | None = None) -> ChatMessage:
    shown = _shown(message)
    starter = message.type is discord.MessageType.thread_starter_message
    reference = None if starter else message.reference
    reply_to = (
        reference.message_id
        if reference is not None and reference.type is not discord.MessageReferenceType.forward
        else None
    )
    deleted = reply_to is not None and isinstance(
        reference.resolved if reference else None, discord.DeletedReferencedMessage
    )
    author = shown.author if isinstance(shown, discord.Message) else message.author
    return ChatMessage(
        id=str(message.id),
        author=(names or {}).get(author.id, author.display_name),
        author_id=str(author.id),
        created=shown.created_at,
        content=shown.content,
        bot=author.bot,
        reply_to=str(reply_to) if reply_to is not None else None,
        reply_deleted=deleted,
        embeds=len(shown.embeds),
        attachments=len(shown.attachments),
        system=message.is_system() and not starter,
        url=message.jump_url,
    )


MAX_NAME_LOOKUPS = 100
"""Server nicknames looked up per brief, for the most active authors."""


async def server_names(channel: object, messages: list[discord.Message]) -> dict[int, str]:
    """People's names in this server (nicknames), which REST history does not carry.

    Members in the cache are free; others are fetched one by one (Get Guild Member needs no
    privileged intent), the most active first. Someone who left keeps their global name.
    """
    guild = getattr(channel, "guild", None)
    if not isinstance(guild, discord.Guild):
        return {}
    counts = Counter(
        m.author.id
        for m in messages
        if m.webhook_id is None and not isinstance(m.author, discord.Member)
    )
    names: dict[int, str] = {
        m.author.id: m.author.display_name for m in messages if isinstance(m.author, discord.Member)
    }
    gate = asyncio.Semaphore(4)

    async def look_up(user_id: int) -> None:
        member = guild.get_member(user_id)
        if member is None:
            async with gate:
                try:
                    member = await guild.fetch_member(user_id)
                except discord.HTTPException:
                    return
        names[user_id] = member.display_name

    wanted = [u for u, _ in counts.most_common() if u not in names][:MAX_NAME_LOOKUPS]
    await asyncio.gather(*(look_up(u) for u in wanted))
    return names


@contextmanager
def _refusals(channel: object) -> Iterator[None]:
    """Discord's refusals while paging (a permission removed meanwhile, a deleted channel)."""
    try:
        yield
    except discord.Forbidden:
        raise PermissionMissing(
            f"Discord refused to show the history of {place_name(channel)} to ThreadBrief.",
            hint="It needs the View Channel and Read Message History permissions there.",
        ) from None
    except discord.NotFound:
        place = place_name(channel)
        raise BadInput(
            f"{place[0].upper()}{place[1:]} no longer exists.",
            hint="Run the command in a conversation that is still there.",
        ) from None


async def read_recent(
    channel: discord.abc.Messageable,
    *,
    limit: int,
    since: timedelta | None,
    include_bots: bool,
    progress: Progress,
) -> ChatHistory:
    """The latest `limit` messages (within `since`), oldest first; says what was left out."""
    after = datetime.now(UTC) - since if since is not None else None
    newest_first: list[discord.Message] = []
    with _refusals(channel):
        async for message in channel.history(limit=limit + 1, after=after, oldest_first=False):
            newest_first.append(message)
            if len(newest_first) % PROGRESS_EVERY == 0:
                await progress(f"Reading the history… {len(newest_first):,} messages")
    more = len(newest_first) > limit
    kept = newest_first[:limit]
    names = await server_names(channel, kept)
    messages = tuple(record(m, names) for m in reversed(kept))
    place = place_name(channel)
    left_out = None
    if more:
        left_out = (
            f"Only the last {limit:,} messages were read; older ones were left out "
            "(ask for more with messages:, or a span with since:)."
        )
    return ChatHistory(
        place=place,
        messages=messages,
        # The whole conversation was read: its first message opened it.
        starts_conversation=not more and since is None,
        include_bots=include_bots,
        left_out=left_out,
        url=getattr(channel, "jump_url", None),
        subject=subject(channel),
    )


async def read_from(
    channel: discord.abc.Messageable,
    first: discord.Message,
    *,
    limit: int,
    include_bots: bool,
    progress: Progress,
) -> ChatHistory:
    """The message picked and up to `limit - 1` after it, oldest first."""
    later: list[discord.Message] = []
    with _refusals(channel):
        async for message in channel.history(limit=limit, after=first, oldest_first=True):
            later.append(message)
            if len(later) % PROGRESS_EVERY == 0:
                await progress(f"Reading the history… {len(later):,} messages")
    more = len(later) >= limit
    kept = [first, *later][:limit]
    names = await server_names(channel, kept)
    left_out = None
    if more:
        left_out = (
            f"Only the first {limit:,} messages from the one picked were read; later ones were "
            "left out."
        )
    return ChatHistory(
        place=place_name(channel),
        messages=tuple(record(m, names) for m in kept),
        starts_conversation=True,
        include_bots=include_bots,
        left_out=left_out,
        url=first.jump_url,
        subject=subject(channel),
    )
