"""Discord channel exports (DiscordChatExporter's JSON), read as a chat conversation.

The export is the usual way to take a Discord channel or thread elsewhere; read here, it gives the
terminal the same brief `/summarize here` gives in Discord. Reactions count as the message's score.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.errors import MalformedInput
from bot.sources.chat import ChatHistory, ChatMessage, chat_thread
from bot.sources.dates import iso_date
from bot.sources.json_values import as_dict, as_list
from bot.sources.markdown_text import discord_to_text
from bot.thread import Thread

_SAID = {"default", "reply"}
"""Message types someone wrote; the rest (joins, pins, thread notices) are Discord's."""


def looks_like(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("messages"), list)
        and isinstance(obj.get("channel"), dict)
        and isinstance(obj.get("guild"), dict)
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _date(value: Any) -> datetime:
    if (parsed := iso_date(value)) is None:
        raise MalformedInput(f"This Discord export has a message dated {value!r}.")
    return parsed


def _message(raw: Any, guild: str, channel: str, number: int) -> ChatMessage:
    if not isinstance(raw, dict) or "id" not in raw or "timestamp" not in raw:
        raise MalformedInput(
            f"Message {number} of this Discord export has no id or timestamp.",
            hint="Export the channel again as JSON with DiscordChatExporter.",
        )
    author = as_dict(raw.get("author"))
    reference = as_dict(raw.get("reference"))
    reactions = [r for r in as_list(raw.get("reactions")) if isinstance(r, dict)]
    message_id = str(raw["id"])
    return ChatMessage(
        id=message_id,
        author=str(author.get("nickname") or author.get("name") or "someone"),
        author_id=str(author.get("id") or ""),
        created=_date(raw["timestamp"]),
        content=discord_to_text(str(raw.get("content") or "")),
        bot=bool(author.get("isBot")),
        reply_to=str(reference["messageId"]) if reference.get("messageId") else None,
        embeds=len(as_list(raw.get("embeds"))),
        attachments=len(as_list(raw.get("attachments"))),
        system=str(raw.get("type") or "Default").lower() not in _SAID,
        url=f"https://discord.com/channels/{guild}/{channel}/{message_id}",
        score=sum(_count(r.get("count")) for r in reactions) if reactions else None,
    )


def parse(obj: dict[str, Any], *, include_bots: bool = False) -> Thread:
    guild = str(obj["guild"].get("id") or "@me")
    channel = str(obj["channel"].get("id") or "0")
    messages = tuple(
        _message(raw, guild, channel, n) for n, raw in enumerate(obj["messages"], start=1)
    )
    date_range = as_dict(obj.get("dateRange"))
    name = obj["channel"].get("name")
    history = ChatHistory(
        place=f"#{name}" if name else "the exported channel",
        messages=messages,
        # An export from the channel's start opens with the message that started it.
        starts_conversation=not date_range.get("after"),
        include_bots=include_bots,
        url=f"https://discord.com/channels/{guild}/{channel}",
        exported=True,
    )
    return chat_thread(history)
