"""WordPress exports and feeds, parsed without ever expanding XML entities."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import MalformedInput, NotFoundError, ThreadBriefError, UnsafeInput
from bot.sources import read_bytes
from bot.sources.feed import parse_feed, pick_item
from bot.sources.wxr import list_posts, parse
from bot.thread import CommentKind

FEED = (Path(__file__).parent / "fixtures" / "feed.atom").read_bytes()


def test_template_comments_shows_19_approved_with_a_ten_level_chain(sample) -> None:
    thread = parse(
        sample("wordpress-theme-unit-test.wxr.xml").read_bytes(), pick="Template: Comments"
    )
    ids = [c.id for c in thread.comments]
    assert len(ids) == 19 and "1015" not in ids
    assert len(thread.top_level()) == 10  # 11 top-level records, one of them unapproved
    chain = ["904", "905", "906", "907", "910", "911", "912", "913", "914", "915"]
    by_id = {c.id: c for c in thread.comments}
    assert [by_id[c].parent_id for c in chain[1:]] == chain[:-1]
    assert thread.depths()["915"] == 9
    assert "John Γιάννης Doe Κάποιος" in thread.authors()
    assert "<strong>" not in by_id["881"].text and "<h1>" not in by_id["881"].text
    assert len(by_id["881"].text) > 3000
    assert any("1 comment awaiting moderation" in n for n in thread.notes)


def test_pingbacks_and_trackbacks_are_counted_apart(sample) -> None:
    thread = parse(
        sample("wordpress-theme-unit-test.wxr.xml").read_bytes(),
        pick="Template: Pingbacks And Trackbacks",
    )
    kinds = [c.kind for c in thread.comments]
    assert kinds.count(CommentKind.PINGBACK) == 2 and kinds.count(CommentKind.TRACKBACK) == 2
    assert [c.author for c in thread.discussion()] == ["John Doe"]
    assert thread.closed is True
    assert "&laquo;" not in "".join(c.author or "" for c in thread.comments)


def test_page_with_comments_hides_the_unapproved_reply(sample) -> None:
    thread = parse(
        sample("wordpress-theme-unit-test.wxr.xml").read_bytes(), pick="Page with comments"
    )
    assert len(thread.comments) == 3 and "1017" not in [c.id for c in thread.comments]


def test_without_a_pick_the_busiest_post_is_briefed_and_the_note_says_how_to_choose(
    sample,
) -> None:
    data = sample("wordpress-theme-unit-test.wxr.xml").read_bytes()
    thread = read_bytes(data)
    assert thread.article is not None and thread.article.title == "Template: Comments"
    assert any("--pick and a title, slug or link" in n for n in thread.notes)
    assert len(list_posts(data)) > 10


def test_a_pick_that_matches_nothing_lists_some_posts(sample) -> None:
    with pytest.raises(NotFoundError, match="Posts include"):
        parse(sample("wordpress-theme-unit-test.wxr.xml").read_bytes(), pick="no such post")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss xmlns:wp="https://wordpress.org/export/1.2/"><channel><title>&lol3;</title></channel></rss>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&x;</title><item><title>t</title></item></channel></rss>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL], ids=["billion-laughs", "external"])
def test_entity_tricks_are_refused_with_a_clear_message(data: bytes) -> None:
    with pytest.raises(UnsafeInput, match="does not expand, for safety"):
        read_bytes(data)


def test_broken_xml_names_the_line() -> None:
    with pytest.raises(MalformedInput, match="line 2"):
        read_bytes(b'<rss version="2.0">\n<channel><item></channel></rss>')


def test_atom_feed_briefs_its_newest_item_or_the_one_picked() -> None:
    feed = parse_feed(FEED)
    assert pick_item(feed).title == "Council approves the river tram"
    assert pick_item(feed, "library").title == "Library opening hours"
    thread = read_bytes(FEED)
    assert thread.source == "feed" and thread.article is not None
    assert thread.article.site == "Riverside Courier" and thread.article.author == "Lena Ortiz"
    assert (
        thread.article.paragraphs[1] == "Construction starts next spring and will take four years."
    )


def test_rss_feed_with_a_comment_feed_link_and_count() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"
      xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
      <channel><title>Blog</title><link>https://b.example/</link>
      <item><title>Post</title><link>https://b.example/p</link><guid>p1</guid>
      <pubDate>Fri, 03 May 2024 09:00:00 GMT</pubDate><description>Body text.</description>
      <wfw:commentRss>https://b.example/p/feed</wfw:commentRss><slash:comments>4</slash:comments>
      </item></channel></rss>"""
    item = parse_feed(rss).items[0]
    assert item.comments_feed == "https://b.example/p/feed" and item.comment_count == 4
    assert item.published is not None and item.published.day == 3


