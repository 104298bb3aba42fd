"""The Discord stand-in refuses what Discord refuses, so it cannot quietly become lenient.

Each request goes over HTTP or the websocket as a client would send it; each answer is the one
the API documentation gives (status, JSON error code, and for 50035 the field path).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from tests.fakediscord.server import (
    ANNOUNCEMENTS_ID,
    CHANNEL_ID,
    FORUM_ID,
    GUILD_ID,
    MEMBER,
    NO_HISTORY_ID,
    THREAD_ID,
    TOKEN,
    VOICE_ID,
    CommandHidden,
    FakeDiscord,
)

AUTH = {"Authorization": f"Bot {TOKEN}"}


def embed(**extra: Any) -> dict[str, Any]:
    return {"title": "A title", "description": "Some text", **extra}


def button(**extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 2, "custom_id": "next", "label": "Next", **extra}


def row(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(buttons)}


OVER_LIMIT = {
    "content": ({"content": "x" * 2001}, "content"),
    "embeds": ({"embeds": [embed() for _ in range(11)]}, "embeds"),
    "embed total": (
        {"embeds": [embed(description="x" * 4000), embed(description="x" * 2000)]},
        "embeds",
    ),
    "title": ({"embeds": [embed(title="x" * 257)]}, "embeds.0.title"),
    "description": ({"embeds": [embed(description="x" * 4097)]}, "embeds.0.description"),
    "fields": (
        {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]},
        "embeds.0.fields",
    ),
    "field name": (
        {"embeds": [embed(fields=[{"name": "x" * 257, "value": "v"}])]},
        "embeds.0.fields.0.name",
    ),
    "field value": (
        {"embeds": [embed(fields=[{"name": "n", "value": "x" * 1025}])]},
        "embeds.0.fields.0.value",
    ),
    "empty field value": (
        {"embeds": [embed(fields=[{"name": "n", "value": ""}])]},
        "embeds.0.fields.0.value",
    ),
    "footer": ({"embeds": [embed(footer={"text": "x" * 2049})]}, "embeds.0.footer.text"),
    "author": ({"embeds": [embed(author={"name": "x" * 257})]}, "embeds.0.author.name"),
    "embed url": ({"embeds": [embed(url="javascript:alert(1)")]}, "embeds.0.url"),
    "rows": ({"components": [row(button())] * 6}, "components"),
    "buttons per row": (
        {"components": [row(*[button(custom_id=str(i)) for i in range(6)])]},
        "components.0.components",
    ),
    "custom_id": (
        {"components": [row(button(custom_id="x" * 101))]},
        "components.0.components.0.custom_id",
    ),
    "label": (
        {"components": [row(button(label="x" * 81))]},
        "components.0.components.0.label",
    ),
    "link button with custom_id": (
        {"components": [row(button(style=5, url="https://example.org/"))]},
        "components.0.components.0.custom_id",
    ),
    "link button without url": (
        {"components": [row({"type": 2, "style": 5, "label": "Go"})]},
        "components.0.components.0.url",
    ),
    "allowed_mentions parse": (
        {"content": "hi", "allowed_mentions": {"parse": ["nobody"]}},
        "allowed_mentions.parse",
    ),
    "allowed_mentions exclusive": (
        {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
        "allowed_mentions.parse",
    ),
}


def error_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key, value in tree.items():
        if key == "_errors":
            paths.append(prefix.rstrip("."))
        else:
            paths += error_paths(value, f"{prefix}{key}.")
    return paths


@pytest.fixture
async def http(fake: FakeDiscord) -> Any:
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{fake.port}") as session:
        yield session


async def post(http: Any, path: str, body: Any, auth: bool = True) -> tuple[int, Any]:
    async with http.post(f"/api/v10{path}", json=body, headers=AUTH if auth else {}) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else None)


@pytest.mark.parametrize("kind", sorted(OVER_LIMIT))
async def test_each_over_limit_message_is_refused_with_its_field_path(
    fake: FakeDiscord, http: Any, kind: str
) -> None:
    body, path = OVER_LIMIT[kind]
    status, answer = await post(http, f"/channels/{CHANNEL_ID}/messages", body)
    assert status == 400
    assert answer["code"] == 50035 and answer["message"] == "Invalid Form Body"
    assert path in error_paths(answer["errors"])
    assert fake.channel_messages == []
    fake.rejected.clear()  # refused on purpose


async def test_a_message_within_every_limit_is_accepted(fake: FakeDiscord, http: Any) -> None:
    body = {
        "content": "x" * 2000,
        "embeds": [
            embed(
                title="x" * 256,
                description="x" * 2700,
                fields=[{"name": "n" * 10, "value": "v" * 100}] * 25,
                footer={"text": "f" * 200},
            )
        ],
        "components": [
            row(*[button(custom_id=f"{r}{i}" + "x" * 90, label="x" * 80) for i in range(5)])
            for r in range(4)
        ]
        + [row({"type": 2, "style": 5, "label": "Source", "url": "https://example.org/"})],
        "allowed_mentions": {"parse": []},
    }
    status, answer = await post(http, f"/channels/{CHANNEL_ID}/messages", body)
    assert status == 200, answer
    assert answer["content"] == "x" * 2000


async def test_an_empty_message_is_refused(fake: FakeDiscord, http: Any) -> None:
    status, answer = await post(http, f"/channels/{CHANNEL_ID}/messages", {"content": ""})
    assert (status, answer["code"]) == (400, 50006)
    fake.rejected.clear()


async def test_a_bad_token_is_401(http: Any) -> None:
    status, _ = await post(http, f"/channels/{CHANNEL_ID}/messages", {"content": "x"}, auth=False)
    assert status == 401


async def test_history_follows_the_bots_permissions(fake: FakeDiscord, http: Any) -> None:
    fake.chat_message("hello", author=MEMBER, channel_id=NO_HISTORY_ID, at=datetime.now(UTC))
    async with http.get(f"/api/v10/channels/{NO_HISTORY_ID}/messages", headers=AUTH) as r:
        assert r.status == 200
        assert await r.json() == []  # no Read Message History: nothing, and no error
    async with http.get(f"/api/v10/channels/{VOICE_ID}/messages", headers=AUTH) as r:
        assert await r.json() == []  # a voice chat without Connect reads as empty too
    fake.hidden_channels.add(CHANNEL_ID)
    async with http.get(f"/api/v10/channels/{CHANNEL_ID}/messages", headers=AUTH) as r:
        assert r.status == 403 and (await r.json())["code"] == 50001
    fake.rejected.clear()


async def test_rest_shows_channels_the_guild_and_its_threads_as_get_routes_do(
    fake: FakeDiscord, http: Any
) -> None:
    async with http.get(f"/api/v10/channels/{NO_HISTORY_ID}", headers=AUTH) as r:
        channel = await r.json()  # a guild channel comes with its permission overwrites
    assert r.status == 200 and channel["permission_overwrites"][0]["deny"] == str(1 << 16)
    async with http.get(f"/api/v10/channels/{CHANNEL_ID + 999}", headers=AUTH) as r:
        assert r.status == 404 and (await r.json())["code"] == 10003
    async with http.get(f"/api/v10/guilds/{GUILD_ID}", headers=AUTH) as r:
        guild = await r.json()
    assert r.status == 200 and guild["roles"] and "channels" not in guild  # Guild Create only
    async with http.get(f"/api/v10/guilds/{GUILD_ID + 1}", headers=AUTH) as r:
        assert r.status == 404 and (await r.json())["code"] == 10004
    status, created = await post(
        http, f"/channels/{FORUM_ID}/threads", {"name": "Digest", "message": {"content": "x"}}
    )
    async with http.get(f"/api/v10/guilds/{GUILD_ID}/threads/active", headers=AUTH) as r:
        active = await r.json()
    ids = [t["id"] for t in active["threads"]]
    assert status == 200 and ids == sorted(ids, key=int, reverse=True) and created["id"] in ids
    assert [m["id"] for m in active["members"]] == [created["id"]]  # the bot's own post
    fake.rejected.clear()


async def test_forum_channels_take_posts_not_messages(fake: FakeDiscord, http: Any) -> None:
    fake._ws = _NullSocket()  # type: ignore[assignment]
    status, answer = await post(http, f"/channels/{FORUM_ID}/messages", {"content": "x"})
    assert (status, answer["code"]) == (400, 50008)
    status, answer = await post(
        http, f"/channels/{FORUM_ID}/threads", {"name": "x" * 101, "message": {"content": "x"}}
    )
    assert status == 400 and "name" in error_paths(answer["errors"])
    status, answer = await post(
        http,
        f"/channels/{FORUM_ID}/threads",
        {"name": "Digest", "message": {"embeds": [embed(title="x" * 300)]}},
    )
    assert status == 400 and "message.embeds.0.title" in error_paths(answer["errors"])
    status, thread = await post(
        http, f"/channels/{FORUM_ID}/threads", {"name": "Digest", "message": {"content": "x"}}
    )
    assert status == 200 and thread["parent_id"] == str(FORUM_ID)
    assert thread["message"]["channel_id"] == thread["id"]
    fake.rejected.clear()


async def test_only_announcement_messages_can_be_published(fake: FakeDiscord, http: Any) -> None:
    _, plain = await post(http, f"/channels/{CHANNEL_ID}/messages", {"content": "x"})
    status, _ = await post(http, f"/channels/{CHANNEL_ID}/messages/{plain['id']}/crosspost", None)
    assert status == 400
    _, news = await post(http, f"/channels/{ANNOUNCEMENTS_ID}/messages", {"content": "x"})
    status, published = await post(
        http, f"/channels/{ANNOUNCEMENTS_ID}/messages/{news['id']}/crosspost", None
    )
    assert status == 200 and published["flags"] & 1
    assert fake.published == [news["id"]]
    fake.rejected.clear()


async def test_a_thread_needs_send_messages_in_threads(fake: FakeDiscord, http: Any) -> None:
    status, _ = await post(http, f"/channels/{THREAD_ID}/messages", {"content": "x"})
    assert status == 200


async def test_commands_are_validated_and_hidden_by_default_member_permissions(
    fake: FakeDiscord, http: Any
) -> None:
    async with http.put(
        "/api/v10/applications/1/commands",
        json=[{"name": "Bad Name", "description": "x" * 101, "type": 1}],
        headers=AUTH,
    ) as r:
        answer = await r.json()
        assert r.status == 400
        assert {"0.name", "0.description"} <= set(error_paths(answer["errors"]))
    command = {
        "name": "digest",
        "description": "Digests",
        "type": 1,
        "default_member_permissions": "32",
        "contexts": [0],
    }
    async with http.put("/api/v10/applications/1/commands", json=[command], headers=AUTH) as r:
        assert r.status == 200
    with pytest.raises(CommandHidden):
        await fake.invoke_slash("digest", user=MEMBER)
    fake.rejected.clear()


async def connect_and_identify(fake: FakeDiscord, **identify: Any) -> int | None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(fake.gateway_url) as ws,
    ):
        hello = json.loads((await ws.receive()).data)
        assert hello["op"] == 10
        payload = {"token": TOKEN, "intents": 1 << 0, "properties": {}, **identify}
        await ws.send_str(json.dumps({"op": 2, "d": payload}))
        message = await ws.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            return None
        return ws.close_code


@pytest.mark.parametrize(
    ("identify", "setup", "code"),
    [
        ({"token": "wrong"}, {}, 4004),
        ({"intents": 1 << 40}, {}, 4013),
        ({"intents": 1 << 15}, {"portal_intents": 0}, 4014),
        ({}, {"sharding_required": True}, 4011),
    ],
)
async def test_the_gateway_closes_with_discords_codes(
    fake: FakeDiscord, identify: dict[str, Any], setup: dict[str, Any], code: int
) -> None:
    for key, value in setup.items():
        setattr(fake, key, value)
    assert await connect_and_identify(fake, **identify) == code
    assert await connect_and_identify(fake) in (None, code)  # the good identify


async def test_interaction_deadlines(fake: FakeDiscord, http: Any) -> None:
    async with http.put(
        "/api/v10/applications/1/commands",
        json=[{"name": "help", "description": "Help", "type": 1}],
        headers=AUTH,
    ) as r:
        assert r.status == 200
    fake._ws = _NullSocket()  # type: ignore[assignment]
    late = await fake.invoke_slash("help")
    late.dispatched_at -= 3.5  # the bot took longer than 3 s to answer
    status, answer = await post(
        http, f"/interactions/{late.payload['id']}/{late.token}/callback", {"type": 5}, False
    )
    assert (status, answer["code"]) == (404, 10062)

    old = await fake.invoke_slash("help", issued_ago=15 * 60 + 1)
    status, _ = await post(
        http, f"/interactions/{old.payload['id']}/{old.token}/callback", {"type": 5}, False
    )
    assert status == 200  # answered in time...
    async with http.patch(
        f"/api/v10/webhooks/1/{old.token}/messages/@original", json={"content": "done"}
    ) as r:
        assert r.status == 401 and (await r.json())["code"] == 50027  # ...token long dead

    fresh = await fake.invoke_slash("help")
    status, answer = await post(
        http,
        f"/interactions/{fresh.payload['id']}/{fresh.token}/callback",
        {"type": 4, "data": {"content": "x" * 2001}},
        False,
    )
    assert status == 400 and "data.content" in error_paths(answer["errors"])
    fake.rejected.clear()


class _NullSocket:
    """Stands in for the bot's websocket when a test plays the bot by hand."""

    async def send_str(self, _: str) -> None:
        return None

    async def close(self) -> None:
        return None


