"""/summarize here and "Summarize from here": a Discord conversation briefed, end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conversation import START, VIEWS, person, post_conversation
from tests.fakediscord.server import (
    ADMIN,
    CHANNEL_ID,
    FORUM_POST_ID,
    MEMBER,
    NICKNAMES,
    THREAD_ID,
    VOICE_ID,
    FakeDiscord,
    InteractionRecord,
)
from tests.localweb import page_app, serving
from tests.test_bot_summarize import final_embed

NO_HISTORY = str(0x400 | 0x800 | 0x4000)  # view, send, embed links: no Read Message History
ARTICLE = """<html><head><title>Night buses return</title></head><body><article>
<h1>Night buses return to the eastern suburbs</h1>
<p>The city council voted on Thursday to bring back night buses to the eastern suburbs.</p>
<p>Buses will run every thirty minutes between midnight and five in the morning.</p>
<p>The service will be paid for by a new levy on parking in the city centre.</p>
<p>Unions of night workers had asked for the buses since the service was cut three years ago.</p>
</article></body></html>"""


@asynccontextmanager
async def article_site() -> AsyncIterator[str]:
    async with serving(page_app("/night-buses", ARTICLE)) as base:
        yield f"{base}/night-buses"


async def error_text(fake: FakeDiscord, record: InteractionRecord) -> str:
    await fake.wait_for(
        lambda: (
            record.followups or (record.original and record.original["embeds"] and record.ephemeral)
        )
    )
    shown = record.followups[-1] if record.followups else record.original
    assert shown is not None and shown["flags"] & 64, "errors are private"
    return str(shown["embeds"][0]["description"])


def history_pages(fake: FakeDiscord, channel_id: int) -> list[Any]:
    return [
        r
        for r in fake.requests
        if r.method == "GET" and f"/channels/{channel_id}/messages" in r.path
    ]


async def test_summarize_here_in_a_forum_post_briefs_300_messages_in_three_languages(
    fake: FakeDiscord, reading_bot
) -> None:
    async with article_site() as url:
        post_conversation(
            fake,
            FORUM_POST_ID,
            300,
            opener=f"The council brought the night buses back: {url}",
            opener_id=str(FORUM_POST_ID),
        )
        record = await fake.invoke_slash("summarize", subcommand="here", in_channel=FORUM_POST_ID)
        embed = await final_embed(fake, record)
    # The starter's link stands as the article; the messages are the comments.
    assert embed["title"] == "Night buses return to the eastern suburbs"
    description = embed["description"]
    assert "What the article says" in description and "night buses" in description.lower()
    assert "French" in description and "German" in description
    assert "Who took part" in description and "most active" in description
    assert "Read 300 messages in the thread “Night buses?”" in description
    # Views are quoted from real messages, with links to jump to them.
    fields = " ".join(f["name"] + f["value"] for f in embed["fields"])
    assert "https://discord.com/channels/" in fields
    # Both views people hold are there, each stated in one of its messages.
    assert any(sentence in fields for sentence in VIEWS["cost"])
    assert any(sentence in fields for sentence in VIEWS["safety"])
    # Private by default: the forum post did not ask for the bot's posts.
    assert record.ephemeral
    assert "<@" not in str(record.original)
    assert len(history_pages(fake, FORUM_POST_ID)) >= 3  # 100 messages a page


async def test_a_short_conversation_without_article_says_what_was_said_and_who(
    fake: FakeDiscord, reading_bot
) -> None:
    for n, (name, text) in enumerate(
        [
            ("Ana", "Should the night buses come back to the eastern suburbs?"),
            ("Bruno", "They cost far too much for a service so few people use."),
            ("Eve", "Night workers need a safe way home, a bus is much safer than walking."),
            ("Bruno", "Paying for empty buses at three in the morning is a waste of money."),
        ]
    ):
        fake.chat_message(
            text, author=person(name), channel_id=THREAD_ID, at=START.replace(minute=n * 10)
        )
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    embed = await final_embed(fake, record)
    assert embed["title"] == "Tram vote"  # the thread's name titles a brief without article
    description = embed["description"]
    assert "What was said" in description
    assert "**Bruno**: They cost far too much" in description
    assert "Read 4 messages in the thread “Tram vote”" in description


async def test_names_in_the_brief_never_ping_or_format(fake: FakeDiscord, reading_bot) -> None:
    for n, name in enumerate(["@everyone", "**Loud**", "@everyone", "Quiet"]):
        fake.chat_message(
            f"Message {n}: the night buses should come back to the suburbs soon.",
            author=person(name),
            channel_id=THREAD_ID,
            at=START.replace(minute=n * 10),
        )
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    embed = await final_embed(fake, record)
    shown = embed["description"] + "".join(f["value"] for f in embed.get("fields", []))
    assert "@everyone" not in shown and "@\u200beveryone" in shown
    assert "**Loud**" not in shown and "\\*\\*Loud\\*\\*" in shown
    assert record.original_edits[-1]["allowed_mentions"] == {"parse": []}


async def test_without_the_message_content_intent_the_owner_is_told_what_to_turn_on(
    fake: FakeDiscord, bot
) -> None:
    post_conversation(fake, THREAD_ID, 12)  # Discord withholds their text from this bot
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    text = await error_text(fake, record)
    assert "12 messages read, none with text the bot may read" in text
    assert "without the Message Content intent" in text and "bot.message\\_content" in text


async def test_rate_limits_while_paging_are_waited_out(fake: FakeDiscord, reading_bot) -> None:
    post_conversation(fake, THREAD_ID, 250)
    fake.rate_limit_next("GET", f"/channels/{THREAD_ID}/messages", retry_after=0.3)
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    embed = await final_embed(fake, record)
    assert fake.rate_limited, "the stand-in answered 429 once"
    assert "Read 250 messages" in embed["description"]


async def test_unreadable_messages_are_counted_and_bots_left_out_unless_asked(
    fake: FakeDiscord, reading_bot
) -> None:
    post_conversation(fake, THREAD_ID, 120)
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    embed = await final_embed(fake, record)
    text = embed["description"]
    assert "Read 120 messages" in text
    assert "had no text the bot may read" in text and "Message Content" in text
    assert "from bots left out" in text
    assert "missing or deleted" in text  # the counts line carries the unreadable ones
    again = await fake.invoke_slash(
        "summarize", subcommand="here", in_channel=THREAD_ID, bots=True, user=ADMIN
    )
    assert "from bots left out" not in (await final_embed(fake, again))["description"]


async def test_a_long_channel_is_read_up_to_the_limit_and_says_what_was_left(
    fake: FakeDiscord, reading_bot
) -> None:
    post_conversation(fake, CHANNEL_ID, 150)
    record = await fake.invoke_slash("summarize", subcommand="here", messages=60)
    embed = await final_embed(fake, record)
    assert "Read 60 messages in \\#general" in embed["description"]
    assert "Only the last 60 messages were read" in embed["description"]
    too_many = await fake.invoke_slash("summarize", subcommand="here", messages=5000, user=ADMIN)
    assert "reads at most 1,000 messages" in await error_text(fake, too_many)


async def test_since_reads_only_that_span_and_a_bad_span_is_explained(
    fake: FakeDiscord, reading_bot
) -> None:
    post_conversation(fake, THREAD_ID, 50, seed=3)  # days ago
    post_conversation(fake, THREAD_ID, 30, seed=4, start=datetime.now(UTC) - timedelta(hours=3))
    record = await fake.invoke_slash(
        "summarize", subcommand="here", in_channel=THREAD_ID, since="6h"
    )
    assert "Read 30 messages" in (await final_embed(fake, record))["description"]
    bad = await fake.invoke_slash("summarize", subcommand="here", since="yesterday")
    assert "'yesterday' is not a span of time" in await error_text(fake, bad)


async def test_without_read_message_history_the_bot_says_which_permission(
    fake: FakeDiscord, reading_bot
) -> None:
    post_conversation(fake, THREAD_ID, 20)
    record = await fake.invoke_slash(
        "summarize", subcommand="here", in_channel=THREAD_ID, bot_permissions=NO_HISTORY
    )
    text = await error_text(fake, record)
    assert "needs the View Channel and Read Message History permissions" in text
    assert not history_pages(fake, THREAD_ID)


async def test_when_discord_refuses_the_history_the_user_is_told_why(
    fake: FakeDiscord, reading_bot
) -> None:
    post_conversation(fake, THREAD_ID, 20)
    fake.hidden_channels.add(THREAD_ID)
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    text = await error_text(fake, record)
    assert "Discord refused to show the history of the thread “Tram vote”" in text
    assert "Read Message History" in text


async def test_a_member_who_cannot_read_the_history_cannot_brief_it(
    fake: FakeDiscord, reading_bot
) -> None:
    post_conversation(fake, THREAD_ID, 20)
    record = await fake.invoke_slash(
        "summarize", subcommand="here", in_channel=THREAD_ID, user_permissions=NO_HISTORY
    )
    assert "You cannot read this channel's history" in await error_text(fake, record)
    assert not history_pages(fake, THREAD_ID)


async def test_summarize_from_here_starts_at_the_message_picked(
    fake: FakeDiscord, reading_bot
) -> None:
    post_conversation(fake, CHANNEL_ID, 30, seed=1)
    opener = (
        "Proposal: the city should bring back night buses to the eastern suburbs, every thirty "
        "minutes from midnight to five, paid for by a levy on parking in the centre. "
        "What do you think about it?"
    )
    picked = fake.chat_message(
        opener, author=person("Mira"), channel_id=CHANNEL_ID, at=START.replace(day=21)
    )
    post_conversation(fake, CHANNEL_ID, 40, seed=2, start=START.replace(day=22))
    record = await fake.invoke_message_menu("Summarize from here", picked)
    embed = await final_embed(fake, record)
    assert embed["title"].startswith("Proposal\\: the city should bring back night buses")
    assert "Read 41 messages in \\#general" in embed["description"]
    assert record.ephemeral


async def test_in_a_channel_chosen_for_briefs_the_brief_is_public(
    fake: FakeDiscord, reading_bot
) -> None:
    done = await fake.invoke_slash(
        "settings", subcommand="autosummary", user=ADMIN, channel=CHANNEL_ID, enabled=True
    )
    await fake.wait_for(lambda: done.original)
    post_conversation(fake, CHANNEL_ID, 40)
    record = await fake.invoke_slash("summarize", subcommand="here")
    await final_embed(fake, record)
    assert not record.ephemeral


async def test_nothing_read_is_stored(fake: FakeDiscord, reading_bot, tmp_path) -> None:
    post_conversation(fake, THREAD_ID, 60)
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    await final_embed(fake, record)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*"))
    assert stored, "the bot's database exists"
    assert b"night buses" not in stored.lower() and b"Ana" not in stored


async def test_help_mentions_briefing_a_conversation(fake: FakeDiscord, bot) -> None:
    record = await fake.invoke_slash("help")
    await fake.wait_for(lambda: record.original)
    assert record.original is not None
    assert "/summarize here" in record.original["embeds"][0]["description"]


async def test_a_thread_started_from_a_message_keeps_its_opening_post(
    fake: FakeDiscord, reading_bot
) -> None:
    async with article_site() as url:
        parent = fake.chat_message(
            f"The council brought the night buses back: {url}",
            author=person("Mira"),
            channel_id=CHANNEL_ID,
            at=START - timedelta(hours=1),
        )
        thread_id = fake.start_thread_from(parent, "Night buses are back")
        post_conversation(fake, thread_id, 40)
        record = await fake.invoke_slash("summarize", subcommand="here", in_channel=thread_id)
        embed = await final_embed(fake, record)
    # The starter message (type 21) has no text: the opening post is its referenced message.
    assert embed["title"] == "Night buses return to the eastern suburbs"
    assert "Read 41 messages" in embed["description"]


async def test_a_forwarded_message_is_read_from_its_snapshot(
    fake: FakeDiscord, reading_bot
) -> None:
    original = fake.chat_message(
        "Night workers need a safe way home, a bus is much safer than walking.",
        author=person("Eve"),
        channel_id=CHANNEL_ID,
        at=START,
    )
    for n, (name, text) in enumerate(
        [
            ("Ana", "Should the night buses come back to the eastern suburbs?"),
            ("Bruno", "They cost far too much for a service so few people use."),
        ]
    ):
        fake.chat_message(
            text, author=person(name), channel_id=THREAD_ID, at=START.replace(minute=n * 10)
        )
    fake.forward(original, author=person("Femi"), channel_id=THREAD_ID, at=START.replace(minute=30))
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    embed = await final_embed(fake, record)
    assert "safe way home" in embed["description"]


async def test_people_are_named_by_their_server_nickname(fake: FakeDiscord, reading_bot) -> None:
    for n, text in enumerate(
        [
            "Should the night buses come back to the eastern suburbs?",
            "They cost far too much for a service so few people use.",
            "Night workers need a safe way home, a bus is much safer than walking.",
        ]
    ):
        fake.chat_message(text, author=MEMBER, channel_id=THREAD_ID, at=START.replace(minute=n))
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=THREAD_ID)
    embed = await final_embed(fake, record)
    assert f"**{NICKNAMES[MEMBER['id']]}**" in embed["description"]
    assert "**Bob**" not in embed["description"]
    assert fake.member_lookups == 1  # one lookup per person, not per message


async def test_a_voice_channel_chat_needs_connect(fake: FakeDiscord, reading_bot) -> None:
    post_conversation(fake, VOICE_ID, 20)
    record = await fake.invoke_slash("summarize", subcommand="here", in_channel=VOICE_ID)
    text = await error_text(fake, record)
    assert "needs the Connect permission" in text
    assert "Message Content" not in text


async def test_a_link_posted_where_auto_summary_is_on_gets_the_brief_as_a_quiet_reply(
    fake: FakeDiscord, reading_bot
) -> None:
    turned_on = await fake.invoke_slash(
        "settings", subcommand="autosummary", user=ADMIN, channel=CHANNEL_ID, enabled=True
    )
    await fake.wait_for(lambda: turned_on.original)
    async with article_site() as url:
        posted = await fake.post(f"Night buses are back: {url}", author=MEMBER)
        reply = await fake.wait_for(
            lambda: next((m for m in fake.channel_messages if m["type"] == 19), None), within=60
        )
    assert reply["embeds"][0]["title"] == "Night buses return to the eastern suburbs"
    assert reply["message_reference"]["message_id"] == posted["id"] and reply["mentions"] == []
    assert reply["_request"]["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert reply["_request"]["message_reference"]["fail_if_not_exists"] is False
