"""The fixture world: one guild, its roles, channels, threads and people, as API v10 objects.

Ids are fixed so tests can name them. Permissions are computed as Discord computes them (the
@everyone role, then channel overwrites for @everyone and for the member, then the implicit rules
for voice channels), so a channel that denies the bot something behaves like the real one.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TOKEN = "fake-bot-token-0123456789abcdefghij"
APP_ID = 900000000000000001
GUILD_ID = 900000000000000100
CHANNEL_ID = 900000000000000200
ADMIN = {
    "id": "900000000000000301",
    "username": "alice",
    "global_name": "Alice",
    "discriminator": "0",
    "avatar": None,
}
MEMBER = {
    "id": "900000000000000302",
    "username": "bob",
    "global_name": "Bob",
    "discriminator": "0",
    "avatar": None,
}
BOT_USER = {
    "id": str(APP_ID),
    "username": "ThreadBrief",
    "discriminator": "0",
    "avatar": None,
    "bot": True,
}
NICKNAMES = {MEMBER["id"]: "Bobby from Riverside"}
"""Server nicknames: REST history carries only the user, so the bot must ask for the member."""

# Permission bits (docs/topics/permissions.md).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
CONNECT = 1 << 20
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

ALL_PERMISSIONS = str((1 << 41) - 1)
EVERYONE = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | READ_MESSAGE_HISTORY
    | CONNECT
    | SEND_MESSAGES_IN_THREADS
    | CREATE_PUBLIC_THREADS
)
MEMBER_PERMISSIONS = str(EVERYONE)

NEWS_ID = CHANNEL_ID + 1
READONLY_ID = CHANNEL_ID + 2
"""A channel where @everyone, the bot included, may not send messages."""
FORUM_ID = CHANNEL_ID + 20
FORUM_POST_ID = CHANNEL_ID + 21
"""A post (a thread) in the forum channel; its starter message has the same id."""
FORUM_TAG_ID = CHANNEL_ID + 22
"""The forum's "digest" tag."""
ANNOUNCEMENTS_ID = CHANNEL_ID + 30
"""An announcement (news) channel, type 5: its messages can be published to followers."""
VOICE_ID = CHANNEL_ID + 40
"""A voice channel with its text chat; the bot may view it but not Connect."""
NO_HISTORY_ID = CHANNEL_ID + 50
"""A text channel where the bot may post but not Read Message History."""
THREAD_ID = CHANNEL_ID + 10
"""A thread under #general."""
RULES_THREAD_ID = CHANNEL_ID + 11
"""A thread under #rules, where the bot may not send messages in threads either."""
EDITOR_ROLE_ID = GUILD_ID + 5
MESSAGE_CONTENT = 1 << 15
"""The privileged intent bit."""
PRIVILEGED_INTENTS = 1 << 1 | 1 << 8 | MESSAGE_CONTENT
KNOWN_INTENTS = (1 << 26) - 1 | 1 << 0


def _overwrite(
    target: int, *, allow: int = 0, deny: int = 0, member: bool = False
) -> dict[str, Any]:
    return {"id": str(target), "type": 1 if member else 0, "allow": str(allow), "deny": str(deny)}


@dataclass
class Thread:
    name: str
    parent_id: int
    owner_id: str = ADMIN["id"]