async def test_a_reply_refers_to_its_message_and_a_repeated_nonce_posts_nothing_new(
    fake: FakeDiscord, http: Any
) -> None:
    fake._ws = _NullSocket()  # type: ignore[assignment]
    posted = await fake.post("https://example.test/tram", author=MEMBER)
    reply = {
        "embeds": [embed()],
        "message_reference": {"message_id": posted["id"], "fail_if_not_exists": False},
        "allowed_mentions": {"parse": [], "replied_user": False},
        "nonce": f"auto{posted['id']}",
        "enforce_nonce": True,
    }
    status, first = await post(http, f"/channels/{CHANNEL_ID}/messages", reply)
    assert status == 200 and first["type"] == 19 and first["mentions"] == []
    assert first["message_reference"]["message_id"] == posted["id"]
    assert first["referenced_message"]["id"] == posted["id"]
    status, again = await post(http, f"/channels/{CHANNEL_ID}/messages", reply)
    assert status == 200 and again["id"] == first["id"]  # enforce_nonce: the earlier message
    assert fake.deduplicated == [reply["nonce"]]
    status, pinging = await post(
        http,
        f"/channels/{CHANNEL_ID}/messages",
        {**reply, "nonce": "other", "allowed_mentions": None},
    )
    assert pinging["mentions"] == [MEMBER]  # without allowed_mentions the author is pinged
    gone = {**reply, "nonce": "gone", "message_reference": {"message_id": "1"}}
    status, answer = await post(http, f"/channels/{CHANNEL_ID}/messages", gone)
    assert status == 400 and error_paths(answer["errors"]) == ["message_reference"]
    gone["message_reference"] = {"message_id": "1", "fail_if_not_exists": False}
    status, plain = await post(http, f"/channels/{CHANNEL_ID}/messages", gone)
    assert status == 200 and plain["type"] == 0 and "message_reference" not in plain
    status, answer = await post(
        http, f"/channels/{CHANNEL_ID}/messages", {**reply, "nonce": "x" * 26}
    )
    assert status == 400 and error_paths(answer["errors"]) == ["nonce"]
    bot_posts = [m for m in fake.channel_messages if m["author"]["id"] != MEMBER["id"]]
    assert len(bot_posts) == 3
    fake.rejected.clear()