def test_an_empty_feed_says_so() -> None:
    with pytest.raises(ThreadBriefError, match="no items"):
        read_bytes(b'<rss version="2.0"><channel><title>x</title></channel></rss>')


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_any_feed_text_parses_or_is_refused_with_a_message(text: str) -> None:
    data = f'<rss version="2.0"><channel><item><title>{text}</title></item></channel></rss>'
    try:
        outcome = read_bytes(data.encode()).source
    except ThreadBriefError as e:
        outcome = e.user_message()
    assert outcome == "feed" or outcome.endswith("."), outcome  # a brief, or why not


DISQUS = b"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="1"><forum>courier</forum><title>General</title></category>
  <thread dsq:id="t1"><link>https://courier.example/tram</link><title>Tram vote</title>
    <createdAt>2024-05-03T09:00:00Z</createdAt><isClosed>false</isClosed></thread>
  <thread dsq:id="t2"><link>https://courier.example/library</link><title>Library hours</title>
    <createdAt>2024-05-01T09:00:00Z</createdAt></thread>
  <post dsq:id="p1"><message><![CDATA[<p>The tram is overdue.</p>]]></message>
    <createdAt>2024-05-03T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Ana</name><isAnonymous>false</isAnonymous></author><ipAddress>192.0.2.1</ipAddress>
    <thread dsq:id="t1"/></post>
  <post dsq:id="p2"><message><![CDATA[<p>Too expensive.</p>]]></message>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Bo</name></author>
    <thread dsq:id="t1"/><parent dsq:id="p1"/></post>
  <post dsq:id="p3"><message><![CDATA[gone]]></message><isDeleted>true</isDeleted>
    <author><name>Cy</name></author><thread dsq:id="t1"/></post>
  <post dsq:id="p4"><message><![CDATA[<p>Open on Sundays!</p>]]></message>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Di</name></author>
    <thread dsq:id="t2"/></post>
</disqus>"""


def test_disqus_export_nests_replies_and_counts_deleted_posts() -> None:
    thread = read_bytes(DISQUS)
    assert thread.source == "disqus" and thread.article is not None
    assert thread.article.title == "Tram vote"
    assert [(c.author, c.parent_id) for c in thread.comments] == [("Ana", None), ("Bo", "p1")]
    assert thread.missing == 1 and any("out of 2 threads" in n for n in thread.notes)


def test_disqus_thread_can_be_picked_by_title() -> None:
    thread = read_bytes(DISQUS, pick="library")
    assert [c.text for c in thread.comments] == ["Open on Sundays!"]


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60).filter(lambda t: "]]>" not in t), st.booleans())
def test_any_disqus_message_is_read_or_refused_with_a_message(message: str, deleted: bool) -> None:
    data = DISQUS.replace(b"<p>Too expensive.</p>", message.encode()).replace(
        b"<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Bo",
        f"<isDeleted>{str(deleted).lower()}</isDeleted><isSpam>false</isSpam><author><name>Bo".encode(),
    )
    try:
        outcome = read_bytes(data).source
    except ThreadBriefError as e:
        outcome = e.user_message()
    assert outcome
