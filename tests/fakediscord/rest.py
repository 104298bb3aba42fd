"""The REST API v10 routes the bot uses, answering as Discord does, refusals included.

Every body is validated (`validation.py`) before it changes anything: an over-limit payload gets
400 with code 50035 and the field path, as Discord answers. Interactions keep their deadlines
(docs/interactions/receiving-and-responding.md): the initial response within 3 seconds of the
dispatch, or 10062 Unknown interaction; the token works for 15 minutes, then 50027 Invalid
Webhook Token. History follows the channel's permissions: no View Channel is 403 Missing Access,
no Read Message History is an empty list, as the API reference says for Get Channel Messages.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakediscord.validation import (
    FormErrors,
    autocomplete_errors,
    command_errors,
    invalid_form_body,
    is_empty,
    message_errors,
    thread_errors,
)
from tests.fakediscord.world import (
    ADMIN,
    APP_ID,
    BOT_USER,
    GUILD_ID,
    MANAGE_MESSAGES,
    MEMBER,
    MESSAGE_CONTENT,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    TOKEN,
    VIEW_CHANNEL,
    Thread,
    World,
)

INITIAL_RESPONSE_DEADLINE = 3.0
"""Seconds Discord waits for an interaction's first response."""
TOKEN_LIFETIME = 15 * 60.0
"""Seconds an interaction token stays valid for followups and edits."""
NONCE_WINDOW = 5 * 60.0
"""Seconds an `enforce_nonce` post finds an earlier one with its nonce ("the past few minutes")."""


def json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py compares Content-Type with "==": no charset suffix.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"message": message, "code": code}, status)


def form_error(errors: FormErrors) -> web.Response:
    return json_response(invalid_form_body(errors), 400)


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    status: int = 0
    """The status the stand-in answered."""
    answer: Any = None


@dataclass
class InteractionRecord:
    """One interaction, as the invoking user sees it."""

    payload: dict[str, Any]
    dispatched_at: float = field(default_factory=time.monotonic)
    issued_at: float = field(default_factory=time.time)
    """When Discord made the token (epoch seconds); it dies TOKEN_LIFETIME later."""
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None
    original_edits: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    """Error bodies the stand-in answered for this interaction (expired, invalid...)."""
    deleted: bool = False

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def ephemeral(self) -> bool:
        return bool(self.original and self.original.get("flags", 0) & 64)

    @property
    def expired(self) -> bool:
        return time.time() - self.issued_at > TOKEN_LIFETIME