async def test_a_dropped_session_resumes_with_what_it_missed_and_a_closed_one_does_not(
    fake: FakeDiscord,
) -> None:
    async def frames(ws: Any, count: int) -> list[dict[str, Any]]:
        return [json.loads((await ws.receive()).data) for _ in range(count)]

    identify = {"token": TOKEN, "intents": 1 << 0, "properties": {}}
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(fake.gateway_url) as ws:
            await frames(ws, 1)  # HELLO
            await ws.send_str(json.dumps({"op": 2, "d": identify}))
            ready, _guild = await frames(ws, 2)
            session_id = ready["d"]["session_id"]
            await ws.close(code=4000)  # any code but 1000/1001: the session stays
        await fake.wait_for(lambda: not fake.sessions[-1].connected)
        await fake.dispatch("TYPING_START", {"channel_id": str(CHANNEL_ID)})
        async with session.ws_connect(fake.gateway_url) as ws:
            await frames(ws, 1)
            resume = {"token": TOKEN, "session_id": session_id, "seq": ready["s"]}
            await ws.send_str(json.dumps({"op": 6, "d": resume}))
            replayed, resumed = await frames(ws, 2)
            assert replayed["t"] == "TYPING_START" and resumed["t"] == "RESUMED"
            await ws.close(code=1000)  # a normal close ends the session
        await fake.wait_for(lambda: not fake.sessions[-1].connected)
        assert fake.sessions[-1].ends == [4000, 1000] and fake.sessions[-1].invalidated
        async with session.ws_connect(fake.gateway_url) as ws:
            await frames(ws, 1)
            await ws.send_str(json.dumps({"op": 6, "d": resume}))
            [invalid] = await frames(ws, 1)
            assert (invalid["op"], invalid["d"]) == (9, False)
