"""The worker's digest poster: Discord's REST API with the bot token and no gateway, against the
stand-in. What a server sees is what the gateway bot's digests show: a message in a channel or a
thread, a forum post with its tag and its further parts inside it, a published announcement;
an interrupted post found again by its reference; refusals said as the digest service needs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.cluster.posting import RestPoster, rest_poster
from bot.errors import PayloadRefused, PostRejected
from bot.render.digest import with_marker
from tests.fakediscord.server import (
    ANNOUNCEMENTS_ID,
    CHANNEL_ID,
    FORUM_ID,
    FORUM_TAG_ID,
    NEWS_ID,
    NO_HISTORY_ID,
    READONLY_ID,
    THREAD_ID,
    TOKEN,
    FakeDiscord,
)


def part(title: str) -> dict[str, object]:
    return {"content": "", "embeds": [{"title": title, "url": f"http://127.0.0.1/{title}"}]}


@pytest.fixture
async def poster(fake: FakeDiscord) -> AsyncIterator[tuple[RestPoster, list[int]]]:
    taken: list[int] = []

    async def acquire() -> None:
        taken.append(len(fake.requests))

    made = await rest_poster(TOKEN, acquire)
    try:
        yield made, taken
    finally:
        await made.close()


async def test_every_kind_of_channel_gets_its_digest_and_never_a_ping(
    fake: FakeDiscord, poster: tuple[RestPoster, list[int]]
) -> None:
    rest, taken = poster
    in_channel = await rest.post(NEWS_ID, part("one"))
    in_thread = await rest.post(THREAD_ID, part("two"))
    announced = await rest.post(ANNOUNCEMENTS_ID, {**part("three"), "publish": True})
    first = {**part("four"), "post_name": "Metro: 2 new items", "applied_tags": [FORUM_TAG_ID]}
    opened = await rest.post(FORUM_ID, first)
    follow = await rest.post(FORUM_ID, {**part("five"), "post_name": "x", "continues": True})
    where = {m["id"]: m["channel_id"] for m in fake.channel_messages}
    assert where[str(in_channel)] == str(NEWS_ID) and where[str(in_thread)] == str(THREAD_ID)
    assert fake.published == [str(announced)]
    post = fake.threads[opened]  # a forum post's id is its first message's
    assert (post.name, post.parent_id, where[str(follow)]) == (
        "Metro: 2 new items",
        FORUM_ID,
        str(opened),
    )
    [started] = [r for r in fake.requests if r.path == f"/channels/{FORUM_ID}/threads"]
    assert started.body["applied_tags"] == [str(FORUM_TAG_ID)]
    sent = [r.body for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert sent and all(b["allowed_mentions"] == {"parse": []} for b in sent)
    assert started.body["message"]["allowed_mentions"] == {"parse": []}
    assert len(taken) == len(fake.requests)  # every request waited for the fleet's budget


async def test_an_interrupted_post_is_found_by_its_reference_in_a_channel_and_a_forum(
    fake: FakeDiscord, poster: tuple[RestPoster, list[int]]
) -> None:
    rest, _ = poster
    posted = await rest.post(CHANNEL_ID, with_marker(part("one"), "d1-7"))
    in_forum = await rest.post(FORUM_ID, with_marker({**part("two"), "post_name": "x"}, "d2-9"))
    assert await rest.find(CHANNEL_ID, "d1-7") == posted
    assert await rest.find(CHANNEL_ID, "d1-8") is None
    assert await rest.find(FORUM_ID, "d2-9") == in_forum
    with pytest.raises(PostRejected, match="Read Message History"):
        await rest.find(NO_HISTORY_ID, "d3-1")  # an empty history would prove nothing
    assert rest.problem(CHANNEL_ID) is None  # unknowable without a gateway's cache


async def test_refusals_are_told_apart_as_the_digest_service_needs(
    fake: FakeDiscord, poster: tuple[RestPoster, list[int]]
) -> None:
    rest, _ = poster
    fake.blocked_words = {"forbidden"}
    with pytest.raises(PostRejected, match="cannot post in"):
        await rest.post(READONLY_ID, part("one"))
    with pytest.raises(PayloadRefused, match="automatic moderation"):
        await rest.post(CHANNEL_ID, part("forbidden"))
    with pytest.raises(PostRejected, match="cannot see channel"):
        await rest.post(CHANNEL_ID + 999, part("two"))
    fake.rejected.clear()  # refused as the test asked, not malformed


async def test_a_digest_message_sent_twice_after_a_crash_is_posted_once(
    fake: FakeDiscord, poster: tuple[RestPoster, list[int]]
) -> None:
    # The outbox row was sent, then the process died before recording the answer: sent again
    # with the same reference (its nonce), Discord returns the message it already made.
    rest, _ = poster
    payload = with_marker(part("six"), "0f3a9c2e71b4")
    first = await rest.post(NEWS_ID, payload)
    again = await rest.post(NEWS_ID, payload)
    assert again == first
    assert [m["id"] for m in fake.channel_messages if m["channel_id"] == str(NEWS_ID)] == [
        str(first)
    ]
    assert fake.deduplicated == ["0f3a9c2e71b4"]
