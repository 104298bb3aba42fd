"""Damaged and hostile files: each reads as a thread or is refused in one clear line, never a crash.

Every case here is one that once escaped as an internal error, hung, or lost comments without a
word; the fuzz harness (tests/fuzz) found most of them.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import asdict

import pytest

from bot.errors import BadInput, MalformedInput, ThreadBriefError, UnsupportedSource
from bot.pipeline import BriefOptions, make_brief
from bot.render.embeds import brief_pages
from bot.render.json import document
from bot.sources import read_bytes
from bot.thread import Article, Thread


def brief_everywhere(data: bytes) -> Thread:
    """Read, brief and render as the CLI and the bot do; the JSON written must read back."""
    thread = read_bytes(data)
    brief = make_brief(thread, BriefOptions())
    brief_pages(brief)
    written = json.dumps(document(brief, thread, asdict(BriefOptions())), ensure_ascii=False)
    again = read_bytes(written.encode("utf-8"))
    assert len(again.comments) == len(thread.comments)
    return thread


def hn_algolia(children: list[object], **root: object) -> bytes:
    item = {
        "id": 1,
        "title": "Show HN: a tram timetable",
        "author": "op",
        "created_at_i": 1_700_000_000,
        "points": 10,
        "text": "<p>I built a timetable for the new tram line. It works offline.</p>",
        "children": children,
        **root,
    }
    return json.dumps(item).encode()


def hn_comment(cid: int, text: object, **fields: object) -> dict[str, object]:
    return {"id": cid, "author": f"user{cid}", "text": text, "children": [], **fields}


def reddit(post: dict[str, object], comments: list[object]) -> bytes:
    return json.dumps(
        [
            {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post}]}},
            {"kind": "Listing", "data": {"children": comments}},
        ]
    ).encode()


def t1(cid: str, body: object, **fields: object) -> dict[str, object]:
    return {"kind": "t1", "data": {"id": cid, "body": body, "author": "someone", **fields}}


# --- web pages ------------------------------------------------------------------------------


def test_a_page_of_only_an_opening_tag_is_refused_as_empty() -> None:
    with pytest.raises(BadInput, match="no article text"):
        read_bytes(b"<html")


def test_json_ld_holding_a_bare_string_is_ignored() -> None:
    page = (
        b'<html><head><script type="application/ld+json">"just a string"</script></head>'
        b"<body><article><p>The council votes on the tram line on Tuesday. The line links the "
        b"station and the university.</p></article></body></html>"
    )
    thread = brief_everywhere(page)
    assert thread.comments == ()


def test_json_ld_comments_nested_deeper_than_pythons_stack_are_all_read() -> None:
    node: dict[str, object] = {"@type": "Comment", "text": "The deepest reply.", "@id": "c0"}
    for i in range(1, 400):
        node = {"@type": "Comment", "text": f"Reply {i}.", "@id": f"c{i}", "comment": [node]}
    script = json.dumps({"@type": "Article", "comment": [node]})
    page = (
        f'<html><head><script type="application/ld+json">{script}</script></head>'
        "<body><p>The article.</p></body></html>"
    )
    thread = read_bytes(page.encode())
    assert len(thread.comments) == 400


# --- JSON of the wrong type or shape --------------------------------------------------------


def test_reddit_values_of_the_wrong_type_are_absent() -> None:
    data = reddit(
        {"title": 2024, "selftext": "What do you think of the tram?", "author": ["op"]},
        [
            t1("a", "The tram is worth its budget.", author=["x"], replies={"data": "oops"}),
            t1("b", "Far too expensive for this city.", score="7", replies="", created_utc="x"),
        ],
    )
    thread = brief_everywhere(data)
    assert thread.article is not None and thread.article.title == "2024"
    assert thread.article.author is None
    assert [c.author for c in thread.comments] == [None, "someone"]


def test_an_integer_title_renders_in_the_embed() -> None:
    thread = read_bytes(reddit({"title": 7, "selftext": "Tram or bus?"}, [t1("a", "Tram.")]))
    [page] = brief_pages(make_brief(thread, BriefOptions())).embeds
    assert page["title"] == "7"


def test_hacker_news_text_list_and_points_string() -> None:
    data = hn_algolia(
        [
            hn_comment(2, ["not", "html"]),
            hn_comment(3, "The timetable is wrong on Sundays.", points="5"),
        ]
    )
    thread = brief_everywhere(data)
    assert [c.id for c in thread.comments] == ["3"]
    assert thread.comments[0].score == 5
    assert thread.missing == 1


def test_hacker_news_kids_that_loop_back_are_read_once() -> None:
    items = [
        {"id": 1, "type": "story", "by": "op", "title": "Tram", "kids": [2]},
        {"id": 2, "by": "a", "text": "First reply about the tram.", "kids": [3]},
        {"id": 3, "by": "b", "text": "A reply to the reply.", "kids": [2, [9], {"x": 1}]},
    ]
    thread = brief_everywhere(json.dumps(items).encode())
    assert [c.id for c in thread.comments] == ["2", "3"]


def test_hacker_news_nesting_deeper_than_pythons_stack() -> None:
    node = hn_comment(5000, "The deepest reply.")
    for i in range(4999, 4600, -1):
        node = hn_comment(i, f"Reply number {i}.", children=[node])
    # json.loads itself nests about 1,000 levels deep: this is near its limit.
    thread = read_bytes(hn_algolia([node]))
    assert len(thread.comments) == 400
    assert max(thread.depths().values()) == 399


def test_discourse_ids_and_post_numbers_of_mixed_types() -> None:
    topic = {
        "title": "Tram line",
        "post_stream": {
            "posts": [
                {"id": [1], "post_number": 1, "cooked": "<p>The tram vote is on Tuesday.</p>"},
                {"id": 2, "post_number": "2", "cooked": "<p>I will vote for it.</p>"},
                {"id": 3, "post_number": 3, "reply_to_post_number": [2], "cooked": "<p>No.</p>"},
            ],
            "stream": [[1], 2, 3],
        },
    }
    thread = brief_everywhere(json.dumps(topic).encode())
    assert len(thread.comments) == 2


def test_mastodon_display_name_list() -> None:
    saved = {
        "status": {"id": "1", "content": "<p>Vote today.</p>", "account": {"display_name": [1]}},
        "context": {
            "ancestors": [],
            "descendants": [
                {
                    "id": "2",
                    "in_reply_to_id": "1",
                    "content": "<p>Voting yes.</p>",
                    "account": {"display_name": ["y"], "acct": "y@example.org"},
                }
            ],
        },
    }
    thread = brief_everywhere(json.dumps(saved).encode())
    assert thread.comments[0].author is None


def test_brackets_nested_a_hundred_thousand_deep_are_refused() -> None:
    with pytest.raises(MalformedInput, match="nests"):
        read_bytes(b"[" * 100_000)


def test_lone_surrogates_from_json_escapes_do_not_break_the_json_output() -> None:
    reply = hn_comment(2, "Broken \\ud800 text in a reply.")
    data = hn_algolia([reply]).replace(b"\\\\ud800", b"\\ud800")
    thread = brief_everywhere(data)
    assert "\ufffd" in thread.comments[0].text


# --- cycles in parent links -----------------------------------------------------------------

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Town blog</title>
<item><title>Tram vote</title><link>https://example.org/tram</link>
<content:encoded><![CDATA[The council votes on the tram on Tuesday.]]></content:encoded>
<wp:post_type>post</wp:post_type>
{comments}
</item></channel></rss>"""


