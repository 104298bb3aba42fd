"""A local stand-in for Discord: REST API v10, the gateway websocket, and a CDN, on 127.0.0.1.

The unmodified discord.py client talks to it over real sockets once `Route.BASE` and the default
gateway URL point here (see `fixtures.py`). It keeps what a user would see: the deferred reply, its
edits, followups, channel messages, and every request body (so tests can check
`allowed_mentions`). A request it does not know is answered 404 and recorded in `unhandled`, which
fails the test: a gap in the stand-in never passes silently.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import WSMsgType, web

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
ALL_PERMISSIONS = str((1 << 41) - 1)
MEMBER_PERMISSIONS = str(0x400 | 0x800 | 0x4000 | 0x10000)  # view, send, embed, history
NEWS_ID = CHANNEL_ID + 1
READONLY_ID = CHANNEL_ID + 2
"""A channel where @everyone, the bot included, may not send messages."""
EDITOR_ROLE_ID = GUILD_ID + 5
MESSAGE_CONTENT = 1 << 15
"""The privileged intent bit."""
THREAD_ID = CHANNEL_ID + 10
"""A thread under #general."""
FORUM_ID = CHANNEL_ID + 20
FORUM_POST_ID = CHANNEL_ID + 21
"""A post (a thread) in the forum channel; its starter message has the same id."""


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py compares Content-Type with "==": no charset suffix.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


@dataclass
class Recorded:
    method: str
    path: str
    body: Any


@dataclass
class InteractionRecord:
    """One interaction, as the invoking user sees it."""

    payload: dict[str, Any]
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None
    original_edits: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def ephemeral(self) -> bool:
        return bool(self.original and self.original.get("flags", 0) & 64)


