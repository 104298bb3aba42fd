"""A chat conversation read as a thread: replies nest, bursts merge, gaps are counted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import MalformedInput
from bot.sources import read_bytes
from bot.sources.chat import ChatHistory, ChatMessage, article_link, chat_thread
from bot.thread import Article, Thread

T0 = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
LONG = (
    "The council will vote on Thursday on the night bus plan for the eastern suburbs. "
    "Buses would run every thirty minutes from midnight to five, paid by a parking levy."
)


def msg(
    n: int, author: str, text: str, minutes: float | None = None, **more: object
) -> ChatMessage:
    at = T0 + timedelta(minutes=n if minutes is None else minutes)
    return ChatMessage(id=str(n), author=author, author_id=author, created=at, content=text, **more)  # type: ignore[arg-type]


def history(*messages: ChatMessage, starts: bool = True, bots: bool = False) -> ChatHistory:
    return ChatHistory(
        place="#general", messages=messages, starts_conversation=starts, include_bots=bots
    )


def test_a_long_first_message_is_the_article_and_replies_nest_under_what_they_answer() -> None:
    thread = chat_thread(
        history(
            msg(1, "ana", LONG),
            msg(2, "bo", "Thirty minutes is too long to wait in the cold."),
            msg(3, "cy", "Better than no bus at all.", reply_to="2"),
        )
    )
    assert thread.article is not None and thread.article.paragraphs == (LONG,)
    assert [(c.id, c.parent_id) for c in thread.comments] == [("2", None), ("3", "2")]
    assert thread.notes[0] == "Read 3 messages in #general."


def test_a_short_first_message_stays_a_comment() -> None:
    thread = chat_thread(history(msg(1, "ana", "Thoughts on the buses?"), msg(2, "bo", "Yes.")))
    assert thread.article is None and [c.id for c in thread.comments] == ["1", "2"]


def test_a_first_message_is_not_an_article_when_the_reading_started_mid_conversation() -> None:
    thread = chat_thread(history(msg(1, "ana", LONG), starts=False))
    assert thread.article is None and thread.comments[0].text == LONG


def test_the_first_message_link_becomes_the_article_when_it_was_read() -> None:
    lead = msg(1, "ana", "Worth reading: https://news.example/buses")
    chat = history(lead, msg(2, "bo", "The levy is unfair to drivers."))
    assert article_link(chat) == "https://news.example/buses"
    linked = Thread(
        source="webpage",
        article=Article(title="Night buses", paragraphs=(LONG,), url="https://news.example/buses"),
    )
    thread = chat_thread(chat, linked)
    assert thread.article is not None and thread.article.title == "Night buses"
    assert thread.url == "https://news.example/buses"
    assert [c.id for c in thread.comments] == ["2"]


def test_one_authors_burst_merges_but_not_across_a_pause_or_another_voice() -> None:
    thread = chat_thread(
        history(
            msg(1, "bo", "I take the last bus home."),
            msg(2, "bo", "It is always full."),
            msg(3, "bo", "Much later thought.", minutes=40),
            msg(4, "cy", "Same here."),
            msg(5, "bo", "Told you."),
        )
    )
    assert [c.text for c in thread.comments] == [
        "I take the last bus home.\n\nIt is always full.",
        "Much later thought.",
        "Same here.",
        "Told you.",
    ]


def test_a_reply_to_a_merged_message_nests_under_the_merged_comment() -> None:
    thread = chat_thread(
        history(
            msg(1, "bo", "Part one."),
            msg(2, "bo", "Part two."),
            msg(3, "cy", "About part two.", reply_to="2"),
        )
    )
    assert [(c.id, c.parent_id) for c in thread.comments] == [("1", None), ("3", "1")]


def test_what_cannot_be_read_is_counted_and_said_never_guessed() -> None:
    thread = chat_thread(
        history(
            msg(1, "ana", ""),
            msg(2, "ana", "", minutes=20),
            msg(3, "bo", "", embeds=1),
            msg(4, "cy", "", attachments=2),
            msg(5, "dee", "Answering something gone.", reply_to="99", reply_deleted=True),
            msg(6, "RSS bot", "New post!", bot=True),
            msg(7, "system", "pinned a message", system=True),
        )
    )
    assert [c.id for c in thread.comments] == ["5"]
    assert thread.missing == 4
    notes = " ".join(thread.notes)
    assert "2 messages had no text the bot may read" in notes and "Message Content" in notes
    assert "1 message held only embeds" in notes
    assert "1 message held only attachments" in notes
    assert "1 message from bots left out" in notes
    assert "1 reply to deleted messages" in notes


def test_bots_are_read_when_asked() -> None:
    thread = chat_thread(history(msg(1, "RSS bot", "New post!", bot=True), bots=True))
    assert [c.author for c in thread.comments] == ["RSS bot"]


def test_block_quotes_are_marked_as_not_the_writers_words() -> None:
    thread = chat_thread(history(msg(1, "bo", "> the buses are late\nThey are on time for me.")))
    assert thread.comments[0].own_text() == "They are on time for me."


messages = st.lists(
    st.tuples(
        st.sampled_from(["ana", "bo", "cy"]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        st.integers(min_value=0, max_value=20),
        st.booleans(),
        st.booleans(),
    ),
    max_size=30,
)


@given(messages)
def test_every_readable_message_lands_in_exactly_one_comment_parents_first(
    raw: list[tuple[str, str, int, bool, bool]],
) -> None:
    minutes = 0.0
    chat = []
    for n, (author, text, gap, reply, bot) in enumerate(raw):
        minutes += gap
        reply_to = str(n - 2) if reply and n >= 2 else None
        chat.append(msg(n, author, text, minutes=minutes, reply_to=reply_to, bot=bot))
    thread = chat_thread(history(*chat, starts=False))
    readable = [m for m in chat if m.content.strip() and not m.bot]
    joined = "\n\n".join(c.text for c in thread.comments)
    assert sum(c.text.count("\n\n") + 1 for c in thread.comments) >= len(readable) or any(
        "\n\n" in m.content for m in readable
    )
    for m in readable:
        assert m.content.strip() in joined
    seen: set[str] = set()
    for c in thread.comments:
        assert c.parent_id is None or c.parent_id in seen
        seen.add(c.id)
    assert thread.missing == sum(1 for m in chat if not m.content.strip() and not m.bot)


EXPORT = Path(__file__).parent / "fixtures" / "discord-export.json"


def test_a_discord_channel_export_reads_as_the_same_conversation() -> None:
    thread = read_bytes(EXPORT.read_bytes())
    assert thread.source == "discord"
    assert thread.article is not None and thread.article.author == "Ruth"
    by_text = {c.text.split("\n\n")[0][:20]: c for c in thread.comments}
    omar = by_text["Sunday is the only d"]
    assert omar.text.endswith("Closing it would hurt working families most.")  # one burst
    assert omar.score == 4  # reactions
    assert by_text["The branch is empty "].parent_id == omar.id  # a reply to his second line
    assert by_text["Afternoons only woul"].parent_id == by_text["Could they open Sund"].id
    assert by_text["Afternoons only woul"].url == "https://discord.com/channels/66/77/1006"
    notes = " ".join(thread.notes)
    assert "Read 10 messages in #library" in notes
    assert "1 message from bots left out" in notes and "1 message held only embeds" in notes
    assert all("pinned" not in c.text for c in thread.comments)


def test_a_broken_discord_export_says_which_message() -> None:
    document = json.loads(EXPORT.read_text("utf-8"))
    del document["messages"][3]["timestamp"]
    with pytest.raises(MalformedInput, match="Message 4 of this Discord export has no id or time"):
        read_bytes(json.dumps(document).encode())


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
EXPORT_MESSAGE = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=5), "timestamp": st.just("2026-10-04T18:00:00+00:00")},
    optional={
        "type": JSONISH,
        "content": JSONISH,
        "author": st.fixed_dictionaries({}, optional={"name": JSONISH, "isBot": JSONISH}) | JSONISH,
        "reference": st.fixed_dictionaries({}, optional={"messageId": JSONISH}) | JSONISH,
        "reactions": st.lists(st.fixed_dictionaries({"count": JSONISH}) | JSONISH) | JSONISH,
        "embeds": JSONISH,
        "attachments": JSONISH,
    },
)
BROKEN_MESSAGE = st.fixed_dictionaries(
    {}, optional={"id": JSONISH, "timestamp": st.just("yesterday") | JSONISH}
)


@given(
    st.lists(EXPORT_MESSAGE, max_size=6) | st.lists(BROKEN_MESSAGE | JSONISH, max_size=3), JSONISH
)
def test_any_discord_export_is_read_or_refused_with_a_message(
    messages: list[object], date_range: object
) -> None:
    document = {"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": messages}
    document["dateRange"] = date_range
    try:
        outcome = read_bytes(json.dumps(document).encode()).notes[0]
    except MalformedInput as e:
        outcome = e.user_message()
    assert outcome.startswith("Read ") or "discord export" in outcome.lower()
