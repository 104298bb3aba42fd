"""The jobs as they travel through the queue: what the worker needs, and nothing it must ask.

The gateway has already read what only it may read (the attachment, the channel's history), so
a brief job carries the source itself, the options resolved from the server's settings, and the
interaction's token that lets any process edit the user's reply. An auto-summary job carries the
link and the message to reply to. JSON, not pickle: a row in the database never becomes code in
a worker.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from bot.errors import BadInput
from bot.jobs import SourceRequest
from bot.pipeline import BriefOptions
from bot.sources.chat import ChatHistory, ChatMessage

VERSION = 1


@dataclass(frozen=True, slots=True)
class Reply:
    """Where the answer goes: the interaction's original response, editable for 15 minutes."""

    application_id: int
    interaction_id: int
    token: str
    created_at: float
    """When Discord created the interaction (epoch seconds): its token dies 15 minutes later."""
    user_id: int


@dataclass(frozen=True, slots=True)
class QueuedBrief:
    reply: Reply
    request: SourceRequest
    options: BriefOptions
    enqueued_at: float
    """Epoch seconds when the gateway queued it (for the queue latency figure)."""

    def encode(self) -> bytes:
        request: dict[str, Any] = {
            "url": self.request.url,
            "filename": self.request.filename,
            "pick": self.request.pick,
            "data": base64.b64encode(self.request.data).decode()
            if self.request.data is not None
            else None,
            "chat": _history_json(self.request.chat) if self.request.chat is not None else None,
        }
        body = {
            "v": VERSION,
            "reply": asdict(self.reply),
            "request": request,
            "options": asdict(self.options),
            "enqueued_at": self.enqueued_at,
        }
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes) -> QueuedBrief:
        """The job back; a payload of another version or shape is BadInput, never a crash."""
        try:
            body = json.loads(raw)
            if body.get("v") != VERSION:
                raise BadInput(f"This job was queued by another version ({body.get('v')!r}).")
            req = body["request"]
            data = req.get("data")
            chat = req.get("chat")
            request = SourceRequest(
                url=req.get("url"),
                data=base64.b64decode(data) if data is not None else None,
                filename=req.get("filename"),
                pick=req.get("pick"),
                chat=_history(chat) if chat is not None else None,
            )
            return cls(
                reply=Reply(**body["reply"]),
                request=request,
                options=BriefOptions(**body["options"]),
                enqueued_at=float(body["enqueued_at"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BadInput(f"This queued job cannot be read ({error!r}).") from None


AUTO_SUMMARY_VERSION = 1
_AUTO_SUMMARY_IDS = ("guild_id", "channel_id", "message_id", "author_id")


@dataclass(frozen=True, slots=True)
class AutoSummary:
    """A link posted in a channel where the admins turned auto-summary on: the worker briefs it
    and replies to the message with the bot's token (nobody asked, so nobody holds a token)."""

    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    url: str
    options: BriefOptions
    enqueued_at: float

    @property
    def nonce(self) -> str:
        """The reply's nonce: the same for every run of this job, so Discord (enforce_nonce)
        returns the reply an earlier run posted instead of posting a second one. 24 characters
        at most (a snowflake has at most 20 digits); Discord takes 25."""
        return f"auto{self.message_id}"

    def encode(self) -> bytes:
        body = {
            "v": AUTO_SUMMARY_VERSION,
            "kind": "auto-summary",
            "guild_id": self.guild_id,
            "channel_id": self.channel_id,
            "message_id": self.message_id,
            "author_id": self.author_id,
            "url": self.url,
            "options": asdict(self.options),
            "enqueued_at": self.enqueued_at,
        }
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes) -> AutoSummary:
        """The job back; a payload of another version, kind or shape is BadInput, never a
        crash, and never a reply to a message it does not name."""
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise TypeError("not an object")
            if body.get("v") != AUTO_SUMMARY_VERSION or body.get("kind") != "auto-summary":
                raise BadInput(
                    "This auto-summary job was queued by another version "
                    f"({body.get('kind')!r} v{body.get('v')!r})."
                )
            ids = {name: body[name] for name in _AUTO_SUMMARY_IDS}
            if any(type(v) is not int or v <= 0 for v in ids.values()):
                raise ValueError(f"ids must be positive integers: {ids}")
            url = body["url"]
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ValueError(f"not a web link: {url!r}")
            return cls(
                **ids,
                url=url,
                options=BriefOptions(**body["options"]).checked(),
                enqueued_at=float(body["enqueued_at"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BadInput(f"This queued auto-summary job cannot be read ({error!r}).") from None


def _history_json(history: ChatHistory) -> dict[str, Any]:
    out = asdict(history)
    out["messages"] = [{**asdict(m), "created": m.created.isoformat()} for m in history.messages]
    out["notes"] = list(history.notes)
    return out


_MESSAGE_FIELDS = {f.name for f in fields(ChatMessage)}
_HISTORY_FIELDS = {f.name for f in fields(ChatHistory)}


def _history(raw: dict[str, Any]) -> ChatHistory:
    messages = tuple(
        ChatMessage(
            **{
                **{k: v for k, v in m.items() if k in _MESSAGE_FIELDS},
                "created": datetime.fromisoformat(m["created"]),
            }
        )
        for m in raw["messages"]
    )
    rest = {k: v for k, v in raw.items() if k in _HISTORY_FIELDS and k != "messages"}
    rest["notes"] = tuple(rest.get("notes") or ())
    return ChatHistory(messages=messages, **rest)
