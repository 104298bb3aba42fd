"""What the bot's commands decide, apart from Discord: the cogs read an interaction and call these.

Kept here so each rule is one function with unit tests, the same for every command that needs
it: which options a brief gets, what a message or a member's text points at, whether a file is
too large, who may read a conversation, whether a brief is shown privately, how far back a span
reaches, how much history may be read, whether a conversation has anything to brief, and what a
new digest's time zone, forum tag and publishing are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

from bot.config import BriefConfig
from bot.errors import BadInput, PermissionMissing, TooLarge
from bot.pipeline import BriefOptions
from bot.render.markdown import clip
from bot.sources.chat import ChatHistory
from bot.store import GuildSettings
from bot.text.links import find_urls

T = TypeVar("T")

_SPAN = re.compile(r"^\s*(\d+)\s*(m|min|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.IGNORECASE)
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
LONGEST_SPAN = timedelta(days=400)


def first_given(*values: T | None) -> T | None:
    """The first value that was given: None is "not given", while 0 or "" are values."""
    return next((v for v in values if v is not None), None)


def brief_options(
    defaults: BriefConfig,
    saved: GuildSettings | None = None,
    *,
    algorithm: str | None = None,
    sentences: int | None = None,
    viewpoints: int | None = None,
) -> BriefOptions:
    """The options of a brief: what the member asked, else the server's setting, else the
    config; validated, so a bad value is refused with its name."""
    return BriefOptions(
        algorithm=_pick(algorithm, saved.algorithm if saved else None, defaults.algorithm),
        sentences=_pick(sentences, saved.sentences if saved else None, defaults.sentences),
        viewpoints=_pick(viewpoints, saved.viewpoints if saved else None, defaults.viewpoints),
        quotes=defaults.quotes,
        max_sentences=defaults.max_sentences,
        viewpoint_chars=defaults.viewpoint_chars,
    ).checked()


def _pick(asked: T | None, saved: T | None, default: T) -> T:
    chosen = first_given(asked, saved)
    return default if chosen is None else chosen


def changed_settings(
    current: GuildSettings,
    *,
    algorithm: str | None = None,
    sentences: int | None = None,
    viewpoints: int | None = None,
    timezone: str | None = None,
) -> GuildSettings:
    """A server's settings with what the admin gave changed, the rest kept."""
    return replace(
        current,
        algorithm=first_given(algorithm, current.algorithm),
        sentences=first_given(sentences, current.sentences),
        viewpoints=first_given(viewpoints, current.viewpoints),
        timezone=first_given(timezone, current.timezone),
    )


def private_by_default(
    settings: GuildSettings | None, channel_id: int | None, parent_id: int | None = None
) -> bool:
    """A brief of a conversation is private unless the admins chose its channel (or the channel
    its thread is in) for briefs with auto-summary; outside a server it is always private."""
    if settings is None or channel_id is None:
        return True
    return not ({channel_id, parent_id} & settings.auto_channels)


def parse_since(text: str) -> timedelta:
    """ "90m", "6h", "3d", "2w": how far back to read, at most 400 days."""
    match = _SPAN.match(text)
    if match is None or int(match.group(1)) == 0:
        raise BadInput(
            f"'{text[:40]}' is not a span of time.",
            hint="Write it like 90m, 6h, 3d or 2w.",
        )
    seconds = int(match.group(1)) * _UNITS[match.group(2)[0].lower()]
    return min(timedelta(seconds=seconds), LONGEST_SPAN)


def link_in(text: str) -> str:
    """The first web link in what the member typed; refused with how to give one."""
    urls = find_urls(text)
    if not urls:
        raise BadInput(
            f"'{text[:100]}' is not a web link.",
            hint="Give a full link starting with https://.",
        )
    return urls[0]


def message_target(attachments: Sequence[T], content: str) -> T | str:
    """What "Summarize thread" on a message briefs: its first file, else its first link."""
    if attachments:
        return attachments[0]
    urls = find_urls(content)
    if urls:
        return urls[0]
    raise BadInput(
        "This message has no link or attached file to summarize.",
        hint="Use it on a message that shares an article link or a thread export, or "
        "Apps → Summarize from here to brief the conversation.",
    )