class World:
    """The guild's state: channels and threads, members, messages; shared by REST and gateway."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.threads: dict[int, Thread] = {
            THREAD_ID: Thread("Tram vote", CHANNEL_ID),
            FORUM_POST_ID: Thread("Night buses?", FORUM_ID),
            RULES_THREAD_ID: Thread("About the rules", READONLY_ID),
        }
        self.channel_messages: list[dict[str, Any]] = []
        self.forum_tags: list[dict[str, Any]] = [
            {
                "id": str(FORUM_TAG_ID),
                "name": "digest",
                "moderated": False,
                "emoji_id": None,
                "emoji_name": None,
            }
        ]

    def snowflake(self, at: datetime | None = None) -> str:
        """An id as Discord makes them: the creation time (now, or `at`) in its top bits."""
        millis = int((at.timestamp() if at is not None else time.time()) * 1000)
        return str((millis - 1420070400000) << 22 | next(self._ids))

    # -- channels ------------------------------------------------------------------------------

    def channels(self) -> list[dict[str, Any]]:
        def channel(channel_id: int, name: str, position: int, kind: int = 0) -> dict[str, Any]:
            return {
                "id": str(channel_id),
                "type": kind,
                "name": name,
                "position": position,
                "permission_overwrites": [],
                "guild_id": str(GUILD_ID),
            }

        readonly = channel(READONLY_ID, "rules", 2)
        readonly["permission_overwrites"] = [
            _overwrite(GUILD_ID, deny=SEND_MESSAGES | SEND_MESSAGES_IN_THREADS)
        ]
        forum = {**channel(FORUM_ID, "ideas", 3, 15), "available_tags": self.forum_tags}
        voice = {**channel(VOICE_ID, "lounge", 5, 2), "bitrate": 64000, "user_limit": 0}
        voice["permission_overwrites"] = [_overwrite(APP_ID, deny=CONNECT, member=True)]
        no_history = channel(NO_HISTORY_ID, "suggestions", 6)
        no_history["permission_overwrites"] = [
            _overwrite(APP_ID, deny=READ_MESSAGE_HISTORY, member=True)
        ]
        return [
            channel(CHANNEL_ID, "general", 0),
            channel(NEWS_ID, "news", 1),
            readonly,
            forum,
            channel(ANNOUNCEMENTS_ID, "announcements", 4, 5),
            voice,
            no_history,
        ]

    def is_thread(self, channel_id: int) -> bool:
        return channel_id in self.threads

    def channel(self, channel_id: int) -> dict[str, Any]:
        """The channel object an interaction carries: a text channel, a thread or a forum post."""
        if channel_id in self.threads:
            thread = self.threads[channel_id]
            return {
                "id": str(channel_id),
                "type": 11,
                "guild_id": str(GUILD_ID),
                "name": thread.name,
                "parent_id": str(thread.parent_id),
                "owner_id": thread.owner_id,
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": "2026-01-01T00:00:00+00:00",
                    "locked": False,
                },
            }
        found = next(c for c in self.channels() if c["id"] == str(channel_id))
        return {k: v for k, v in found.items() if k != "permission_overwrites"}

    def has_channel(self, channel_id: int) -> bool:
        return channel_id in self.threads or any(
            c["id"] == str(channel_id) for c in self.channels()
        )

    def channel_type(self, channel_id: int) -> int:
        return int(self.channel(channel_id)["type"])

    def permissions(
        self, user_id: str, channel_id: int, roles: tuple[int, ...] = (), *, implicit: bool = True
    ) -> int:
        """A member's permissions in a channel, computed as docs/topics/permissions.md says.

        `implicit=False` leaves out the implicit rules (no Connect in a voice channel: no history),
        as the permission values an interaction carries are read here to do.
        """
        if user_id == ADMIN["id"]:
            return int(ALL_PERMISSIONS)
        base = EVERYONE
        for role in self.guild()["roles"]:
            if int(role["id"]) in roles:
                base |= int(role["permissions"])
        if base & ADMINISTRATOR:
            return int(ALL_PERMISSIONS)
        target = self.threads[channel_id].parent_id if channel_id in self.threads else channel_id
        raw = next(c for c in self.channels() if c["id"] == str(target))
        overwrites = raw["permission_overwrites"]
        allowed = base
        for ow in overwrites:
            if ow["id"] == str(GUILD_ID):
                allowed = (allowed & ~int(ow["deny"])) | int(ow["allow"])
        deny = allow = 0
        for ow in overwrites:
            if ow["type"] == 0 and int(ow["id"]) in roles:
                deny |= int(ow["deny"])
                allow |= int(ow["allow"])
        allowed = (allowed & ~deny) | allow
        for ow in overwrites:
            if ow["type"] == 1 and ow["id"] == user_id:
                allowed = (allowed & ~int(ow["deny"])) | int(ow["allow"])
        if not allowed & VIEW_CHANNEL:
            return 0
        if implicit and raw["type"] == 2 and not allowed & CONNECT:
            # A voice channel's chat: without Connect, no history and no sending.
            allowed &= ~(READ_MESSAGE_HISTORY | SEND_MESSAGES)
        return allowed

    def bot_permissions(self, channel_id: int, *, implicit: bool = True) -> int:
        return self.permissions(BOT_USER["id"], channel_id, implicit=implicit)

    # -- the guild -----------------------------------------------------------------------------

    def guild(self) -> dict[str, Any]:
        def role(role_id: int, name: str, permissions: str, position: int) -> dict[str, Any]:
            return {
                "id": str(role_id),
                "name": name,
                "permissions": permissions,
                "position": position,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
            }

        return {
            "id": str(GUILD_ID),
            "name": "Test Server",
            "owner_id": ADMIN["id"],
            "icon": None,
            "roles": [
                role(GUILD_ID, "@everyone", MEMBER_PERMISSIONS, 0),
                role(EDITOR_ROLE_ID, "digest editors", "0", 1),
            ],
            "channels": self.channels(),
            "threads": [self.channel(t) for t in self.threads],  # the active threads
            "members": [
                {
                    "user": BOT_USER,
                    "roles": [],
                    "joined_at": "2026-01-01T00:00:00+00:00",
                    "flags": 0,
                }
            ],
            "member_count": 3,
            "presences": [],
            "voice_states": [],
            "emojis": [],
            "stickers": [],
            "features": ["NEWS", "COMMUNITY"],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "stage_instances": [],
            "guild_scheduled_events": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
        }

    def guild_resource(self) -> dict[str, Any]:
        """The guild as Get Guild answers it: without the fields only the gateway's Guild
        Create carries (channels, threads, members, presences, voice states...)."""
        gateway_only = {
            "channels",
            "threads",
            "members",
            "member_count",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "unavailable",
            "stage_instances",
            "guild_scheduled_events",
        }
        return {k: v for k, v in self.guild().items() if k not in gateway_only}

    def member(self, user: dict[str, Any], roles: tuple[int, ...] = ()) -> dict[str, Any]:
        permissions = ALL_PERMISSIONS if user is ADMIN else MEMBER_PERMISSIONS
        return {
            "user": user,
            "nick": NICKNAMES.get(user["id"]),
            "roles": [str(r) for r in roles],
            "flags": 0,
            "permissions": permissions,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
        }

    # -- messages ------------------------------------------------------------------------------

    def user_message(
        self,
        content: str,
        *,
        attachments: list[dict[str, Any]] | None = None,
        author: dict[str, Any] = ADMIN,
    ) -> dict[str, Any]:
        return {
            "id": self.snowflake(),
            "channel_id": str(CHANNEL_ID),
            "type": 0,
            "author": author,
            "content": content,
            "embeds": [],
            "attachments": attachments or [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "flags": 0,
            "components": [],
        }

    def bot_message(
        self,
        body: dict[str, Any],
        *,
        channel_id: int = CHANNEL_ID,
        message_id: str | None = None,
        flags: int = 0,
    ) -> dict[str, Any]:
        """The message object Discord returns for what the bot sent."""
        return {
            "id": message_id or self.snowflake(),
            "channel_id": str(channel_id),
            "type": 0,
            "author": BOT_USER,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "flags": flags | int(body.get("flags") or 0),
        }
