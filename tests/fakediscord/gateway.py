"""The gateway websocket: HELLO, heartbeats, IDENTIFY and RESUME, dispatches, and refusals.

IDENTIFY is checked as Discord checks it (docs/topics/opcodes-and-status-codes.md): a wrong token
closes with 4004, unknown intent bits with 4013, a privileged intent the application has not
enabled in the Developer Portal with 4014, and a bot that must shard with 4011.

Sharding is routed as Discord routes it (docs/events/gateway.mdx, "Sharding"): each connection
may IDENTIFY with `shard: [shard_id, num_shards]`, a shard id outside 0..num_shards-1 is closed
with 4010 Invalid shard, and the guild's events go only to the connection whose shard is
`(guild_id >> 22) % num_shards`; the other shards get a READY without it.

Sessions live as Discord's do (docs/events/gateway.mdx, "Initiating a Disconnect",
"Resuming"): IDENTIFY starts one; a connection that drops, or that the app closes with any code
but 1000 or 1001, leaves the session resumable, and the guild's events meanwhile are kept for it
and replayed, in order, before RESUMED; a close with 1000 or 1001 invalidates it, and a RESUME of
an invalidated or unknown session is answered with Invalid Session (op 9, `d` false).
Each session records how each of its connections ended, so a test can tell a killed process
(no close frame) from a clean stop (1000) and a shard that was never disconnected.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakediscord.world import (
    APP_ID,
    BOT_USER,
    GUILD_ID,
    KNOWN_INTENTS,
    PRIVILEGED_INTENTS,
    TOKEN,
    World,
)

CLOSE_REASONS = {
    4004: "Authentication failed.",
    4010: "Invalid shard.",
    4011: "Sharding required.",
    4013: "Invalid intent(s).",
    4014: "Disallowed intent(s).",
}


NORMAL_CLOSES = (1000, 1001)
"""Close codes with which the app ends its session (it is invalidated, the bot goes offline)."""


@dataclass(eq=False)
class Session:
    """One gateway session: started by IDENTIFY, carried by one connection at a time."""

    id: str
    shard: tuple[int, int] | None
    has_guild: bool
    connection: web.WebSocketResponse | None
    """The live connection, or None while the session has none (dropped, closed)."""
    ends: list[int | None] = field(default_factory=list)
    """How each of its connections ended: the close code the app sent, None for a connection
    that dropped without a close frame (a killed process)."""
    resumes: int = 0
    invalidated: bool = False
    missed: list[tuple[str, Any]] = field(default_factory=list)
    """Dispatches sent while it had no connection, replayed when it resumes."""

    @property
    def connected(self) -> bool:
        return self.connection is not None


class Gateway(World):
    """The gateway half of the stand-in (mixed into `FakeDiscord`)."""

    heartbeat_interval: float
    portal_intents: int
    """Privileged intents enabled for the application in the Developer Portal."""
    sharding_required: bool
    gateway_closes: list[int]

    def _init_gateway(self, heartbeat_interval: float) -> None:
        self.heartbeat_interval = heartbeat_interval
        self.heartbeats: list[float] = []
        self.resumes = 0
        self.identifies = 0
        self.intents = 0
        """The intents the bot identified with: without Message Content, text is withheld."""
        self.portal_intents = PRIVILEGED_INTENTS
        self.sharding_required = False
        self.gateway_closes = []
        self._seq = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        """The connection the guild's events go to (its shard's, or the only one)."""
        self.shards_identified: list[tuple[int, int]] = []
        """[shard_id, num_shards] of every sharded IDENTIFY, in order."""
        self.sessions: list[Session] = []
        """Every session IDENTIFY started, in order."""

    def shard_sessions(self, shard_id: int) -> list[Session]:
        """The sessions identified for one shard, oldest first."""
        return [s for s in self.sessions if s.shard is not None and s.shard[0] == shard_id]

    def live_session(self, shard_id: int) -> Session | None:
        """The shard's session that has a connection now, or None: nobody receives its events."""
        live = [s for s in self.shard_sessions(shard_id) if s.connected]
        return live[-1] if live else None

    async def _send(self, op: int, data: Any, event: str | None = None) -> None:
        if self._ws is None and op == 0 and event is not None:
            waiting = [s for s in self.sessions if s.has_guild and not s.connected]
            if waiting and not waiting[-1].invalidated:  # Discord keeps it for a RESUME
                waiting[-1].missed.append((event, data))
                return
        assert self._ws is not None, "the bot is not connected to the gateway"
        await self._send_on(self._ws, op, data, event)

    async def _send_on(
        self, ws: web.WebSocketResponse, op: int, data: Any, event: str | None = None
    ) -> None:
        frame: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
        if op == 0:
            frame["s"] = next(self._seq)
        await ws.send_str(json.dumps(frame))

    @staticmethod
    def guild_shard(num_shards: int) -> int:
        """The sharding formula: which shard receives the guild's events."""
        return (GUILD_ID >> 22) % num_shards

    async def dispatch(self, event: str, data: Any) -> None:
        await self._send(0, data, event)

    async def reconnect(self) -> None:
        """Ask the client to reconnect (op 7): it must come back and RESUME its session."""
        await self._send(7, None)

    def _identify_refusal(self, identify: dict[str, Any]) -> int | None:
        intents = int(identify.get("intents", 0))
        if identify.get("token") not in (TOKEN, f"Bot {TOKEN}"):
            return 4004
        if intents & ~KNOWN_INTENTS:
            return 4013
        if intents & PRIVILEGED_INTENTS & ~self.portal_intents:
            return 4014
        shard = identify.get("shard")
        if shard is not None and not (
            isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]
        ):
            return 4010
        if self.sharding_required and shard in (None, [0, 1]):
            return 4011
        return None

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if not self.shards_identified:
            self._ws = ws  # unsharded: the one connection gets everything
        await self._send_on(ws, 10, {"heartbeat_interval": int(self.heartbeat_interval * 1000)})
        session: Session | None = None
        closed_with: int | None = None
        while True:
            message = await ws.receive()
            if message.type is WSMsgType.CLOSE:
                closed_with = int(message.data)  # the app's close frame
                break
            if message.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                break  # dropped without a close frame (aiohttp reports such an end as 1000)
            if message.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(message.data)
            op = frame["op"]
            if op == 1:
                self.heartbeats.append(time.monotonic())
                await self._send_on(ws, 11, None)
            elif op == 2:
                self.identifies += 1
                self.intents = int(frame["d"].get("intents", 0))
                refusal = self._identify_refusal(frame["d"])
                if refusal is not None:
                    self.gateway_closes.append(refusal)
                    await ws.close(code=refusal, message=CLOSE_REASONS[refusal].encode())
                    break
                session = await self._identified(ws, frame["d"].get("shard"))
            elif op == 6:
                self.resumes += 1
                session = await self._resume(ws, str(frame["d"].get("session_id", "")))
            await self._notify()
        if session is not None and session.connection is ws:
            session.connection = None
            session.ends.append(closed_with)
            if closed_with in NORMAL_CLOSES:
                session.invalidated = True
        if self._ws is ws:
            self._ws = None
        await self._notify()
        return ws

    async def _identified(self, ws: web.WebSocketResponse, shard: list[int] | None) -> Session:
        """READY for a new session (and the guild, to the shard that holds it)."""
        if shard is not None:
            self.shards_identified.append((shard[0], shard[1]))
        has_guild = shard is None or shard[0] == self.guild_shard(shard[1])
        if has_guild:
            self._ws = ws
        name = "fake-session" if shard is None else f"fake-session-{shard[0]}"
        session = Session(
            id=f"{name}-{len(self.sessions) + 1}{'' if has_guild else '-empty'}",
            shard=(shard[0], shard[1]) if shard is not None else None,
            has_guild=has_guild,
            connection=ws,
        )
        self.sessions.append(session)
        await self._send_on(
            ws,
            0,
            {
                "v": 10,
                "user": BOT_USER,
                "guilds": [{"id": str(GUILD_ID), "unavailable": True}] if has_guild else [],
                "session_id": session.id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(APP_ID), "flags": 0},
                **({"shard": shard} if shard is not None else {}),
            },
            "READY",
        )
        if has_guild:
            await self.dispatch("GUILD_CREATE", self.guild())
        return session

    async def _resume(self, ws: web.WebSocketResponse, session_id: str) -> Session | None:
        """RESUMED on the new connection, or Invalid Session when the session is gone."""
        session = next((s for s in self.sessions if s.id == session_id), None)
        if session is None or session.invalidated:
            await self._send_on(ws, 9, False)
            return None
        if session.connection is not None and session.connection is not ws:
            session.ends.append(None)  # the old connection is superseded
        session.connection = ws
        session.resumes += 1
        if session.has_guild:
            self._ws = ws
        missed, session.missed = session.missed, []
        for event, data in missed:
            await self._send_on(ws, 0, data, event)
        await self._send_on(ws, 0, {}, "RESUMED")
        return session
