"""Feeds as real blogs publish them: blank lines before the XML declaration, bare ampersands and
HTML entities, loose dates, and comment feeds that are missing, unreachable or not in the file."""

from __future__ import annotations

import socket

import pytest
from aiohttp import web

from bot.config import FetchConfig
from bot.errors import UnsafeInput
from bot.sources import read_bytes
from tests.layouts import LAYOUTS, summarize
from tests.localweb import read_link, serving

LOCAL = FetchConfig(allow_loopback=True)


def test_a_blank_line_before_the_xml_declaration_is_forgiven_without_a_word() -> None:
    doc = summarize("feed/blank-line-before-xml.rss")
    assert doc["brief"]["title"] == "The ferry pier reopens in March"
    assert doc["brief"]["author"] == "Isolde Marr"
    assert not any("well-formed" in n for n in doc["brief"]["notes"])


def test_a_comment_feed_named_in_a_file_is_mentioned_in_a_note() -> None:
    doc = summarize("feed/blank-line-before-xml.rss")
    assert doc["brief"]["counts"]["declared"] == 2 and doc["brief"]["counts"]["comments"] == 0
    (note,) = doc["brief"]["notes"]
    assert "https://gazette.example/2026/12/ferry-pier/feed/" in note
    assert "brief the feed's URL" in note


def test_bare_ampersands_and_html_entities_are_read_as_feed_readers_read_them() -> None:
    doc = summarize("feed/unescaped-entities.rss")
    assert doc["brief"]["title"] == "Hedges, ditches & the new subsidy rules"
    assert doc["brief"]["site"] == "Fields & Fences"
    paragraphs = doc["thread"]["article"]["paragraphs"]
    assert paragraphs[0].startswith("The new subsidy rules pay for hedges planted")
    assert "kept — which" in paragraphs[0] and "birds & insects" in paragraphs[1]
    assert any("not well-formed XML" in n for n in doc["brief"]["notes"])


def test_an_atom_feed_with_entities_and_leading_blank_lines() -> None:
    doc = summarize("feed/atom-html-entities.atom")
    assert doc["brief"]["title"] == "Light pollution maps & what they miss"
    assert doc["brief"]["author"] == "Ilse Brandvold"
    assert "any map … and the readings" in doc["thread"]["article"]["paragraphs"][1]


def test_dates_without_a_weekday_or_time_are_kept() -> None:
    doc = summarize("feed/loose-dates.rss")
    assert doc["brief"]["title"] == "Speed bumps on Church Lane approved"  # the newest item
    assert doc["brief"]["published"] == "2026-11-30T00:00:00+00:00"
    assert doc["brief"]["author"] == "Maren Holt"


def test_entity_declarations_are_still_refused_after_repair() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaa">]>'
        b"<rss><channel><title>A & B</title><item><title>&a;&a;</title></item></channel></rss>"
    )
    with pytest.raises(UnsafeInput, match="does not expand"):
        read_bytes(bomb)


def _feed_app(comments: tuple[bytes, int] | None, base: list[str]) -> web.Application:
    item = (LAYOUTS / "feed" / "blank-line-before-xml.rss").read_bytes()

    async def feed(_: web.Request) -> web.Response:
        body = item.replace(b"https://gazette.example/2026/12/ferry-pier/feed/", base[0].encode())
        return web.Response(body=body, content_type="application/rss+xml")

    async def replies(_: web.Request) -> web.Response:
        assert comments is not None
        return web.Response(
            body=comments[0], status=comments[1], content_type="application/rss+xml"
        )

    app = web.Application()
    app.router.add_get("/feed/", feed)
    app.router.add_get("/ferry-pier/feed/", replies)
    return app


async def test_the_comment_feed_gives_the_comments_and_their_nesting() -> None:
    body = (LAYOUTS / "feed" / "comments-feed.rss").read_bytes()
    base: list[str] = []
    async with serving(_feed_app((body, 200), base)) as url:
        base.append(f"{url}/ferry-pier/feed/")
        thread = await read_link(f"{url}/feed/", LOCAL)
    assert [c.author for c in thread.comments] == ["Cormac Delaney", "Hester Quayle"]
    assert thread.comments[1].parent_id == thread.comments[0].id
    assert (
        thread.comments[1].text == "March is optimistic when the stages have not even been ordered."
    )
    assert thread.notes == ()


async def test_a_comment_feed_answering_404_briefs_the_item_with_a_note() -> None:
    base: list[str] = []
    async with serving(_feed_app((b"<html>gone</html>", 404), base)) as url:
        base.append(f"{url}/ferry-pier/feed/")
        thread = await read_link(f"{url}/feed/", LOCAL)
    assert thread.article is not None and thread.article.title == "The ferry pier reopens in March"
    assert thread.comments == ()
    (note,) = thread.notes
    assert "could not be read" in note and "404" in note and "without its comments" in note


async def test_an_unreachable_comment_feed_briefs_the_item_with_a_note() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    base = [f"http://127.0.0.1:{closed}/ferry-pier/feed/"]
    async with serving(_feed_app(None, base)) as url:
        thread = await read_link(f"{url}/feed/", LOCAL)
    assert thread.article is not None and thread.comments == ()
    assert any("could not be read" in n for n in thread.notes)