def wxr_comment(cid: int, parent: int, text: str) -> str:
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_author>user{cid}</wp:comment_author>"
        f"<wp:comment_content>{text}</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )


def test_wxr_comments_that_are_each_others_parent_are_kept_and_noted() -> None:
    comments = (
        wxr_comment(1, 0, "The tram is good.")
        + wxr_comment(2, 3, "I answer the third.")
        + wxr_comment(3, 2, "I answer the second.")
    )
    thread = brief_everywhere(WXR.format(comments=comments).encode())
    assert sorted(c.id for c in thread.comments) == ["1", "2", "3"]
    assert any("loop" in n for n in thread.notes)
    assert len(thread.top_level()) == 2


def test_a_disqus_post_that_is_its_own_parent_is_kept_and_noted() -> None:
    export = b"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="t1"><title>Tram vote</title><link>https://example.org/tram</link>
<message>The council votes on Tuesday.</message></thread>
<post dsq:id="p1"><message>I am my own parent.</message><thread dsq:id="t1"/>
<parent dsq:id="p1"/><author><name>Loop</name></author></post>
<post dsq:id="p2"><message>A normal reply.</message><thread dsq:id="t1"/>
<parent dsq:id="p1"/><author><name>Other</name></author></post>
</disqus>"""
    thread = brief_everywhere(export)
    assert [c.id for c in thread.comments] == ["p1", "p2"]
    assert thread.comments[0].parent_id is None
    assert any("loop" in n for n in thread.notes)


def test_repeated_comment_ids_never_loop_or_vanish() -> None:
    data = {
        "article": {"paragraphs": ["The tram vote."]},
        "comments": [
            {"id": "x", "text": "First."},
            {"id": "x", "text": "Second, same id.", "parent_id": "y"},
            {"id": "y", "text": "Third.", "parent_id": "x"},
        ],
    }
    thread = brief_everywhere(json.dumps(data).encode())
    assert len(thread.comments) == 3
    assert len({c.id for c in thread.comments}) == 3


# --- mail -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mbox",
    [
        b"From \nFrom:0@\n\nThe tram vote is on Tuesday.\n",
        b"From \xff\xfe x\nFrom: a@example.org\nSubject: tram\n\nThe tram vote is on Tuesday.\n",
        b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@example.org\nSubject: tram\n"
        b"Content-Type: text/plain; charset\n\nThe tram vote is on Tuesday.\n",
        b"From a@b Mon Jan  1 00:00:00 2024\nFrom: =?utf-8?q?=ff?= <a@example.org>\n"
        b"Subject: =?x-unknown?q?tram?=\nDate: Mon, 99 Foo 2024\n\nThe tram vote is on Tuesday.\n",
        b'From a@b Mon Jan  1 00:00:00 2024\nFrom: "a" <@>\nMessage-ID: <\n'
        b"Content-Transfer-Encoding: base64\n\n!!!notbase64\n",
    ],
    ids=["empty-from-line", "non-utf8-from-line", "charset-without-value", "bad-words", "bad-b64"],
)
def test_damaged_mbox_headers_read_as_absent(mbox: bytes) -> None:
    try:
        thread = brief_everywhere(mbox)
    except ThreadBriefError:
        return  # a clear refusal is fine too
    assert thread.source == "mbox"


# --- summary algorithms ---------------------------------------------------------------------


def test_edmundson_on_a_language_without_stop_words_falls_back_to_lexrank() -> None:
    article = Article(
        title="De tram",
        paragraphs=(
            "De gemeenteraad stemt dinsdag over de nieuwe tramlijn. De lijn verbindt het station "
            "met de universiteit. Tegenstanders vinden het budget veel te hoog.",
        ),
        language="nl",
    )
    brief = make_brief(Thread(source="test", article=article), BriefOptions(algorithm="edmundson"))
    assert brief.algorithm == "lexrank"
    assert any("Edmundson" in n and "Dutch" in n for n in brief.notes)
    assert brief.summary and all(s in article.paragraphs[0] for s in brief.summary)


# --- encodings and binary -------------------------------------------------------------------

TEXT = (
    "The council votes on the tram line.\n\nThe line links the station and the university. "
    "Opponents say the budget is too high.\n"
)


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_byte_order_marks_are_honoured(codec: str) -> None:
    bom = {
        "utf-8-sig": b"",
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }[codec]
    thread = read_bytes(bom + TEXT.encode(codec))
    assert thread.article is not None
    assert "tram line" in thread.article.text


def test_a_file_of_control_characters_is_refused_as_such() -> None:
    with pytest.raises(UnsupportedSource, match="control characters"):
        read_bytes(bytes(range(1, 32)) * 50)


def test_xml_whose_root_comes_after_a_long_prolog_is_still_xml() -> None:
    comments = wxr_comment(1, 0, "The tram is good.")
    long_comment = "<!-- " + "exported by a very chatty tool " * 400 + "-->\n"
    data = WXR.format(comments=comments).replace("<rss", long_comment + "<rss", 1)
    thread = read_bytes(data.encode())
    assert thread.source == "wordpress"
    assert [c.text for c in thread.comments] == ["The tram is good."]


def test_a_comment_list_with_repeated_ids_and_deep_replies_keeps_every_comment() -> None:
    # Found by the fuzzer: comments were dropped where the reader recognised elements it had
    # seen by id() of lxml's short-lived proxies, which Python reuses.
    def li(number: int, depth: int) -> str:
        replies = "".join(li(number, depth + 1) for _ in range(2)) if depth < 4 else ""
        return (
            f'<li id="comment-{number}" class="comment"><div class="comment-author">'
            f'<cite class="fn">U{number}</cite></div><div class="comment-content">'
            f"<p>Reply {number} at depth {depth} about the tram.</p></div>"
            + (f'<ul class="children">{replies}</ul>' if replies else "")
            + "</li>"
        )

    comments = "".join(li(n, 0) for n in range(3))
    page = (
        "<!doctype html><html><body><article><h1>Tram vote</h1><p>The council votes on the "
        "tram line on Tuesday. The line links the station and the university.</p></article>"
        f'<ol class="comment-list">{comments}</ol></body></html>'
    )
    thread = brief_everywhere(page.encode())
    assert len(thread.comments) == 3 * 31


@pytest.mark.parametrize(
    "name",
    [
        "fuzz-html-control-characters.bin",
        "fuzz-xml-unknown-encoding.bin",
        "fuzz-mail-replacement-characters.bin",
    ],
)
def test_inputs_the_long_fuzz_run_crashed_on(name: str) -> None:
    from pathlib import Path

    data = (Path(__file__).parent / "fixtures" / name).read_bytes()
    try:
        read_bytes(data)
    except ThreadBriefError:
        return  # a clear refusal is the other good outcome
    brief_everywhere(data)  # read, briefed, and its JSON reads back
