"""What the commands decide, without Discord: options, privacy, spans, history, readability,
when a resumed digest runs, and the list of digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import (
    Access,
    auto_summary_link,
    brief_options,
    changed_settings,
    check_history_access,
    check_publish,
    check_upload,
    digest_timezone,
    forum_tag,
    history_limit,
    link_in,
    message_target,
    parse_since,
    private_by_default,
    require_readable,
)
from bot.config import BriefConfig
from bot.digest.overview import digest_list
from bot.digest.service import resumed_run
from bot.digest.state import Subscription
from bot.errors import BadInput, PermissionMissing, TooLarge
from bot.render.embeds import embed_size
from bot.sources.chat import ChatHistory, ChatMessage
from bot.store import GuildSettings

CONFIG = BriefConfig(algorithm="lexrank", sentences=3, viewpoints=5)
SERVER = GuildSettings(guild_id=1, algorithm="luhn", sentences=4, viewpoints=2)


def said(*texts: str, system: bool = False) -> ChatHistory:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    messages = tuple(
        ChatMessage(id=str(i), author="ana", created=when, content=t, system=system)
        for i, t in enumerate(texts)
    )
    return ChatHistory(place="#general", messages=messages)


def test_what_the_member_asks_beats_the_server_and_the_config() -> None:
    options = brief_options(CONFIG, SERVER, algorithm="kl", sentences=7, viewpoints=9)
    assert (options.algorithm, options.sentences, options.viewpoints) == ("kl", 7, 9)


def test_the_servers_setting_beats_the_config_where_the_member_asks_nothing() -> None:
    options = brief_options(CONFIG, SERVER, sentences=6)
    assert (options.algorithm, options.sentences, options.viewpoints) == ("luhn", 6, 2)


def test_the_config_holds_where_neither_member_nor_server_chose() -> None:
    options = brief_options(CONFIG, GuildSettings(guild_id=1))
    assert (options.algorithm, options.sentences, options.viewpoints) == ("lexrank", 3, 5)
    assert brief_options(CONFIG) == options


def test_zero_asked_is_refused_not_read_as_unset() -> None:
    with pytest.raises(BadInput, match="at least 1 sentence, not 0"):
        brief_options(CONFIG, SERVER, sentences=0)
    with pytest.raises(BadInput, match="between 1 and 25, not 0"):
        brief_options(CONFIG, SERVER, viewpoints=0)


def test_new_server_defaults_keep_what_the_admin_did_not_change() -> None:
    updated = changed_settings(SERVER, sentences=5, timezone="Europe/Paris")
    assert (updated.algorithm, updated.sentences, updated.viewpoints) == ("luhn", 5, 2)
    assert updated.timezone == "Europe/Paris"


def test_a_conversation_brief_is_private_unless_its_channel_takes_briefs() -> None:
    briefs_here = GuildSettings(guild_id=1, auto_channels=frozenset({10}))
    assert private_by_default(briefs_here, channel_id=11) is True
    assert private_by_default(briefs_here, channel_id=10) is False
    assert private_by_default(briefs_here, channel_id=12, parent_id=10) is False  # its thread
    assert private_by_default(None, channel_id=10) is True  # outside a server


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("90m", timedelta(minutes=90)),
        ("6h", timedelta(hours=6)),
        (" 3 days ", timedelta(days=3)),
        ("2W", timedelta(weeks=2)),
        ("999w", timedelta(days=400)),
    ],
)
def test_a_span_reads_back_that_far(text: str, span: timedelta) -> None:
    assert parse_since(text) == span


@pytest.mark.parametrize("text", ["0h", "yesterday", "6", "-3d", ""])
def test_what_is_not_a_span_is_refused_with_how_to_write_one(text: str) -> None:
    with pytest.raises(BadInput) as refused:
        parse_since(text)
    assert refused.value.user_message().endswith("Write it like 90m, 6h, 3d or 2w.")


def test_history_is_read_up_to_the_bots_limit_and_no_further() -> None:
    assert history_limit(None, 500) == 500
    assert history_limit(20, 500) == 20
    with pytest.raises(TooLarge, match="at most 500 messages"):
        history_limit(501, 500)


def test_a_conversation_without_text_says_why_it_cannot_be_briefed() -> None:
    hidden = said("", " ")
    with pytest.raises(BadInput) as refused:
        require_readable(hidden, message_content=False)
    message = refused.value.user_message()
    assert "nothing to brief in #general: 2 messages read" in message
    assert "Message Content intent" in message
    with pytest.raises(BadInput, match="more conversation"):
        require_readable(said("joined", system=True), message_content=True)
    history = said("", "The tram is late again.")
    assert require_readable(history, message_content=True) is history


def paused_digest(schedule: str, created: datetime) -> Subscription:
    return Subscription(
        id=1,
        guild_id=1,
        channel_id=2,
        source="https://example.org/feed",
        schedule=schedule,
        timezone="UTC",
        post_empty=False,
        created_by=None,
        created_at=created,
        paused=True,
        next_run=created,
        retry_at=None,
        last_run=None,
        last_success=None,
        last_result=None,
        failures=0,
        failure_notified=False,
    )


def test_a_resumed_digest_runs_at_its_next_time_on_its_own_schedule_not_at_once() -> None:
    created = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    now = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)  # a week paused
    assert resumed_run(paused_digest("every 6h", created), now) == now.replace(hour=19, minute=0)
    assert resumed_run(paused_digest("daily 08:00", created), now) == datetime(
        2026, 3, 10, 8, 0, tzinfo=UTC
    )


def test_the_digest_list_shows_what_one_embed_holds_and_counts_the_rest() -> None:
    created = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    many = [
        replace(paused_digest("every 6h", created), id=n, last_result="x" * 900, failures=2)
        for n in range(1, 31)
    ]
    embed = digest_list(many)
    assert [f["name"].split(" · ")[0] for f in embed["fields"]] == [f"#{n}" for n in range(1, 26)]
    assert embed["footer"]["text"] == "5 more not shown"
    assert embed_size(embed) <= 6000
    assert "2 failures in a row" in embed["fields"][0]["value"]
    assert digest_list([])["description"] == "No digests yet. Add one with `/digest add`."


def test_a_link_is_the_first_web_address_typed_or_a_refusal_saying_how() -> None:
    assert link_in("see https://example.org/tram and https://x.org") == "https://example.org/tram"
    with pytest.raises(BadInput, match="'example dot org' is not a web link"):
        link_in("example dot org")


def test_summarize_thread_briefs_a_messages_file_before_its_link() -> None:
    assert message_target(["export.xml"], "https://example.org/tram") == "export.xml"
    assert message_target([], "read https://example.org/tram") == "https://example.org/tram"
    with pytest.raises(BadInput, match="no link or attached file"):
        message_target([], "just words")


def test_an_upload_past_the_limit_is_refused_with_its_size() -> None:
    check_upload("small.xml", 1024, 8)
    with pytest.raises(TooLarge, match=r"big.xml is 9.5 MB; this bot reads files up to 8 MB"):
        check_upload("big.xml", int(9.5 * 1048576), 8)


READS = Access(view=True, history=True, connect=True)


@pytest.mark.parametrize(
    ("member", "bot", "voice", "said"),
    [
        (Access(True, False, True), READS, False, "You cannot read this channel's history"),
        (READS, Access(False, True, True), False, "ThreadBrief cannot read #general: it needs"),
        (Access(True, True, False), READS, True, "You cannot connect to this voice channel"),
        (READS, Access(True, True, False), True, "needs the Connect permission too"),
    ],
)
def test_a_conversation_nobody_may_read_is_refused_saying_which_permission(
    member: Access, bot: Access, voice: bool, said: str
) -> None:
    with pytest.raises(PermissionMissing, match=said):
        check_history_access("#general", member, bot, voice=voice)


def test_connect_matters_only_in_a_voice_channel() -> None:
    no_connect = Access(view=True, history=True, connect=False)
    check_history_access("#general", no_connect, no_connect, voice=False)
    check_history_access("the voice chat", READS, READS, voice=True)


def test_a_link_posted_where_auto_summary_is_on_is_briefed_and_nowhere_else() -> None:
    on_here = GuildSettings(guild_id=1, auto_channels=frozenset({10}))
    posted = "Did you see https://example.org/tram and https://example.org/bus?"
    assert auto_summary_link(on_here, 10, posted) == "https://example.org/tram"
    assert auto_summary_link(on_here, 11, posted) is None
    assert auto_summary_link(on_here, 10, "no link here") is None


def test_a_new_digest_keeps_the_time_zone_asked_else_the_servers_else_utc() -> None:
    paris = GuildSettings(guild_id=1, timezone="Europe/Paris")
    assert digest_timezone("Asia/Tokyo", paris) == "Asia/Tokyo"
    assert digest_timezone(None, paris) == "Europe/Paris"
    assert digest_timezone(None, GuildSettings(guild_id=1)) == "UTC"


def test_a_forum_tag_is_found_by_name_or_refused_listing_the_tags() -> None:
    tags = [(7, "News"), (8, "Weekly")]
    assert forum_tag("<#5>", tags, " weekly ") == 8
    assert forum_tag("<#5>", None, None) is None
    with pytest.raises(BadInput) as refused:
        forum_tag("<#5>", tags, "daily")
    assert refused.value.user_message() == (
        "The forum <#5> has no tag 'daily'. Its tags: News, Weekly."
    )
    with pytest.raises(BadInput, match="<#5> is not a forum"):
        forum_tag("<#5>", None, "news")


def test_publishing_needs_an_announcement_channel() -> None:
    check_publish("<#5>", True, announcement=True)
    check_publish("<#5>", False, announcement=False)
    with pytest.raises(BadInput, match="<#5> is not an announcement channel"):
        check_publish("<#5>", True, announcement=False)
