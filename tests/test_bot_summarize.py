"""/summarize and friends, end to end: the real discord.py client against a local Discord."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.render.json import thread_dict
from bot.thread import Article, Comment, Thread
from tests.fakediscord.server import ADMIN, MEMBER, CommandHidden, FakeDiscord, InteractionRecord
from tests.localweb import page_app, serving
from tests.threads import big_thread

FIXTURE = Path(__file__).parent / "fixtures" / "tram-vote.txt"


async def final_embed(
    fake: FakeDiscord, record: InteractionRecord, within: float = 30.0
) -> dict[str, Any]:
    await fake.wait_for(
        lambda: (
            record.original and record.original["embeds"] and not record.original["flags"] & 128
        ),
        within=within,
    )
    assert record.original is not None
    return record.original["embeds"][0]


def last_edit_request(record: InteractionRecord) -> dict[str, Any]:
    return [e for e in record.original_edits if e.get("embeds")][-1]


async def test_summarize_file_defers_shows_progress_then_the_brief(fake: FakeDiscord, bot) -> None:
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    embed = await final_embed(fake, record)
    assert record.callbacks[0]["type"] == 5  # deferred at once
    progress = [e["content"] for e in record.original_edits if e.get("content")]
    assert any("Reading 8 comments" in p for p in progress)
    assert embed["title"] == "Council approves the river tram after a long night"
    assert "8 comments" in embed["description"] and "What the article says" in embed["description"]
    assert embed["author"]["name"] == "Lena Ortiz · The Riverside Courier"
    fields = [f["name"] + f["value"] for f in embed["fields"]]
    # The traffic viewpoint, headed by a commenter's sentence; the German comment apart.
    assert any("the air is terrible" in f and "traffic" in f for f in fields)
    assert any("German" in f for f in fields)
    assert not record.ephemeral
    assert last_edit_request(record)["allowed_mentions"] == {"parse": []}


async def test_private_option_makes_the_brief_ephemeral(fake: FakeDiscord, bot) -> None:
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment, private=True)
    await final_embed(fake, record)
    assert record.callbacks[0]["data"]["flags"] & 64 and record.ephemeral


def thread_with(text: str) -> bytes:
    article = Article(title="Post", paragraphs=("The article has one sentence to say.",))
    comments = (
        Comment(id="1", author="Mallory", text=text),
        Comment(id="2", author="Trent", text="I disagree with the article entirely here."),
    )
    return json.dumps(
        thread_dict(Thread(source="json", article=article, comments=comments))
    ).encode()


async def test_quoted_comments_cannot_ping_or_format_the_post(fake: FakeDiscord, bot) -> None:
    hostile = (
        "@everyone look at <@&123> and <@456> now, **this** is [a link](https://evil.test) "
        "and `code` # heading"
    )
    attachment = fake.add_attachment("thread.json", thread_with(hostile))
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    embed = await final_embed(fake, record)
    [quote] = [f["name"] + f["value"] for f in embed["fields"] if "Mallory" in f["value"]]
    assert "@\u200beveryone" in quote and "@everyone" not in quote
    assert r"\<\@&123\>" in quote and "<@&123>" not in quote and "<@456>" not in quote
    assert r"\*\*this\*\*" in quote and r"\[a link\]\(https" in quote
    assert r"\# heading" in quote
    assert last_edit_request(record)["allowed_mentions"] == {"parse": []}


async def test_a_pdf_upload_gets_a_private_specific_answer(fake: FakeDiscord, bot) -> None:
    attachment = fake.add_attachment("paper.pdf", b"%PDF-1.7\n%...")
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    await fake.wait_for(lambda: record.followups)
    [reply] = record.followups
    assert reply["flags"] & 64
    assert "This is a PDF document, not a thread" in reply["embeds"][0]["description"]
    assert record.deleted  # the public "thinking…" message did not stay behind


async def test_help_tells_a_newcomer_what_the_bot_reads(fake: FakeDiscord, bot) -> None:
    record = await fake.invoke_slash("help")
    await fake.wait_for(lambda: record.original)
    assert record.original is not None and record.ephemeral
    description = record.original["embeds"][0]["description"]
    assert "/summarize link url:" in description and "Summarize thread" in description
    assert "/digest add" in description


async def test_message_menu_briefs_the_attached_export(fake: FakeDiscord, bot) -> None:
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    message = fake.user_message("here is the thread", attachments=[attachment])
    record = await fake.invoke_message_menu("Summarize thread", message)
    embed = await final_embed(fake, record)
    assert embed["title"].startswith("Council approves")


async def test_message_menu_on_a_message_without_link_or_file(fake: FakeDiscord, bot) -> None:
    record = await fake.invoke_message_menu("Summarize thread", fake.user_message("hello"))
    await fake.wait_for(lambda: record.original)
    assert record.original is not None and record.ephemeral
    assert "no link or attached file" in record.original["embeds"][0]["description"]


def components(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message["components"] for c in row["components"]]


async def click_until_answered(
    fake: FakeDiscord, record: InteractionRecord, custom_id: str, user: dict[str, Any]
) -> InteractionRecord:
    """Click, and click again if nothing answers: the message can reach the user a moment
    before the bot has registered its buttons, and a user would simply click again."""
    for _ in range(10):
        click = await fake.click(record, custom_id, user=user)
        try:
            await fake.wait_for(lambda c=click: c.callbacks, within=1.0)
        except TimeoutError:
            continue
        return click
    raise TimeoutError("no answer to the button after 10 clicks")


async def test_pages_turn_for_the_invoker_only(fake: FakeDiscord, bot) -> None:
    data = json.dumps(thread_dict(big_thread(300))).encode()
    attachment = fake.add_attachment("big.json", data)
    record = await fake.invoke_slash("summarize", subcommand="file", file=attachment, viewpoints=1)
    first = await final_embed(fake, record)
    assert record.original is not None
    buttons = {b.get("label"): b for b in components(record.original)}
    assert buttons["◀ Previous"]["disabled"] and not buttons["Next ▶"].get("disabled")
    other = await click_until_answered(fake, record, buttons["Next ▶"]["custom_id"], ADMIN)
    assert other.callbacks[0]["type"] == 4 and other.callbacks[0]["data"]["flags"] & 64
    mine = await click_until_answered(fake, record, buttons["Next ▶"]["custom_id"], MEMBER)
    assert mine.callbacks[0]["type"] == 7
    second = mine.callbacks[0]["data"]["embeds"][0]
    assert second["footer"]["text"].startswith("lexrank · page 2/")
    assert first["fields"][0]["name"] != second["fields"][0]["name"]


async def test_admin_defaults_apply_to_the_next_brief(fake: FakeDiscord, bot) -> None:
    record = await fake.invoke_slash(
        "settings", subcommand="defaults", user=ADMIN, algorithm="textrank", sentences=2
    )
    await fake.wait_for(lambda: record.original)
    assert record.original is not None and "textrank" in record.original["embeds"][0]["description"]
    attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
    brief = await final_embed(
        fake, await fake.invoke_slash("summarize", subcommand="file", file=attachment)
    )
    assert brief["footer"]["text"].startswith("textrank")
    assert brief["description"].count("• ") == 2


async def test_a_member_cannot_change_server_settings(fake: FakeDiscord, bot) -> None:
    # /settings is synced for Manage Server only: Discord does not even list it for a member.
    with pytest.raises(CommandHidden):
        await fake.invoke_slash("settings", subcommand="defaults", user=MEMBER, algorithm="lsa")
    record = await fake.invoke_slash("settings", subcommand="show", user=ADMIN)
    await fake.wait_for(lambda: record.original)
    assert record.original is not None and record.ephemeral


async def test_summarize_url_reads_a_page_served_locally(fake: FakeDiscord, bot) -> None:

    page = (Path(__file__).parent / "fixtures" / "wordpress-post.html").read_bytes()
    async with serving(page_app("/post", page)) as base:
        record = await fake.invoke_slash("summarize", subcommand="link", url=f"{base}/post")
        embed = await final_embed(fake, record)
    assert embed["title"] == "Why the library should open on Sundays"
    assert embed["url"] == f"{base}/post"
    assert "3 comments" in embed["description"]
    assert record.original is not None
    [link] = [c for c in components(record.original) if c.get("url")]
    assert link["label"] == "Source"


async def test_a_private_address_is_refused_with_a_clear_message(fake: FakeDiscord, bot) -> None:
    record = await fake.invoke_slash(
        "summarize", subcommand="link", url="http://169.254.169.254/latest/meta-data"
    )
    await fake.wait_for(lambda: record.followups)
    [reply] = record.followups
    assert reply["flags"] & 64
    assert "link-local address" in reply["embeds"][0]["description"].replace("\\", "")


async def test_an_upload_past_max_comments_is_refused_privately_while_read(
    fake: FakeDiscord, tmp_path: Path, worker_pool: Any
) -> None:
    from tests.fakediscord.fixtures import bot_config, running_bot

    async with running_bot(fake, bot_config(tmp_path, max_comments=5), worker_pool):
        attachment = fake.add_attachment("tram-vote.txt", FIXTURE.read_bytes())
        record = await fake.invoke_slash("summarize", subcommand="file", file=attachment)
        await fake.wait_for(lambda: record.followups)
    [reply] = record.followups
    assert reply["flags"] & 64
    text = reply["embeds"][0]["description"]
    assert "more than 5 comments; this bot briefs at most 5" in text
    assert r"raise bot.max\_comments" in text  # escaped for Discord markdown


async def test_a_2100_character_url_keeps_every_message_within_discords_limits(
    fake: FakeDiscord, bot
) -> None:
    page = (Path(__file__).parent / "fixtures" / "wordpress-post.html").read_bytes()
    async with serving(page_app("/post", page)) as base:
        url = f"{base}/post?utm_campaign=" + "spring-newsletter-" * 115
        assert len(url) > 2100
        record = await fake.invoke_slash("summarize", subcommand="link", url=url)
        embed = await final_embed(fake, record)
    assert embed["title"] == "Why the library should open on Sundays"
    progress = [e["content"] for e in record.original_edits if e.get("content")]
    assert progress and all(len(text) <= 2000 for text in progress)
    assert not record.refused


async def test_page_buttons_from_before_a_restart_say_they_expired(
    fake: FakeDiscord, tmp_path: Path, worker_pool: Any
) -> None:
    from tests.fakediscord.fixtures import bot_config, start_bot, stop_bot

    config = bot_config(tmp_path)
    bot = await start_bot(config, worker_pool)
    data = json.dumps(thread_dict(big_thread(300))).encode()
    record = await fake.invoke_slash(
        "summarize", subcommand="file", file=fake.add_attachment("big.json", data), viewpoints=1
    )
    await final_embed(fake, record)
    await stop_bot(bot)  # the bot restarts: the pages it kept in memory are gone

    bot = await start_bot(config, worker_pool)
    try:
        assert record.original is not None
        buttons = {b.get("label"): b for b in components(record.original)}
        click = await click_until_answered(fake, record, buttons["Next ▶"]["custom_id"], MEMBER)
    finally:
        await stop_bot(bot)
    [answer] = click.callbacks
    assert answer["type"] == 4 and answer["data"]["flags"] & 64
    assert "page buttons have expired" in answer["data"]["content"]


async def test_a_dev_guild_clears_the_global_commands_of_an_earlier_run(
    fake: FakeDiscord, tmp_path: Path, worker_pool: Any
) -> None:
    from tests.fakediscord.fixtures import bot_config, running_bot
    from tests.fakediscord.server import APP_ID, GUILD_ID

    fake.commands["1:summarize"] = {
        "id": "1",
        "application_id": str(APP_ID),
        "name": "summarize",
        "type": 1,
        "description": "Brief an article",
        "options": [],
        "version": "1",
    }
    config = bot_config(tmp_path, dev_guild_id=GUILD_ID)
    async with running_bot(fake, config, worker_pool):
        assert fake.commands == {}  # no duplicate of each command in the dev server
        assert "1:summarize" in fake.guild_commands
        record = await fake.invoke_slash("help")
        await fake.wait_for(lambda: record.original)


async def test_every_option_has_a_real_description(fake: FakeDiscord, bot) -> None:
    def options(command: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for option in command.get("options") or []:
            found.append(option)
            found += options(option)
        return found

    described = [o for c in fake.commands.values() for o in options(c)]
    assert len(described) > 20
    assert [o["name"] for o in described if o["description"] in ("…", "...", "")] == []