class Rest(World):
    """The REST half of the stand-in (mixed into `FakeDiscord`)."""

    def _init_rest(self) -> None:
        self.requests: list[Recorded] = []
        self.unhandled: list[str] = []
        self.rejected: list[Recorded] = []
        """Requests answered 4xx for a payload or permission problem: what Discord refused."""
        self.deprecated: list[str] = []
        """Requests that rely on a documented, deprecated compatibility path."""
        self.commands: dict[str, dict[str, Any]] = {}
        """Global commands, keyed "type:name"."""
        self.guild_commands: dict[str, dict[str, Any]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.rate_limits: list[tuple[str, str, float]] = []
        self.rate_limited: list[str] = []
        self.refuse_channels: set[int] = set()
        self.hidden_channels: set[int] = set()
        """Channels whose history the bot is refused (403 Missing Access)."""
        self.blocked_words: set[str] = set()
        """AutoMod: messages containing one of these are refused (400, code 200000)."""
        self.published: list[str] = []
        """Ids of announcement messages the bot published (crossposted)."""
        self.deduplicated: list[str] = []
        """Nonces of posts answered with the earlier message of that nonce (enforce_nonce)."""
        self.member_lookups = 0
        self.token_valid = True
        """False: every authorised request is 401, as for a reset or mistyped token."""
        self.on_channel_post: Any = None

    def rate_limit_next(self, method: str, path_fragment: str, retry_after: float = 0.3) -> None:
        """Answer the next matching request with 429 and Retry-After, as Discord does."""
        self.rate_limits.append((method, path_fragment, retry_after))

    async def _body(self, request: web.Request) -> tuple[Any, int]:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            body: Any = None
            files = 0
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files += 1
                    await part.read()  # type: ignore[union-attr]
            return body, files
        if request.can_read_body:
            return await request.json(), 0
        return None, 0

    def _rate_limited(self, method: str, path: str) -> web.Response | None:
        for rule in self.rate_limits:
            rule_method, fragment, retry_after = rule
            if method == rule_method and fragment in path:
                self.rate_limits.remove(rule)
                self.rate_limited.append(f"{method} {path}")
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
        return None

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._body(request)
        recorded = Recorded(request.method, path, body)
        self.requests.append(recorded)
        response = self._rate_limited(request.method, path)
        try:
            if response is None:
                response = await self._route(
                    request.method, path.split("/")[1:], body, files, request
                )
        finally:
            await self._notify()  # type: ignore[attr-defined]
        if response is None:
            self.unhandled.append(f"{request.method} {path}")
            return error(404, 0, "404: Not Found")
        recorded.status = response.status
        if 400 <= response.status < 500 and response.status not in (401, 429):
            assert isinstance(response.body, bytes)
            recorded.answer = json.loads(response.body)
            self.rejected.append(recorded)
        return response

    async def _route(
        self, method: str, parts: list[str], body: Any, files: int, request: web.Request
    ) -> web.Response | None:
        if parts[:1] not in (["interactions"], ["webhooks"]) and (
            request.headers.get("Authorization") != f"Bot {TOKEN}" or not self.token_valid
        ):
            return error(401, 0, "401: Unauthorized")
        match method, parts:
            case "GET", ["users", "@me"]:
                return json_response(BOT_USER)
            case "GET", ["oauth2", "applications", "@me"]:
                return json_response(
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
            case "GET", ["applications", _, "commands"]:
                return json_response(list(self.commands.values()))
            case "GET", ["applications", _, "guilds", _, "commands"]:
                return json_response(list(self.guild_commands.values()))
            case "PUT", ["applications", _, "commands"]:
                return self._overwrite_commands(self.commands, body)
            case "PUT", ["applications", _, "guilds", _, "commands"]:
                return self._overwrite_commands(self.guild_commands, body)
            case "POST", ["interactions", _, token, "callback"]:
                return self._callback(token, body)
            case "POST", ["webhooks", _, token]:
                return self._followup(token, body, files)
            case (("GET" | "PATCH" | "DELETE"), ["webhooks", _, token, "messages", message_id]):
                return self._webhook_message(method, token, message_id, body)
            case "GET", ["channels", channel_id]:
                return self._get_channel(int(channel_id))
            case "POST", ["channels", channel_id, "messages"]:
                return await self._post_message(int(channel_id), body, files)
            case "POST", ["channels", channel_id, "threads"]:
                return await self._start_forum_post(int(channel_id), body, files)
            case "POST", ["channels", channel_id, "messages", message_id, "crosspost"]:
                return self._crosspost(int(channel_id), message_id)
            case "GET", ["channels", channel_id, "messages"]:
                return self._get_history(int(channel_id), request.query)
            case "POST", ["channels", _, "typing"]:
                return web.Response(status=204)
            case "GET", ["guilds", guild_id]:
                if guild_id != str(GUILD_ID):
                    return error(404, 10004, "Unknown Guild")
                return json_response(self.guild_resource())
            case "GET", ["guilds", guild_id, "threads", "active"]:
                if guild_id != str(GUILD_ID):
                    return error(404, 10004, "Unknown Guild")
                return json_response(self._active_threads())
            case "GET", ["guilds", _, "members", user_id]:
                self.member_lookups += 1
                return self._get_member(user_id)
        return None

    # -- channels and the guild, as REST shows them ----------------------------------------

    def _get_channel(self, channel_id: int) -> web.Response:
        """Get Channel: the full object, a guild channel's permission overwrites included (the
        one a REST-only client computes permissions from); 403 for a channel the bot cannot see."""
        if not self.has_channel(channel_id):
            return error(404, 10003, "Unknown Channel")
        if not self.bot_permissions(channel_id, implicit=False) & VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        if self.is_thread(channel_id):
            return json_response(self.channel(channel_id))
        return json_response(next(c for c in self.channels() if c["id"] == str(channel_id)))

    def _active_threads(self) -> dict[str, Any]:
        """List Active Guild Threads: every thread not archived, newest first, and a thread
        member object for each one the bot has joined (those it started)."""
        ids = sorted(self.threads, reverse=True)
        threads = [self.channel(t) for t in ids]
        members = [
            {
                "id": str(t),
                "user_id": BOT_USER["id"],
                "join_timestamp": "2026-01-01T00:00:00+00:00",
                "flags": 1,
            }
            for t in ids
            if self.threads[t].owner_id == BOT_USER["id"]
        ]
        return {"threads": threads, "members": members}

    # -- commands ------------------------------------------------------------------------------

    def _overwrite_commands(self, store: dict[str, dict[str, Any]], body: Any) -> web.Response:
        errors = command_errors(body)
        if errors:
            return form_error(errors)
        store.clear()
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
            store[f"{command.get('type', 1)}:{command['name']}"] = stored
            echoed.append(stored)
        return json_response(echoed)

    # -- channel messages ----------------------------------------------------------------------

    def _send_refusal(self, channel_id: int, body: Any, files: int) -> web.Response | None:
        errors = message_errors(body, files=files)
        if errors:
            return form_error(errors)
        if is_empty(body, files):
            return error(400, 50006, "Cannot send an empty message")
        kind = self.channel_type(channel_id)
        if kind in (4, 13, 15, 16):
            return error(400, 50008, "Cannot send messages in a non-text channel")
        allowed = self.bot_permissions(channel_id)
        if not allowed & VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        needed = SEND_MESSAGES_IN_THREADS if self.is_thread(channel_id) else SEND_MESSAGES
        if not allowed & needed or channel_id in self.refuse_channels:
            return error(403, 50013, "Missing Permissions")
        text = json.dumps(body).lower()
        if any(word.lower() in text for word in self.blocked_words):
            return error(400, 200000, "Message was blocked by automatic moderation")
        return None

    async def _post_message(self, channel_id: int, body: Any, files: int) -> web.Response:
        """Create Message (docs/resources/message.mdx): a reply needs Read Message History and
        a message to refer to, unless `fail_if_not_exists` is false (then it is a plain
        message); with `enforce_nonce`, a nonce the bot used in the past few minutes returns
        that message and creates none."""
        if not self.has_channel(channel_id):
            return error(404, 10003, "Unknown Channel")
        refusal = self._send_refusal(channel_id, body, files)
        if refusal is not None:
            return refusal
        earlier = self._same_nonce(body)
        if earlier is not None:
            self.deduplicated.append(str(body["nonce"]))
            return json_response({k: v for k, v in earlier.items() if not k.startswith("_")})
        message = self.bot_message(body, channel_id=channel_id)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        reference = body.get("message_reference")
        if reference is not None and reference.get("type", 0) == 0:
            if not self.bot_permissions(channel_id) & READ_MESSAGE_HISTORY:
                return error(403, 50013, "Missing Permissions")
            replied = next(
                (
                    m
                    for m in self.channel_messages
                    if m["id"] == str(reference["message_id"])
                    and m["channel_id"] == str(channel_id)
                ),
                None,
            )
            if replied is None and reference.get("fail_if_not_exists", True):
                errors = FormErrors()
                errors.add(
                    ("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                )
                return form_error(errors)
            if replied is not None:
                message.update(self._reply_fields(replied, body))
        return await self._store_post(message, body)

    def _same_nonce(self, body: dict[str, Any]) -> dict[str, Any] | None:
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        recent = time.monotonic() - NONCE_WINDOW
        return next(
            (
                m
                for m in self.channel_messages
                if m["author"]["id"] == BOT_USER["id"]
                and str(m.get("nonce")) == str(nonce)
                and m.get("_at", 0.0) >= recent
            ),
            None,
        )

    def _reply_fields(self, replied: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """A reply's type, reference and mentions: its author is pinged unless
        `allowed_mentions` is sent without `replied_user` true."""
        mentions = body.get("allowed_mentions")
        pinged = mentions is None or bool(mentions.get("replied_user"))
        return {
            "type": 19,
            "message_reference": {
                "type": 0,
                "message_id": replied["id"],
                "channel_id": replied["channel_id"],
                "guild_id": str(GUILD_ID),
            },
            "referenced_message": self._as_the_bot_sees(replied),
            "mentions": [replied["author"]] if pinged else [],
        }

    async def _store_post(self, message: dict[str, Any], body: Any) -> web.Response:
        self.channel_messages.append({**message, "_request": body, "_at": time.monotonic()})
        if self.on_channel_post is not None:
            await self.on_channel_post(message)
        return json_response(message)

    async def _start_forum_post(self, channel_id: int, body: Any, files: int) -> web.Response:
        """Start Thread in Forum or Media Channel: a new post, its first message the body's."""
        if not self.has_channel(channel_id):
            return error(404, 10003, "Unknown Channel")
        if self.channel_type(channel_id) not in (15, 16):
            return error(400, 50024, "Cannot execute action on this channel type")
        errors = thread_errors(body)
        if errors:
            return form_error(errors)
        if is_empty(body["message"], files):
            return error(400, 50006, "Cannot send an empty message")
        allowed = self.bot_permissions(channel_id)
        if not allowed & VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        if not allowed & SEND_MESSAGES:  # "Create Posts" is Send Messages in a forum
            return error(403, 50013, "Missing Permissions")
        known = {t["id"] for t in self.forum_tags}
        tags = [str(t) for t in body.get("applied_tags") or []]
        if any(t not in known for t in tags):
            errors = FormErrors()
            errors.add(("applied_tags",), "BASE_TYPE_CHOICES", "Unknown tag.")
            return form_error(errors)
        thread_id = int(self.snowflake())
        self.threads[thread_id] = Thread(body["name"], channel_id, BOT_USER["id"])
        message = self.bot_message(body["message"], channel_id=thread_id, message_id=str(thread_id))
        await self._store_post(message, body["message"])
        thread = {**self.channel(thread_id), "applied_tags": tags}
        if self._ws is not None:  # type: ignore[attr-defined]  # events go to a connected gateway
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})  # type: ignore[attr-defined]
        return json_response({**thread, "message": message})

    def _crosspost(self, channel_id: int, message_id: str) -> web.Response:
        if self.channel_type(channel_id) != 5:
            return error(400, 50068, "Invalid message type for this operation")
        message = next((m for m in self.channel_messages if m["id"] == message_id), None)
        if message is None:
            return error(404, 10008, "Unknown Message")
        own = message["author"]["id"] == BOT_USER["id"]
        allowed = self.bot_permissions(channel_id)
        if not allowed & SEND_MESSAGES or not (own or allowed & MANAGE_MESSAGES):
            return error(403, 50013, "Missing Permissions")
        if message_id in self.published:
            return error(400, 40033, "This message has already been crossposted.")
        self.published.append(message_id)
        message["flags"] = int(message.get("flags") or 0) | 1
        shown = {k: v for k, v in message.items() if not k.startswith("_")}
        return json_response(shown)

    def _get_history(self, channel_id: int, query: Any) -> web.Response:
        if not self.has_channel(channel_id):
            return error(404, 10003, "Unknown Channel")
        allowed = self.bot_permissions(channel_id)
        if channel_id in self.hidden_channels or not allowed & VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        if not allowed & READ_MESSAGE_HISTORY:
            return json_response([])  # documented: no error, just no messages
        return json_response(self._history(channel_id, query))

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
        messages that are not the bot's own and do not mention it (snapshots and the parent of a
        thread starter included)."""
        shown = {k: v for k, v in message.items() if not k.startswith("_")}
        mentioned = any(u.get("id") == BOT_USER["id"] for u in message.get("mentions", []))
        if self.intents & MESSAGE_CONTENT or message["author"]["id"] == BOT_USER["id"] or mentioned:  # type: ignore[attr-defined]
            return shown
        blank = {"content": "", "embeds": [], "attachments": [], "components": []}
        shown = {**shown, **blank}
        if shown.get("referenced_message") and shown["type"] == 21:
            shown["referenced_message"] = {**shown["referenced_message"], **blank}
        if shown.get("message_snapshots"):
            shown["message_snapshots"] = [
                {"message": {**s["message"], **blank}} for s in shown["message_snapshots"]
            ]
        return shown

    def _get_member(self, user_id: str) -> web.Response:
        known = {u["id"]: u for u in (ADMIN, MEMBER, BOT_USER)}
        user = known.get(user_id)
        if user is None:
            return error(404, 10007, "Unknown Member")
        return json_response(self.member(user))

    # -- interactions --------------------------------------------------------------------------

    def _callback(self, token: str, body: dict[str, Any]) -> web.Response:
        record = self.interactions.get(token)
        late = record is not None and (
            time.monotonic() - record.dispatched_at > INITIAL_RESPONSE_DEADLINE
        )
        if record is None or (late and not record.callbacks):
            if record is not None:
                record.refused.append({"code": 10062})
            return error(404, 10062, "Unknown interaction")
        if record.callbacks:
            return error(400, 40060, "Interaction has already been acknowledged.")
        kind = body.get("type")
        data = body.get("data") or {}
        if kind in (4, 7):
            errors = message_errors(data)
            if errors:
                nested = FormErrors()
                nested.tree = {"data": errors.tree}
                record.refused.append(invalid_form_body(nested))
                return form_error(nested)
            if kind == 4 and is_empty(data):
                return error(400, 50006, "Cannot send an empty message")
        if kind == 8:
            errors = autocomplete_errors(data)
            if errors:
                return form_error(errors)
        record.callbacks.append(body)
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) | (128 if kind == 5 else 0)
            record.original = self.bot_message(data, flags=flags)
        elif kind == 7 and record.original is not None:
            record.original = {
                **record.original,
                **self.bot_message(data, message_id=record.original["id"]),
            }
        message = record.original or self.bot_message({})
        return json_response(
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

    def _token_refusal(self, record: InteractionRecord | None, unknown: int) -> web.Response | None:
        if record is None:
            return error(404, unknown, "Unknown Webhook" if unknown == 10015 else "Unknown Message")
        if record.expired:
            record.refused.append({"code": 50027})
            return error(401, 50027, "Invalid Webhook Token")
        return None

    def _followup(self, token: str, body: dict[str, Any], files: int) -> web.Response:
        record = self.interactions.get(token)
        if (refusal := self._token_refusal(record, 10015)) is not None:
            return refusal
        assert record is not None
        errors = message_errors(body, files=files)
        if errors:
            record.refused.append(invalid_form_body(errors))
            return form_error(errors)
        if is_empty(body, files):
            return error(400, 50006, "Cannot send an empty message")
        if record.original is not None and record.original["flags"] & 128 and not record.deleted:
            # The first followup after a deferred "thinking" reply replaces it, keeping the
            # deferral's visibility: documented, but kept for compatibility only (edit the
            # original response instead).
            self.deprecated.append(
                f"POST /webhooks/{{application_id}}/{{token}} on a deferred reply "
                f"({record.payload['data'].get('name')})"
            )
            keep = record.original["flags"] & 64
            record.original = {
                **self.bot_message(body, message_id=record.original["id"]),
                "flags": keep,
            }
            return json_response(record.original)
        message = self.bot_message(body)
        record.followups.append({**message, "_request": body})
        return json_response(message)

    def _webhook_message(self, method: str, token: str, message_id: str, body: Any) -> web.Response:
        record = self.interactions.get(token)
        if (refusal := self._token_refusal(record, 10008)) is not None:
            return refusal
        assert record is not None
        if record.original is None:
            return error(404, 10008, "Unknown Message")
        if method == "DELETE":
            record.deleted = True
            return web.Response(status=204)
        if method == "PATCH":
            errors = message_errors(body, editing=True)
            if errors:
                record.refused.append(invalid_form_body(errors))
                return form_error(errors)
            flags = record.original["flags"] & ~128
            merged = {**record.original, **{k: v for k, v in body.items() if v is not None}}
            record.original = {
                **self.bot_message(merged, message_id=record.original["id"]),
                "flags": flags,
            }
            record.original_edits.append(body)
        return json_response(record.original)
