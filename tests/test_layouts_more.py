"""More real layouts, one per file: the variants each source's users export or publish."""

from __future__ import annotations

from tests.layouts import authors, comments, depth, not_own, own_words, summarize


def test_disqus_posts_that_are_only_a_link_or_an_address_are_no_views() -> None:
    doc = summarize("disqus/link-only-posts.xml")
    assert authors(doc) == ["Petra Novak", "lifeguard_sam", "Owain Price", "Guest"]
    assert [c["language"] for c in comments(doc)] == ["en", "und", "en", "und"]
    assert doc["brief"]["counts"]["languages"] == {"en": 2}
    ids = {i for v in doc["brief"]["viewpoints"] for i in v["comment_ids"]}
    assert ids <= {"99001", "99003"}
    assert depth(doc) == 1


def test_one_response_to_declares_a_single_comment() -> None:
    doc = summarize("web/one-response-to.html")
    assert doc["brief"]["counts"]["declared"] == 1
    assert authors(doc) == ["Nessa Quinlan"]
    assert doc["brief"]["author"] == "Lorcan Fitzgerald"
    assert "Says" not in comments(doc)[0]["text"]


def test_a_french_theme_s_heading_and_dit_lines() -> None:
    doc = summarize("web/french-commentaires.html")
    counts = doc["brief"]["counts"]
    assert counts["declared"] == 5 and counts["presence"] == "2 of 5 responses present"
    assert authors(doc) == ["Bernard", "Chantal R."]
    assert doc["brief"]["language"] == "fr" and doc["brief"]["author"] == "Aurélie Martin"


def test_an_rss_1_0_feed_with_dublin_core_dates() -> None:
    doc = summarize("feed/rss1-rdf.rdf")
    assert doc["brief"]["title"] == "Fewer sparrows, more goldfinches"
    assert doc["brief"]["author"] == "Ffion Hughes"
    assert doc["brief"]["published"] == "2026-02-10T09:00:00+00:00"
    assert doc["brief"]["notes"] == []


def test_a_mastodon_reply_with_ancestors_and_a_content_warning() -> None:
    doc = summarize("mastodon/reply-with-ancestors.json")
    assert doc["brief"]["author"] == "Kai Lindgren"
    assert not any("housing, long" in s for s in doc["brief"]["summary"])
    assert authors(doc) == ["Ruth Ebeling", "Kai Lindgren", "Oswaldo Paz"]
    assert depth(doc) == 2
    assert comments(doc)[2]["language"] == "en"  # declared "es", written in English
    assert not any(c["text"].startswith("@") for c in comments(doc))


def test_a_closed_discourse_topic_with_a_quoted_reply() -> None:
    doc = summarize("discourse/closed-with-quote.json")
    assert authors(doc) == ["Tom Reilly", "Lea Brandt"]
    tom = comments(doc)[0]
    assert not_own(tom, "quote") == "Posts written during the window may be lost"
    assert own_words(tom) == "Could the forum switch to read-only instead, so nothing is lost?"
    counts = doc["brief"]["counts"]
    assert counts["comments"] == 2 and counts["declared"] == 2 and counts["missing"] == 0
    assert doc["brief"]["closed"] is True


def test_a_discord_export_from_a_date_with_attachments_bots_and_pins() -> None:
    doc = summarize("discord/export-after-date.json")
    assert doc["thread"]["article"] is None  # exported from a date: no starter message
    assert authors(doc) == ["Hedda", "Samir", "Clodagh"]
    texts = [c["text"] for c in comments(doc)]
    assert "**" not in texts[0] and "`" not in texts[1] and "||" not in texts[2]
    notes = " ".join(doc["brief"]["notes"])
    assert "only attachments" in notes and "from bots left out" in notes
    assert "Message Content" not in notes and doc["brief"]["counts"]["missing"] == 1


def test_reddit_lists_code_and_a_link_in_angle_brackets() -> None:
    doc = summarize("reddit/raw-json-lists-code.json")
    first, reply, link = comments(doc)
    assert "```" not in first["text"] and "docker ps | wc -l" in first["text"]
    assert "- file shares" not in first["text"] and "file shares" in first["text"]
    assert not_own(reply, "quote") == "All on a ten-year-old office PC"
    assert (
        link["language"] == "und" and link["text"] == "https://www.example.net/homelab-survey-2026"
    )
    assert not any("Context" in s or "Service" in s for s in doc["brief"]["summary"])


def test_a_wxr_1_0_export_with_a_pingback_and_spam() -> None:
    doc = summarize("wxr/wxr-1.0-pingback.xml")
    assert authors(doc) == ["Janek", "Sourdough Links Weekly"]
    assert [c["kind"] for c in comments(doc)] == ["comment", "pingback"]
    assert doc["brief"]["counts"]["links"] == 1
    assert any("spam" in n for n in doc["brief"]["notes"])
    assert all("6" not in v["comment_ids"] for v in doc["brief"]["viewpoints"])