class FakeDiscord:
    def __init__(self, heartbeat_interval: float = 41.25) -> None:
        self.heartbeat_interval = heartbeat_interval
        self.requests: list[Recorded] = []
        self.unhandled: list[str] = []
        self.commands: dict[str, dict[str, Any]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.channel_messages: list[dict[str, Any]] = []
        self.attachments: dict[str, bytes] = {}
        self.heartbeats: list[float] = []
        self.changed = asyncio.Condition()
        self.rate_limits: list[tuple[str, str, float]] = []
        self.rate_limited: list[str] = []
        self.resumes = 0
        self.identifies = 0
        self.intents = 0
        """The intents the bot identified with: without Message Content, text is withheld."""
        self.on_channel_post: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        """Called with each channel message once it exists, before the bot has the answer."""
        self.refuse_channels: set[int] = set()
        self.hidden_channels: set[int] = set()
        """Channels whose history the bot is refused (403 Missing Access)."""
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{name}", self._cdn)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self, at: datetime | None = None) -> str:
        """An id as Discord makes them: the creation time (now, or `at`) in its top bits."""
        millis = int((at.timestamp() if at is not None else time.time()) * 1000)
        return str((millis - 1420070400000) << 22 | next(self._ids))

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], within: float = 30.0) -> Any:
        """Wait until `predicate()` is truthy; re-checked on every request and every 10 ms."""
        deadline = time.monotonic() + within
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the bot did not do what the test waited for")
            async with self.changed:
                try:
                    await asyncio.wait_for(self.changed.wait(), min(0.01, remaining))
                except TimeoutError:
                    pass

    # -- gateway -------------------------------------------------------------------------------

    async def _send(self, op: int, data: Any, event: str | None = None) -> None:
        assert self._ws is not None
        frame: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
        if op == 0:
            frame["s"] = next(self._seq)
        await self._ws.send_str(json.dumps(frame))

    async def dispatch(self, event: str, data: Any) -> None:
        await self._send(0, data, event)

    def channels(self) -> list[dict[str, Any]]:
        def text_channel(channel_id: int, name: str, position: int) -> dict[str, Any]:
            return {
                "id": str(channel_id),
                "type": 0,
                "name": name,
                "position": position,
                "permission_overwrites": [],
                "guild_id": str(GUILD_ID),
            }

        readonly = text_channel(READONLY_ID, "rules", 2)
        readonly["permission_overwrites"] = [
            {"id": str(GUILD_ID), "type": 0, "allow": "0", "deny": str(0x800)}
        ]
        forum = {**text_channel(FORUM_ID, "ideas", 3), "type": 15, "available_tags": []}
        return [
            text_channel(CHANNEL_ID, "general", 0),
            text_channel(NEWS_ID, "news", 1),
            readonly,
            forum,
        ]

    def channel(self, channel_id: int) -> dict[str, Any]:
        """The channel object an interaction carries: a text channel, a thread or a forum post."""
        threads = {THREAD_ID: ("Tram vote", CHANNEL_ID), FORUM_POST_ID: ("Night buses?", FORUM_ID)}
        if channel_id in threads:
            name, parent = threads[channel_id]
            return {
                "id": str(channel_id),
                "type": 11,
                "guild_id": str(GUILD_ID),
                "name": name,
                "parent_id": str(parent),
                "owner_id": ADMIN["id"],
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
                "message_id": reply_to["id"] if reply_to else self.snowflake(),
                "channel_id": str(channel_id),
                "guild_id": str(GUILD_ID),
            }
            message["referenced_message"] = reply_to
        self.channel_messages.append(message)
        return message

    def guild(self) -> dict[str, Any]:
        return {
            "id": str(GUILD_ID),
            "name": "Test Server",
            "owner_id": ADMIN["id"],
            "icon": None,
            "roles": [
                {
                    "id": str(GUILD_ID),
                    "name": "@everyone",
                    "permissions": MEMBER_PERMISSIONS,
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                },
                {
                    "id": str(EDITOR_ROLE_ID),
                    "name": "digest editors",
                    "permissions": "0",
                    "position": 1,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                },
            ],
            "channels": self.channels(),
            "threads": [],
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
            "features": [],
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

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await self._send(10, {"heartbeat_interval": int(self.heartbeat_interval * 1000)})
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(message.data)
            op = frame["op"]
            if op == 1:
                self.heartbeats.append(time.monotonic())
                await self._send(11, None)
            elif op == 2:
                self.identifies += 1
                self.intents = int(frame["d"].get("intents", 0))
                await self.dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": BOT_USER,
                        "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                        "session_id": "fake-session",
                        "resume_gateway_url": self.gateway_url,
                        "application": {"id": str(APP_ID), "flags": 0},
                    },
                )
                await self.dispatch("GUILD_CREATE", self.guild())
            elif op == 6:
                self.resumes += 1
                await self.dispatch("RESUMED", {})
            await self._notify()
        return ws

    def rate_limit_next(self, method: str, path_fragment: str, retry_after: float = 0.3) -> None:
        """Answer the next matching request with 429 and Retry-After, as Discord does."""
        self.rate_limits.append((method, path_fragment, retry_after))

    async def reconnect(self) -> None:
        """Ask the client to reconnect (op 7): it must come back and RESUME its session."""
        await self._send(7, None)

    # -- CDN -----------------------------------------------------------------------------------

    async def _cdn(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.attachments:
            return web.Response(status=404)
        return web.Response(body=self.attachments[name])

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

    # -- REST ----------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> Any:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            body: Any = None
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
            return body
        if request.can_read_body:
            return await request.json()
        return None

    def _message(
        self,
        body: dict[str, Any],
        *,
        channel_id: int = CHANNEL_ID,
        message_id: str | None = None,
        flags: int = 0,
    ) -> dict[str, Any]:
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

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await self._body(request)
        self.requests.append(Recorded(request.method, path, body))
        for rule in self.rate_limits:
            method, fragment, retry_after = rule
            if request.method == method and fragment in path:
                self.rate_limits.remove(rule)
                self.rate_limited.append(f"{request.method} {path}")
                await self._notify()
                return web.Response(
                    status=429,
                    body=json.dumps(
                        {
                            "message": "You are being rate limited.",
                            "retry_after": retry_after,
                            "global": False,
                        }
                    ).encode(),
                    headers={
                        "Content-Type": "application/json",
                        "Via": "1.1 google",
                        "Retry-After": str(retry_after),
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": str(retry_after),
                        "X-RateLimit-Bucket": "fake",
                        "X-RateLimit-Scope": "user",
                    },
                )
        try:
            response = await self._route(request.method, path.split("/")[1:], body, request)
        finally:
            await self._notify()
        if response is None:
            self.unhandled.append(f"{request.method} {path}")
            return _json({"message": "404: Not Found", "code": 0}, 404)
        return response

    async def _route(
        self, method: str, parts: list[str], body: Any, request: web.Request
    ) -> web.Response | None:
        if (
            parts[:1]
            != [
                "interactions",
            ]
            and parts[:1] != ["webhooks"]
            and (request.headers.get("Authorization") != f"Bot {TOKEN}")
        ):
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        match method, parts:
            case "GET", ["users", "@me"]:
                return _json(BOT_USER)
            case "GET", ["oauth2", "applications", "@me"]:
                return _json(
                    {
                        "id": str(APP_ID),
                        "name": "ThreadBrief",
                        "description": "",
                        "icon": None,
                        "bot_public": True,
                        "bot_require_code_grant": False,
                        "owner": ADMIN,
                        "verify_key": "0" * 64,
                        "flags": 0,
                        "interactions_endpoint_url": None,
                    }
                )
            case "PUT", ["applications", _, "commands"] | [
                "applications",
                _,
                "guilds",
                _,
                "commands",
            ]:
                echoed = []
                for command in body:
                    stored = {
                        "description": "",
                        "options": [],
                        **command,
                        "id": self.snowflake(),
                        "application_id": str(APP_ID),
                        "version": "1",
                    }
                    self.commands[f"{command.get('type', 1)}:{command['name']}"] = stored
                    echoed.append(stored)
                return _json(echoed)
            case "POST", ["interactions", _, token, "callback"]:
                return self._callback(token, body)
            case "POST", ["webhooks", _, token]:
                return self._followup(token, body)
            case (("GET" | "PATCH" | "DELETE"), ["webhooks", _, token, "messages", message_id]):
                return self._webhook_message(method, token, message_id, body)
            case "POST", ["channels", channel_id, "messages"]:
                if int(channel_id) in self.refuse_channels:
                    return _json({"message": "Missing Permissions", "code": 50013}, 403)
                message = self._message(body, channel_id=int(channel_id))
                self.channel_messages.append({**message, "_request": body})
                if self.on_channel_post is not None:
                    await self.on_channel_post(message)
                return _json(message)
            case "GET", ["channels", channel_id, "messages"]:
                if int(channel_id) in self.hidden_channels:
                    return _json({"message": "Missing Access", "code": 50001}, 403)
                return _json(self._history(int(channel_id), request.query))
            case "POST", ["channels", _, "typing"]:
                return web.Response(status=204)
        return None

    def _history(self, channel_id: int, query: Any) -> list[dict[str, Any]]:
        """GET /channels/{id}/messages: newest first, paged with before/after and limit."""
        limit = min(100, int(query.get("limit", 50)))
        messages = [
            self._as_the_bot_sees(m)
            for m in self.channel_messages
            if m["channel_id"] == str(channel_id)
        ]
        messages.sort(key=lambda m: int(m["id"]), reverse=True)
        if "before" in query:
            messages = [m for m in messages if int(m["id"]) < int(query["before"])]
        if "after" in query:
            messages = [m for m in messages if int(m["id"]) > int(query["after"])]
            return messages[-limit:]
        return messages[:limit]

    def _as_the_bot_sees(self, message: dict[str, Any]) -> dict[str, Any]:
        """Without the Message Content intent, Discord blanks the text, embeds and attachments of
        messages that are not the bot's own and do not mention it."""
        shown = {k: v for k, v in message.items() if not k.startswith("_")}
        mentioned = any(u.get("id") == BOT_USER["id"] for u in message.get("mentions", []))
        if self.intents & MESSAGE_CONTENT or message["author"]["id"] == BOT_USER["id"] or mentioned:
            return shown
        return {**shown, "content": "", "embeds": [], "attachments": [], "components": []}

    def _callback(self, token: str, body: dict[str, Any]) -> web.Response:
        record = self.interactions.get(token)
        if record is None:
            return _json({"message": "Unknown interaction", "code": 10062}, 404)
        if record.callbacks and body["type"] in (4, 5):
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        record.callbacks.append(body)
        data = body.get("data") or {}
        kind = body["type"]
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) | (128 if kind == 5 else 0)
            record.original = self._message(data, flags=flags)
        elif kind == 7 and record.original is not None:
            record.original = {
                **record.original,
                **self._message(data, message_id=record.original["id"]),
            }
        message = record.original or self._message({})
        return _json(
            {
                "interaction": {
                    "id": record.payload["id"],
                    "type": record.payload["type"],
                    "response_message_id": message["id"],
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(message["flags"] & 64),
                },
                "resource": {"type": kind, "message": message},
            }
        )

    def _followup(self, token: str, body: dict[str, Any]) -> web.Response:
        record = self.interactions.get(token)
        if record is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, 404)
        if record.original is not None and record.original["flags"] & 128 and not record.deleted:
            # The first followup after a deferred "thinking" reply replaces it, keeping the
            # deferral's visibility.
            keep = record.original["flags"] & 64
            record.original = {
                **self._message(body, message_id=record.original["id"]),
                "flags": keep,
            }
            return _json(record.original)
        message = self._message(body)
        record.followups.append({**message, "_request": body})
        return _json(message)

    def _webhook_message(self, method: str, token: str, message_id: str, body: Any) -> web.Response:
        record = self.interactions.get(token)
        if record is None or record.original is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        if method == "DELETE":
            record.deleted = True
            return web.Response(status=204)
        if method == "PATCH":
            flags = record.original["flags"] & ~128
            merged = {**record.original, **{k: v for k, v in body.items() if v is not None}}
            record.original = {
                **self._message(merged, message_id=record.original["id"]),
                "flags": flags,
            }
            record.original_edits.append(body)
        return _json(record.original)

    # -- scenarios -----------------------------------------------------------------------------

    def _member(self, user: dict[str, Any], roles: tuple[int, ...] = ()) -> dict[str, Any]:
        permissions = ALL_PERMISSIONS if user is ADMIN else MEMBER_PERMISSIONS
        return {
            "user": user,
            "roles": [str(r) for r in roles],
            "flags": 0,
            "permissions": permissions,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
        }

    async def _interact(
        self,
        data: dict[str, Any],
        user: dict[str, Any],
        kind: int = 2,
        message: dict[str, Any] | None = None,
        roles: tuple[int, ...] = (),
        channel_id: int = CHANNEL_ID,
        bot_permissions: str = MEMBER_PERMISSIONS,
        user_permissions: str | None = None,
    ) -> InteractionRecord:
        member = self._member(user, roles)
        if user_permissions is not None:
            member["permissions"] = user_permissions
        payload: dict[str, Any] = {
            "id": self.snowflake(),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{self.snowflake()}",
            "version": 1,
            "guild_id": str(GUILD_ID),
            "channel_id": str(channel_id),
            "channel": self.channel(channel_id),
            "member": member,
            "app_permissions": bot_permissions,
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
        record = InteractionRecord(payload)
        self.interactions[payload["token"]] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def invoke_slash(
        self,
        name: str,
        *,
        user: dict[str, Any] = MEMBER,
        subcommand: str | None = None,
        roles: tuple[int, ...] = (),
        in_channel: int = CHANNEL_ID,
        bot_permissions: str = MEMBER_PERMISSIONS,
        user_permissions: str | None = None,
        **options: Any,
    ) -> InteractionRecord:
        command = self.commands.get(f"1:{name}")
        assert command is not None, f"/{name} was never synced: it would not exist on Discord"
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
                channel = next(c for c in self.channels() if c["id"] == str(value))
                permissions = ALL_PERMISSIONS if user is ADMIN else MEMBER_PERMISSIONS
                resolved.setdefault("channels", {})[str(value)] = {
                    **channel,
                    "permissions": permissions,
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
        }
        return await self._interact(
            data,
            user,
            roles=roles,
            channel_id=in_channel,
            bot_permissions=bot_permissions,
            user_permissions=user_permissions,
        )

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

    async def invoke_message_menu(
        self,
        name: str,
        message: dict[str, Any],
        *,
        user: dict[str, Any] = MEMBER,
        bot_permissions: str = MEMBER_PERMISSIONS,
        user_permissions: str | None = None,
    ) -> InteractionRecord:
        command = self.commands.get(f"3:{name}")
        assert command is not None, f"menu {name!r} was never synced"
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        return await self._interact(
            data,
            user,
            channel_id=int(message["channel_id"]),
            bot_permissions=bot_permissions,
            user_permissions=user_permissions,
        )

    async def click(
        self, record: InteractionRecord, custom_id: str, *, user: dict[str, Any] = MEMBER
    ) -> InteractionRecord:
        assert record.original is not None
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(data, user, kind=3, message=record.original)
