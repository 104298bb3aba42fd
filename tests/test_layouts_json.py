"""API dumps and exports as real sites write them: Reddit markdown, Mastodon mentions and
languages, Discourse notices, WXR from other importers, Hacker News ids, Discord markdown."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sources.markdown_text import discord_to_text, markdown_to_text, prose_paragraphs
from tests.layouts import authors, comments, depth, not_own, own_words, summarize


def viewpoint_quotes(doc: dict[str, Any]) -> list[str]:
    return [q["text"] for v in doc["brief"]["viewpoints"] for q in v["quotes"]]


def test_reddit_markdown_reads_as_plain_text_with_quotes() -> None:
    doc = summarize("reddit/poll-markdown.json")
    first, reply = comments(doc)[0], comments(doc)[1]
    assert "**" not in first["text"] and first["text"].startswith("Ride all winter. Mudguards")
    assert not_own(reply, "quote") == "the dark is the real problem, not the rain"
    assert own_words(reply).startswith("Agreed. Two rear lights, one steady & one flashing")
    assert doc["brief"]["title"] == "Weekly poll: do you ride in the rain & the dark?"
    assert depth(doc) == 1
    assert doc["brief"]["counts"]["missing"] == 2  # a deleted comment and a "more" stub


def test_reddit_headings_and_bare_links_are_not_summary_sentences() -> None:
    doc = summarize("reddit/poll-markdown.json")
    article = doc["thread"]["article"]["paragraphs"]
    assert article[0].startswith("Every week we ask one question")
    assert not any("Why Polls" in p or "View Poll" in p or "http" in p for p in article)
    assert not any("Why Polls" in s or "View Poll" in s for s in doc["brief"]["summary"])


def test_a_comment_that_is_only_a_link_or_an_address_has_no_language_and_no_view() -> None:
    doc = summarize("reddit/poll-markdown.json")
    link, address = comments(doc)[3], comments(doc)[4]
    assert link["language"] == "und" and address["language"] == "und"
    assert doc["brief"]["counts"]["languages"] == {"en": 4}
    shown = viewpoint_quotes(doc)
    assert not any("example.org" in q for q in shown)
    assert all(link["id"] not in v["comment_ids"] for v in doc["brief"]["viewpoints"])


def test_mastodon_leading_mentions_are_addressing_not_content() -> None:
    doc = summarize("mastodon/mentions-and-languages.json")
    assert all(not c["text"].startswith("@") for c in comments(doc))
    assert comments(doc)[1]["text"].startswith("Ours asks for a small deposit")
    labels = " ".join(v["label"] for v in doc["brief"]["viewpoints"])
    assert "maren" not in labels and "teo" not in labels and "ada" not in labels
    assert not any(q.startswith("@") for q in viewpoint_quotes(doc))
    assert authors(doc) == ["Teodor Vik", "Ada Okafor", "Teodor Vik", "Jonas Weber"]
    assert depth(doc) == 2


def test_a_mastodon_post_s_declared_language_is_checked_against_its_text() -> None:
    doc = summarize("mastodon/mentions-and-languages.json")
    assert [c["language"] for c in comments(doc)] == ["en", "en", "en", "de"]
    assert doc["brief"]["counts"]["languages"] == {"en": 3, "de": 1}


def test_discourse_notices_are_not_comments_and_missing_posts_are_counted_right() -> None:
    doc = summarize("discourse/small-actions-and-missing.json")
    counts = doc["brief"]["counts"]
    assert counts["comments"] == 16 and counts["missing"] == 2 and counts["declared"] == 18
    assert not any("split to a new topic" in c["text"] for c in comments(doc))
    assert "system" not in authors(doc)
    assert any("2 moderator notices" in n for n in doc["brief"]["notes"])


def test_a_wxr_written_by_another_importer_reads_its_posts() -> None:
    doc = summarize("wxr/no-post-type.xml")
    assert doc["brief"]["title"] == "Why we planted a community orchard on the old car park"
    assert authors(doc) == ["Gethin Morgan", "Sian", "Bronwen Lloyd"]
    assert depth(doc) == 1
    assert doc["brief"]["author"] == "Bronwen Lloyd"


def test_a_saved_hacker_news_story_with_only_reply_ids_says_so() -> None:
    doc = summarize("hackernews/story-ids-only.json")
    counts = doc["brief"]["counts"]
    assert counts["comments"] == 0 and counts["declared"] == 57 and counts["missing"] == 57
    (note,) = doc["brief"]["notes"]
    assert "without their text" in note and "item?id=41500001" in note


def test_hacker_news_items_missing_from_a_file_are_counted_from_descendants() -> None:
    doc = summarize("hackernews/firebase-partial.json")
    assert authors(doc) == ["m_obi", "ferreira_l", "kovacs_z"]
    assert doc["brief"]["counts"]["missing"] == 2 and doc["brief"]["notes"] == []
    assert not_own(comments(doc)[1], "quote") == "> Writing by hand stops me typing a transcript"


def test_discord_export_markdown_is_plain_text_and_notes_never_blame_the_intent() -> None:
    doc = summarize("discord/markdown-export.json")
    texts = [c["text"] for c in comments(doc)]
    assert doc["brief"]["title"].startswith("Laser cutter booking starts Monday")
    assert not any("**" in t or "```" in t or "~~" in t for t in texts)
    wen = comments(doc)[2]
    assert "filter: clogged" in wen["text"] and "if someone brings" in wen["text"]
    assert not_own(comments(doc)[3], "quote").startswith("> Two hours is too short")
    notes = " ".join(doc["brief"]["notes"])
    assert "Message Content" not in notes and "no text in the export" in notes
    assert not any("**" in q or "```" in q for q in viewpoint_quotes(doc))


@given(st.text(max_size=400), st.text("abcdefgh XYZ", min_size=1, max_size=20).map(str.strip))
@settings(max_examples=150, deadline=None)
def test_any_markdown_reads_as_text_with_spans_inside_it(source: str, word: str) -> None:
    text, spans = markdown_to_text(source)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    discord_to_text(source)  # never raises
    prose_paragraphs(source)
    if word:
        assert discord_to_text(f"**{word}**") == " ".join(word.split())
