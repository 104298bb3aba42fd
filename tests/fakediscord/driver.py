"""The people in the fixture guild: what a user does in Discord, turned into gateway events.

A user can only use a command Discord shows them: one that was synced, allowed in a server
(`contexts`), and whose `default_member_permissions` their permissions cover (docs:
interactions/application-commands.md, "Permissions"). Messages people post land in the channel
history the bot reads, in the shapes Discord gives them: replies, a thread's starter message
(type 21, its text in `referenced_message`), and forwards (`message_snapshots`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tests.fakediscord.rest import InteractionRecord, Rest
from tests.fakediscord.world import (
    ADMIN,
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    APP_ID,
    CHANNEL_ID,
    EVERYONE,
    GUILD_ID,
    MEMBER,
    Thread,
)


class CommandHidden(AssertionError):
    """The user would not see this command in Discord, so they cannot invoke it."""


class Driver(Rest):
    """User actions (mixed into `FakeDiscord`)."""

    attachments: dict[str, bytes]
    port: int

    def command(self, name: str, kind: int = 1) -> dict[str, Any] | None:
        key = f"{kind}:{name}"
        return self.guild_commands.get(key) or self.commands.get(key)

    def _guild_permissions(self, user: dict[str, Any], roles: tuple[int, ...]) -> int:
        if user is ADMIN or user["id"] == ADMIN["id"]:
            return int(ALL_PERMISSIONS)
        total = EVERYONE
        for role in self.guild()["roles"]:
            if int(role["id"]) in roles:
                total |= int(role["permissions"])
        return total

    def visible(
        self, command: dict[str, Any], user: dict[str, Any], roles: tuple[int, ...]
    ) -> bool:
        """Whether Discord lists the command for this member in the server."""
        contexts = command.get("contexts")
        if contexts is not None and 0 not in contexts:
            return False
        needed = command.get("default_member_permissions")
        if needed is None:
            return True
        have = self._guild_permissions(user, roles)
        return bool(have & ADMINISTRATOR) or (have & int(needed)) == int(needed)

    def _synced(
        self, name: str, kind: int, user: dict[str, Any], roles: tuple[int, ...]
    ) -> dict[str, Any]:
        command = self.command(name, kind)
        assert command is not None, f"{name!r} was never synced: it would not exist on Discord"
        if not self.visible(command, user, roles):
            raise CommandHidden(
                f"Discord does not show {name!r} to {user['username']}: "
                f"default_member_permissions={command.get('default_member_permissions')}"
            )
        return command

    def _registered_in(self, command: dict[str, Any]) -> dict[str, Any]:
        """`data.guild_id`: set when the command was registered to the guild, not globally."""
        guild = any(c is command for c in self.guild_commands.values())
        return {"guild_id": str(GUILD_ID)} if guild else {}

    async def _interact(
        self,
        data: dict[str, Any],
        user: dict[str, Any],
        kind: int = 2,
        message: dict[str, Any] | None = None,
        roles: tuple[int, ...] = (),
        channel_id: int = CHANNEL_ID,
        bot_permissions: str | None = None,
        user_permissions: str | None = None,
        issued_ago: float = 0.0,
    ) -> InteractionRecord:
        member = self.member(user, roles)
        member["permissions"] = user_permissions or str(
            self.permissions(user["id"], channel_id, roles, implicit=False)
        )
        issued = time.time() - issued_ago
        payload: dict[str, Any] = {
            "id": self.snowflake(datetime.fromtimestamp(issued, UTC)),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{self.snowflake()}",
            "version": 1,
            "guild_id": str(GUILD_ID),
            "channel_id": str(channel_id),
            "channel": self.channel(channel_id),
            "member": member,
            "app_permissions": bot_permissions
            or str(self.bot_permissions(channel_id, implicit=False)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "attachment_size_limit": 25 * 2**20,
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 0,
            "data": data,
        }
        if message is not None:
            payload["message"] = message
        record = InteractionRecord(payload, issued_at=issued)
        self.interactions[payload["token"]] = record
        await self.dispatch("INTERACTION_CREATE", payload)  # type: ignore[attr-defined]
        return record

    async def invoke_slash(
        self,
        name: str,
        *,
        user: dict[str, Any] = MEMBER,
        subcommand: str | None = None,
        roles: tuple[int, ...] = (),
        in_channel: int = CHANNEL_ID,
        bot_permissions: str | None = None,
        user_permissions: str | None = None,
        issued_ago: float = 0.0,
        **options: Any,
    ) -> InteractionRecord:
        """Run `/name [subcommand] option:value...` as `user`, as Discord would send it.

        `issued_ago` backdates the interaction's token, to test what happens near its 15 minutes.
        """
        command = self._synced(name, 1, user, roles)
        schema = command.get("options", [])
        if subcommand is not None:
            schema = next(o for o in schema if o["name"] == subcommand).get("options", [])
        resolved: dict[str, Any] = {}
        values = []
        for key, value in options.items():
            option = next((o for o in schema if o["name"] == key), None)
            assert option is not None, f"/{name} has no option {key!r}"
            if option["type"] == 11:
                resolved.setdefault("attachments", {})[value["id"]] = value
                value = value["id"]
            elif option["type"] == 7:
                channel = self.channel(int(value))
                allowed = option.get("channel_types")
                assert allowed is None or channel["type"] in allowed, (
                    f"Discord does not offer a channel of type {channel['type']} for {key!r}"
                )
                resolved.setdefault("channels", {})[str(value)] = {
                    **channel,
                    "permissions": str(self.permissions(user["id"], int(value), roles)),
                }
                value = str(value)
            elif option["type"] == 8:
                resolved.setdefault("roles", {})[str(value)] = next(
                    r for r in self.guild()["roles"] if r["id"] == str(value)
                )
                value = str(value)
            values.append({"name": key, "type": option["type"], "value": value})
        if subcommand is not None:
            values = [{"name": subcommand, "type": 1, "options": values}]
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": values,
            "resolved": resolved,
            **self._registered_in(command),
        }
        return await self._interact(
            data,
            user,
            roles=roles,
            channel_id=in_channel,
            bot_permissions=bot_permissions,
            user_permissions=user_permissions,
            issued_ago=issued_ago,
        )

    async def invoke_message_menu(
        self,
        name: str,
        message: dict[str, Any],
        *,
        user: dict[str, Any] = MEMBER,
        bot_permissions: str | None = None,
        user_permissions: str | None = None,
    ) -> InteractionRecord:
        command = self._synced(name, 3, user, ())
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
            **self._registered_in(command),
        }
        return await self._interact(
            data,
            user,
            channel_id=int(message["channel_id"]),
            bot_permissions=bot_permissions,
            user_permissions=user_permissions,
        )

    async def click(
        self,
        record: InteractionRecord,
        custom_id: str,
        *,
        user: dict[str, Any] = MEMBER,
        message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        """Press a button of the message (the interaction's reply unless `message` is given)."""
        message = message or record.original
        assert message is not None
        buttons = [
            c["custom_id"]
            for row in message.get("components") or []
            for c in row.get("components") or []
            if "custom_id" in c and not c.get("disabled")
        ]
        assert custom_id in buttons, f"no enabled button {custom_id!r} on the message: {buttons}"
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(data, user, kind=3, message=message)

    # -- what people post ----------------------------------------------------------------------

    async def post(
        self, content: str, *, author: dict[str, Any] = MEMBER, channel_id: int = CHANNEL_ID
    ) -> dict[str, Any]:
        """A person posts a message now: it lands in the channel's history and reaches the bot
        as MESSAGE_CREATE, with `guild_id` and the partial `member` (docs/events/
        gateway-events.mdx), its text blanked unless the bot has the Message Content intent."""
        now = datetime.now(UTC)
        message = {
            **self.user_message(content, author=author),
            "id": self.snowflake(now),
            "channel_id": str(channel_id),
            "timestamp": now.isoformat(),
        }
        self.channel_messages.append(message)
        member = {k: v for k, v in self.member(author).items() if k not in ("user", "permissions")}
        event = {**self._as_the_bot_sees(message), "guild_id": str(GUILD_ID), "member": member}
        await self.dispatch("MESSAGE_CREATE", event)  # type: ignore[attr-defined]
        return message

    def add_attachment(self, filename: str, data: bytes, size: int | None = None) -> dict[str, Any]:
        attachment_id = self.snowflake()
        key = f"{attachment_id}-{filename}"
        self.attachments[key] = data
        url = f"http://127.0.0.1:{self.port}/cdn/{key}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": size or len(data),
            "url": url,
            "proxy_url": url,
            "content_type": "application/octet-stream",
        }

    def chat_message(
        self,
        content: str,
        *,
        author: dict[str, Any],
        channel_id: int,
        at: datetime,
        reply_to: dict[str, Any] | None = None,
        reply_to_deleted: bool = False,
        embeds: int = 0,
        kind: int = 0,
        message_id: str | None = None,
    ) -> dict[str, Any]:
        """A message people posted, stored in the channel's history (GET .../messages)."""
        message = {
            **self.user_message(content, author=author),
            "id": message_id or self.snowflake(at),
            "channel_id": str(channel_id),
            "type": kind,
            "timestamp": at.isoformat(),
            "embeds": [{"type": "rich", "title": "A preview"} for _ in range(embeds)],
        }
        if reply_to is not None or reply_to_deleted:
            message["type"] = 19
            message["message_reference"] = {
                "type": 0,
                "message_id": reply_to["id"] if reply_to else self.snowflake(),
                "channel_id": str(channel_id),
                "guild_id": str(GUILD_ID),
            }
            message["referenced_message"] = reply_to
        self.channel_messages.append(message)
        return message

    def start_thread_from(self, message: dict[str, Any], name: str) -> int:
        """A thread started from a message: same id as the message, and its first message is a
        type-21 starter with no content that refers to the message in the parent channel."""
        thread_id = int(message["id"])
        parent = int(message["channel_id"])
        self.threads[thread_id] = Thread(name, parent, message["author"]["id"])
        starter = {
            **self.user_message("", author=message["author"]),
            "id": message["id"],
            "channel_id": str(thread_id),
            "type": 21,
            "timestamp": message["timestamp"],
            "message_reference": {
                "type": 0,
                "message_id": message["id"],
                "channel_id": str(parent),
                "guild_id": str(GUILD_ID),
            },
            "referenced_message": message,
        }
        self.channel_messages.append(starter)
        return thread_id

    def forward(
        self, message: dict[str, Any], *, author: dict[str, Any], channel_id: int, at: datetime
    ) -> dict[str, Any]:
        """A forwarded message: empty content, the original in `message_snapshots`."""
        forwarded = {
            **self.user_message("", author=author),
            "id": self.snowflake(at),
            "channel_id": str(channel_id),
            "timestamp": at.isoformat(),
            "message_reference": {
                "type": 1,
                "message_id": message["id"],
                "channel_id": message["channel_id"],
                "guild_id": str(GUILD_ID),
            },
            "message_snapshots": [
                {
                    "message": {
                        "type": message["type"],
                        "content": message["content"],
                        "embeds": message["embeds"],
                        "attachments": message["attachments"],
                        "timestamp": message["timestamp"],
                        "edited_timestamp": None,
                        "flags": 0,
                        "mentions": [],
                        "mention_roles": [],
                        "components": [],
                    }
                }
            ],
        }
        self.channel_messages.append(forwarded)
        return forwarded