def check_upload(filename: str, size: int, limit_mb: float) -> None:
    """Refuse, before downloading it, a file past the bot's upload limit."""
    if size > limit_mb * 1024 * 1024:
        raise TooLarge(
            f"{filename} is {size / 1048576:.1f} MB; this bot reads files up to {limit_mb:g} MB.",
            hint="Upload a smaller export, or give the thread's URL instead.",
        )


@dataclass(frozen=True, slots=True)
class Access:
    """What the member, or the bot, may do in a channel (from Discord's permissions there)."""

    view: bool
    history: bool
    connect: bool


def check_history_access(place: str, member: Access, bot: Access, *, voice: bool) -> None:
    """Refuse a brief of a conversation that the member, or the bot, may not read.

    In a voice channel's chat both also need Connect: without it Discord shows an empty history
    rather than an error, which would brief nothing without saying why.
    """
    if not (member.view and member.history):
        raise PermissionMissing(
            "You cannot read this channel's history, so it cannot be briefed for you.",
            hint="Only members who can read a conversation can brief it.",
        )
    if not (bot.view and bot.history):
        raise PermissionMissing(
            f"ThreadBrief cannot read {place}: it needs the View Channel and "
            "Read Message History permissions here.",
            hint="Ask an admin to grant them to the bot's role in this channel.",
        )
    if voice and not member.connect:
        raise PermissionMissing(
            "You cannot connect to this voice channel, so its chat cannot be briefed for you.",
            hint="Only members who can read a conversation can brief it.",
        )
    if voice and not bot.connect:
        raise PermissionMissing(
            f"ThreadBrief cannot read the chat of {place}: in a voice channel it needs the "
            "Connect permission too.",
            hint="Ask an admin to allow Connect for the bot's role in this channel.",
        )


def auto_summary_link(settings: GuildSettings, channel_id: int, content: str) -> str | None:
    """The link a posted message gets briefed for: its first, in a channel where the admins
    turned auto-summary on; None elsewhere."""
    if channel_id not in settings.auto_channels:
        return None
    urls = find_urls(content)
    return urls[0] if urls else None


def digest_timezone(asked: str | None, settings: GuildSettings) -> str:
    """A new digest's time zone: the one asked, else the server's default, else UTC."""
    return first_given(asked, settings.timezone) or "UTC"


def forum_tag(place: str, tags: Sequence[tuple[int, str]] | None, asked: str | None) -> int | None:
    """The id of the forum tag asked for by name (any case); `tags` is None outside a forum."""
    if asked is None:
        return None
    if tags is None:
        raise BadInput(
            f"{place} is not a forum, so its posts have no tags.",
            hint="Leave tag empty, or pick a forum channel.",
        )
    wanted = asked.strip().lower()
    for tag_id, name in tags:
        if name.lower() == wanted:
            return tag_id
    names = ", ".join(name for _, name in tags) or "none"
    raise BadInput(
        f"The forum {place} has no tag '{clip(asked, 50)}'.",
        hint=f"Its tags: {clip(names, 300)}.",
    )


def check_publish(place: str, publish: bool, *, announcement: bool) -> None:
    """Publishing to following servers needs an announcement channel."""
    if publish and not announcement:
        raise BadInput(
            f"{place} is not an announcement channel, so there is nothing to publish.",
            hint="Leave publish off, or pick an announcement channel.",
        )


def history_limit(asked: int | None, most: int) -> int:
    """Messages of history to read: what the member asked, up to the bot's limit."""
    if asked is not None and asked > most:
        raise TooLarge(
            f"This bot reads at most {most:,} messages of history.",
            hint=f"Ask for {most:,} or fewer, or a shorter span with since:.",
        )
    return most if asked is None else asked


def require_readable(history: ChatHistory, *, message_content: bool) -> ChatHistory:
    """The history, if any message in it has text to brief; else why not, and what to do."""
    if any(m.content.strip() and not m.system for m in history.messages):
        return history
    raise BadInput(
        f"There is nothing to brief in {history.place}: "
        f"{len(history.messages):,} messages read, none with text the bot may read.",
        hint=(
            "Try a channel or a span with more conversation."
            if message_content
            else "This bot runs without the Message Content intent, so Discord hides message "
            "text from it: its owner can turn the intent on (bot.message_content)."
        ),
    )
